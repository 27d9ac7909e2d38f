"""The policy register in a real browser: filtering with htmx, and axe-core on each page."""

import pytest

from tests.browser.conftest import assert_accessible
from trustwide.policies.tests.factories import due_in, make_policy

pytestmark = pytest.mark.browser


def test_trust_leader_filters_the_register_and_records_a_review(live_server, page, world):
    leader = world.user("trust_leader")
    leader.set_password("a-long-browser-password")
    leader.save()
    overdue = make_policy(
        world.trust_a, None, title="Safeguarding and child protection", statutory=True, **due_in(-3)
    )
    make_policy(world.trust_a, world.school_a1, title="Attendance", **due_in(200))

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(leader.email)
    page.get_by_label("Password").fill("a-long-browser-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/trusts/{world.trust_a.slug}/policies/")
    assert page.get_by_role("link", name="Attendance").is_visible()
    assert_accessible(page, "policy-register-trust")
    # Choosing "Overdue" swaps the table in place (htmx) and keeps the filter in the address.
    page.get_by_label("Review").select_option("overdue")
    page.wait_for_url("**due=overdue**")
    page.get_by_role("link", name="Attendance").wait_for(state="detached")
    assert page.get_by_role("link", name="Safeguarding and child protection").is_visible()

    page.get_by_role("link", name="Safeguarding and child protection").click()
    page.wait_for_url(f"{live_server.url}/policies/{overdue.pk}/")
    assert_accessible(page, "policy-detail")
    page.get_by_role("link", name="Record a review").click()
    assert_accessible(page, "policy-review-form")
    page.get_by_label("Summary of changes").fill("New DSL named.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/policies/{overdue.pk}/")
    assert page.get_by_text("New DSL named.").is_visible()
    overdue.refresh_from_db()
    assert overdue.due_state() == "current"
