import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_headteacher_logs_in_and_opens_the_school_page(live_server, page, world):
    head = world.user("headteacher")
    head.set_password("a-long-browser-password")
    head.save()

    page.goto(f"{live_server.url}/login/")
    assert_accessible(page, "login")
    page.get_by_label("Email address").fill(head.email)
    page.get_by_label("Password").fill("a-long-browser-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Needs your attention").is_visible()
    assert_accessible(page, "home-headteacher")

    page.get_by_role("main").get_by_role("link", name="A1 Primary").first.click()
    page.wait_for_url(f"{live_server.url}/schools/{world.school_a1.pk}/")
    assert page.get_by_role("heading", level=1, name="A1 Primary").is_visible()
    assert page.get_by_text(str(world.school_a1.urn)).first.is_visible()
    # Another trust's school is not reachable: 404, not 403.
    response = page.goto(f"{live_server.url}/schools/{world.school_b1.pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/schools/{world.school_a1.pk}/")
    assert_accessible(page, "school-headteacher")

    # Keyboard: the skip link is the first stop and moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
