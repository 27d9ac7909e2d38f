"""Trust-wide tables at a trust with more schools than a page, in a real browser: the pager is
a named navigation landmark with the current page marked, its links swap the table by htmx and
keep the sort, and each page passes axe-core (test-artifacts/)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.conftest import assert_accessible, log_in
from tests.world import make_school
from trustwide.dashboards.tests.helpers import kpi
from trustwide.peer_review.models import SupportAssessment
from trustwide.risks.tests.factories import make_risk

pytestmark = pytest.mark.browser


def test_paged_trust_tables(live_server, page, world):
    for i in range(30):
        school = make_school(
            world.trust_a, world.hub_1 if i % 2 else world.hub_2, name=f"Extra {i:02d}"
        )
        kpi(world, school, "overall_absence", 10.0 + i)
        make_risk(world.trust_a, school, title=f"Roof at {school.name}", likelihood=4, impact=5)
        SupportAssessment.objects.create(
            school=school,
            assessed_on=timezone.localdate(),
            category="universal",
            capacity="neither",
        )
    log_in(page, live_server, world.user("trust_leader"))

    page.goto(
        f"{live_server.url}/trusts/{world.trust_a.slug}/dashboard/?sort=overall_absence&dir=desc"
    )
    pager = page.get_by_role("navigation", name="Pages of the schools table")
    assert pager.get_by_role("link", name="Page 1").get_attribute("aria-current") == "page"
    assert page.locator("#trust-table tbody th").count() == 25
    assert_accessible(page, "long-trust-dashboard")
    pager.get_by_role("link", name="Next page").click()
    page.wait_for_url("**page=2**")
    assert "sort=overall_absence" in page.url
    # The page after: the weakest (lowest) values and the two schools without a figure.
    names = page.locator("#trust-table tbody th").all_inner_texts()
    assert names == [
        "Extra 04",
        "Extra 03",
        "Extra 02",
        "Extra 01",
        "Extra 00",
        "A1 Primary",
        "A2 Primary",
    ]
    pager = page.get_by_role("navigation", name="Pages of the schools table")
    assert pager.get_by_role("link", name="Page 2").get_attribute("aria-current") == "page"
    assert_accessible(page, "long-trust-dashboard-page-2")

    page.goto(live_server.url + reverse("risks:trust-register", args=[world.trust_a.slug]))
    assert page.get_by_role("navigation", name="Pages of the rolled-up school risks").is_visible()
    assert_accessible(page, "long-trust-risks")
    page.goto(live_server.url + reverse("planning:rollup", args=[world.trust_a.slug]))
    assert page.get_by_role("navigation", name="Pages of the roll-up").is_visible()
    assert_accessible(page, "long-plan-rollup")
    page.goto(live_server.url + reverse("peer_review:overview", args=[world.trust_a.slug]))
    hub = page.locator("details.hub-group").first
    assert hub.get_attribute("open") is None
    hub.locator("summary").click()  # a collapsed hub opens with a click (or Enter)
    assert hub.get_by_role("link", name="Extra 01").is_visible()
    assert_accessible(page, "long-peer-review-overview")
