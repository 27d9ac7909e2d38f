"""In-year tracking by a headteacher: school dashboard > tracking grid > pupils not on track,
with axe-core on both pages and the drill-down reached by its link's accessible name."""

import re

import pytest

from tests.browser.conftest import assert_accessible
from trustwide.dashboards.tests.test_tracking import _assessments

pytestmark = pytest.mark.browser


def test_tracking_grid_and_drill_down(live_server, page, world):
    year = _assessments(world)
    head = world.user("headteacher")
    head.set_password("a-long-browser-password")
    head.save()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(head.email)
    page.get_by_label("Password").fill("a-long-browser-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/schools/{world.school_a1.pk}/dashboard/?year={year}")
    page.get_by_role("link", name="In-year tracking: pupils on track").click()
    page.wait_for_url(f"**/schools/{world.school_a1.pk}/tracking/**")
    page.get_by_label("Term").select_option("spring")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**term=spring**")
    assert page.get_by_role("cell", name="70.0%").first.is_visible()
    assert_accessible(page, "dashboards-tracking")

    page.get_by_role("link", name=re.compile(r"^Pupils not on track\s*: reading, Year 3$")).click()
    page.wait_for_url(f"**/schools/{world.school_a1.pk}/tracking/3/reading/**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Year 3 reading")
    assert page.locator("tbody tr").count() == 3
    assert_accessible(page, "dashboards-tracking-pupils")
