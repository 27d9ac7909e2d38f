"""A committee's report to the board and a meeting's frozen papers in a real browser, with
axe-core on each new page: the chair drafts, flags a trust priority and submits; a trustee
reads every school's report side by side, finds the flag on the board's agenda and replies;
the committee's meeting is marked held and its papers keep the rating it saw."""

import pytest

from tests.browser.conftest import assert_accessible, log_in
from trustwide.governance.tests.factories import lgc, meeting
from trustwide.governance.tests.lgc_factories import (
    chair_of,
    current_term,
    planned_board_meeting,
    rate,
    school_priority,
    trust_priority,
)

pytestmark = pytest.mark.browser


def test_report_to_the_board_and_frozen_papers(live_server, page, world):
    governor = world.user("local_governor")
    body = lgc(world.school_a1, governor)
    chair_of(body, governor)
    term = current_term(world.trust_a)
    prio = school_priority(world.school_a1)
    rate(prio, term, "red")
    msp = trust_priority(world.trust_a)
    board_meeting = planned_board_meeting(world.trust_a)
    lgc_meeting = meeting(body, status="planned")

    log_in(page, live_server, governor)
    page.goto(f"{live_server.url}/governing-bodies/{body.pk}/")
    page.get_by_role("link", name="Start a report to the board").click()
    page.get_by_label("Summary").fill("Reading is improving; the assessment week clashes.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/lgc-reports/*/")
    assert_accessible(page, "lgc-report-draft")
    page.get_by_role("link", name="Flag a trust priority harming a school priority").click()
    page.get_by_label("Trust (MSP) priority").select_option(str(msp.pk))
    page.get_by_label("The school's priority it is harming").select_option(str(prio.pk))
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Give the governors' reasoning").first.is_visible()
    assert_accessible(page, "lgc-conflict-refused")
    page.get_by_label("Reasoning").fill(
        "The trust's assessment week falls in our reading fortnight."
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/lgc-reports/*/")
    page.get_by_role("button", name="Submit the report to the board").click()
    assert page.get_by_text("added to the agenda of").is_visible()

    # The committee's own meeting is held; a later rating does not change its papers.
    page.goto(f"{live_server.url}/meetings/{lgc_meeting.pk}/edit/")
    page.get_by_label("Status").select_option("held")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("its papers are frozen").is_visible()
    rate(prio, term, "green")
    page.goto(f"{live_server.url}/meetings/{lgc_meeting.pk}/papers/")
    assert page.get_by_role("cell", name="1/0/0/0").first.is_visible()
    assert_accessible(page, "meeting-papers-frozen")

    trustee = world.user("trustee")
    log_in(page, live_server, trustee)
    page.goto(f"{live_server.url}/trusts/{world.trust_a.slug}/governance/lgc-reports/")
    assert page.get_by_text("Reading is improving").is_visible()
    assert_accessible(page, "board-reports")
    page.goto(f"{live_server.url}/meetings/{board_meeting.pk}/")
    assert page.get_by_text("A1 Primary: MSP3 harming").is_visible()
    page.goto(f"{live_server.url}/trusts/{world.trust_a.slug}/governance/lgc-reports/")
    page.get_by_role("link", name="Open the report of A1 Primary").click()
    page.get_by_role("link", name="Reply to the committee").click()
    page.get_by_label("Reply").fill("We will move the assessment week.")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("We will move the assessment week.").is_visible()
    assert_accessible(page, "lgc-report-submitted")
