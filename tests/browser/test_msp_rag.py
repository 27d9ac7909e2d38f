"""The strategic plan's termly RAG in a real browser: a trust leader overrides a rating (refused
without a reason), the plan page shows the term's rating and its change, the board report shows
the drivers; axe-core on each page."""

import pytest

from tests.browser.conftest import assert_accessible
from trustwide.planning.models import MspRating
from trustwide.planning.tests.factories import msp_rated_two_terms

pytestmark = pytest.mark.browser


def _log_in(page, live_server, user):
    user.set_password("a-long-browser-password")
    user.save()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill("a-long-browser-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_trust_leader_rates_the_strategic_plan_and_the_board_sees_it(live_server, page, world):
    s = msp_rated_two_terms(world)
    msp1 = s["msp1"]
    slug = world.trust_a.slug
    _log_in(page, live_server, world.user("trust_leader"))

    page.goto(f"{live_server.url}/trusts/{slug}/strategic-plan/")
    assert_accessible(page, "msp-page-with-rag")
    page.goto(f"{live_server.url}/trusts/{slug}/strategic-plan/rag/?term=summer")
    assert_accessible(page, "msp-termly-review")
    page.locator(f"#r_{msp1.pk}").select_option("green")
    page.get_by_role("button", name="Save the strategic plan RAG").click()
    alert = page.get_by_role("alert")
    assert "Give a reason for overriding the derived rating" in alert.inner_text()
    assert_accessible(page, "msp-termly-review-error")
    assert not MspRating.objects.filter(term__name="summer").exists()

    page.locator(f"#o_{msp1.pk}").fill("Both schools' summer moderation shows the gap closed.")
    page.get_by_role("button", name="Save the strategic plan RAG").click()
    page.wait_for_url(f"**/trusts/{slug}/strategic-plan/**")
    grid = page.locator("#msp-rag")
    assert "Improved from amber" in grid.inner_text()
    assert "(overridden)" in grid.inner_text()
    rating = MspRating.objects.get(trust_priority=msp1, term__name="summer")
    assert (rating.rating, rating.is_derived) == ("green", False)

    page.goto(f"{live_server.url}/trusts/{slug}/board-report/?term={s['spring'].pk}")
    section = page.locator("section", has=page.locator("#br-msp"))
    text = section.inner_text()
    assert "MSP1: Removing disadvantage" in text and "Improved from red" in text
    assert "Reading at A2 Primary" in text
    assert_accessible(page, "board-report-msp-rag")
