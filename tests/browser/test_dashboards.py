"""Trust dashboard > school dashboard > year group, by a trust leader, with axe-core and
screenshots (test-artifacts/), and the keyboard: sorting a column with Enter."""

import pytest

from tests.browser.conftest import assert_accessible
from trustwide.dashboards.tests.helpers import kpi

pytestmark = pytest.mark.browser


def test_trust_dashboard_to_school_to_year_group(live_server, page, world):
    for school, base in ((world.school_a1, 6.0), (world.school_a2, 8.0)):
        for code in ("overall_absence", "persistent_absence", "progress_expected_maths"):
            kpi(world, school, code, base + len(code) / 10)
            kpi(world, school, code, base + 1, group="disadvantaged")
            kpi(world, school, code, base - 1, group="year_5", pupils=30)
            kpi(world, school, code, None, group="ehc_plan", pupils=3, suppressed=True)
    leader = world.user("trust_leader")
    leader.set_password("a-long-browser-password")
    leader.save()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(leader.email)
    page.get_by_label("Password").fill("a-long-browser-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/trusts/{world.trust_a.slug}/dashboard/")
    assert page.get_by_role("heading", level=1, name="Trust dashboard: Trust A").is_visible()
    assert_accessible(page, "dashboards-trust")
    # Keyboard: focus the "Overall absence" sort link and press Enter; htmx swaps the table.
    link = page.get_by_role("link", name="Overall absence (sort)")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**sort=overall_absence**")
    names = page.locator("#trust-table tbody th").all_inner_texts()
    assert names == ["A1 Primary", "A2 Primary"]

    page.get_by_role("link", name="A1 Primary").click()
    page.wait_for_url(f"**/schools/{world.school_a1.pk}/dashboard/**")
    assert page.get_by_role("heading", level=1, name="School dashboard: A1 Primary").is_visible()
    assert page.get_by_text("fewer than 5 pupils").first.is_visible()  # EHC plan: suppressed
    assert_accessible(page, "dashboards-school")

    page.get_by_role("navigation", name="Year groups").get_by_role("link", name="Year 5").click()
    page.wait_for_url(f"**/schools/{world.school_a1.pk}/dashboard/year_5/**")
    assert page.get_by_role("heading", level=1, name="Year 5: A1 Primary").is_visible()
    assert_accessible(page, "dashboards-year-group")
