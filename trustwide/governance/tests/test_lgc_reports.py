"""Local governing committees' reports to the board: drafting, flagging a trust priority that
harms a school priority, submitting (figures stored, conflicts onto the board's next agenda),
the board's side-by-side view and replies. Each transition asserts its audit event."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import escape

from trustwide.audit.models import AuditEvent
from trustwide.governance import services, services_lgc
from trustwide.governance.lgc_forms import REASONING_REQUIRED
from trustwide.governance.models import AgendaItem, LgcReport, PriorityConflict

from .factories import board, lgc
from .lgc_factories import (
    chair_of,
    current_term,
    planned_board_meeting,
    rate,
    school_priority,
    trust_priority,
)


def _event(instance, action):
    return AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk), action=action
    )


@pytest.fixture
def setup(world):
    governor = world.user("local_governor")
    body = lgc(world.school_a1, governor)
    chair = world.user("clerk_to_governors")  # the clerk submits as well as the chair
    term = current_term(world.trust_a)
    prio = school_priority(world.school_a1)
    rate(prio, term, "red")
    return world, governor, body, chair, term, prio


def _report_with_conflict(setup):
    world, governor, body, _clerk, term, prio = setup
    report = services_lgc.report_create(
        actor=governor, body=body, term=term, summary="A steady term."
    )
    services_lgc.conflict_add(
        actor=governor,
        report=report,
        trust_priority=trust_priority(world.trust_a),
        school_priority=prio,
        reasoning="The trust's assessment week falls on our reading fortnight.",
    )
    return report


def test_governor_drafts_a_report_audited_and_once_per_term(setup):
    world, governor, body, _clerk, term, _prio = setup
    report = services_lgc.report_create(actor=governor, body=body, term=term)
    assert _event(report, "create").count() == 1
    with pytest.raises(ValidationError, match="already has a report for"):
        services_lgc.report_create(actor=governor, body=body, term=term)
    assert LgcReport.objects.filter(body=body).count() == 1
    with pytest.raises(PermissionDenied):
        services_lgc.report_create(actor=world.user("teacher"), body=body, term=term)


def test_conflict_needs_its_reasoning_and_the_schools_own_priority(setup):
    world, governor, body, _clerk, term, prio = setup
    report = services_lgc.report_create(actor=governor, body=body, term=term)
    msp = trust_priority(world.trust_a)
    with pytest.raises(ValidationError, match="Give the governors' reasoning"):
        services_lgc.conflict_add(
            actor=governor, report=report, trust_priority=msp, school_priority=prio, reasoning="  "
        )
    other = school_priority(world.school_a2, title="Maths")
    with pytest.raises(ValidationError, match="this school's plans"):
        services_lgc.conflict_add(
            actor=governor, report=report, trust_priority=msp, school_priority=other, reasoning="x"
        )
    assert not PriorityConflict.objects.exists()
    conflict = services_lgc.conflict_add(
        actor=governor, report=report, trust_priority=msp, school_priority=prio, reasoning="Clash."
    )
    assert _event(conflict, "create").count() == 1


def test_submit_stores_the_figures_and_puts_the_conflict_on_the_next_board_agenda(setup):
    world, governor, body, clerk, term, prio = setup
    later = planned_board_meeting(world.trust_a, days=40)
    meeting = planned_board_meeting(world.trust_a, days=10)
    report = _report_with_conflict(setup)
    with pytest.raises(PermissionDenied):  # an ordinary member drafts but does not submit
        services_lgc.report_submit(actor=governor, report=report)

    report, used = services_lgc.report_submit(actor=clerk, report=report)
    assert used == meeting
    assert report.status == "submitted" and report.submitted_by == clerk
    assert _event(report, "submit").count() == 1
    assert report.content["plans"][0]["priorities"][0]["rating"] == "red"
    item = AgendaItem.objects.get(meeting=meeting, kind="lgc_conflict")
    assert item.school == world.school_a1
    assert "reading fortnight" in item.notes and "MSP3" in item.title
    assert not later.agenda_items.exists()
    assert _event(item, "create").count() == 1

    # Submitting twice is refused and changes nothing.
    with pytest.raises(ValidationError, match="was submitted to the board on"):
        services_lgc.report_submit(actor=clerk, report=report)
    assert AgendaItem.objects.filter(kind="lgc_conflict").count() == 1
    # A later rating does not change what the board was sent.
    rate(prio, term, "green")
    from trustwide.governance import lgc as lgc_read

    assert lgc_read.report_content(report)["plans"][0]["priorities"][0]["rating"] == "red"


def test_chair_submits_and_a_conflict_waits_for_the_next_board_meeting(setup):
    world, governor, body, _clerk, _term, _prio = setup
    chair_of(body, governor)
    report = _report_with_conflict(setup)
    _report, used = services_lgc.report_submit(actor=governor, report=report)
    assert used is None
    conflict = PriorityConflict.objects.get()
    assert conflict.agenda_item is None
    meeting = services.meeting_create(
        actor=world.user("trust_leader"),
        body=board(world.trust_a),
        held_on=_term.ends_on,
        title="Spring board",
    )
    conflict.refresh_from_db()
    assert conflict.agenda_item.meeting == meeting


def test_trustee_replies_to_a_submitted_report_only(setup):
    world, governor, body, clerk, _term, _prio = setup
    report = _report_with_conflict(setup)
    trustee = world.user("trustee")
    with pytest.raises(ValidationError, match="Only a report submitted"):
        services_lgc.reply_add(actor=trustee, report=report, text="Thanks")
    report, _ = services_lgc.report_submit(actor=clerk, report=report)
    with pytest.raises(PermissionDenied):
        services_lgc.reply_add(actor=governor, report=report, text="Thanks")
    reply = services_lgc.reply_add(actor=trustee, report=report, text="We will move the week.")
    assert _event(reply, "create").count() == 1


def test_pages_draft_flag_submit_and_the_board_sees_it(setup, client, login):
    world, governor, body, clerk, term, prio = setup
    meeting = planned_board_meeting(world.trust_a)
    lgc(world.school_a2)
    login(governor)
    response = client.post(
        reverse("governance:lgc-report-create", args=[body.pk]),
        {"term": term.pk, "summary": "Good progress in reading."},
    )
    report = LgcReport.objects.get()
    assert response.status_code == 302
    url = reverse("governance:lgc-conflict-add", args=[report.pk])
    msp = trust_priority(world.trust_a)
    refused = client.post(
        url, {"trust_priority": msp.pk, "school_priority": prio.pk, "reasoning": "   "}
    )
    assert refused.status_code == 400
    assert escape(REASONING_REQUIRED) in refused.content.decode()
    assert not PriorityConflict.objects.exists()
    client.post(url, {"trust_priority": msp.pk, "school_priority": prio.pk, "reasoning": "Clash."})
    login(clerk)
    response = client.post(reverse("governance:lgc-report-submit", args=[report.pk]), follow=True)
    assert "added to the agenda of" in response.content.decode()
    again = client.post(reverse("governance:lgc-report-submit", args=[report.pk]), follow=True)
    assert "was submitted to the board on" in again.content.decode()
    assert AgendaItem.objects.filter(kind="lgc_conflict").count() == 1

    login(world.user("trustee"))
    page = client.get(reverse("governance:board-reports", args=[world.trust_a.slug]))
    text = page.content.decode()
    assert "Good progress in reading." in text and "A2 Primary" in text
    assert "No report submitted for this term." in text  # A2's committee has not reported
    agenda = client.get(reverse("governance:meeting-detail", args=[meeting.pk])).content.decode()
    assert "A1 Primary: MSP3 harming" in agenda and "Clash." in agenda


def test_another_schools_report_is_404(setup, client, login):
    world, governor, _body, _clerk, term, _prio = setup
    other_body = lgc(world.school_a2)
    other = LgcReport.objects.create(body=other_body, term=term)
    login(governor)
    assert client.get(reverse("governance:lgc-report-detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("governance:lgc-report-submit", args=[other.pk])).status_code == 404
    assert (
        client.get(reverse("governance:lgc-report-create", args=[other_body.pk])).status_code == 404
    )


def test_report_pages_make_a_bounded_number_of_queries(setup, client, login):
    """The board's page costs the same number of queries for two schools or five."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.world import make_school

    world, governor, body, clerk, term, _prio = setup
    planned_board_meeting(world.trust_a)
    report = _report_with_conflict(setup)
    services_lgc.report_submit(actor=clerk, report=report)
    lgc(world.school_a2)
    login(world.user("trustee"))
    url = reverse("governance:board-reports", args=[world.trust_a.slug])

    def count(page):
        client.get(page)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        return len(queries)

    two = count(url)
    for n in range(3):
        school = make_school(world.trust_a, world.hub_1, name=f"A{n + 5} Primary")
        other = lgc(school)
        LgcReport.objects.create(
            body=other,
            term=term,
            status="submitted",
            submitted_at=report.submitted_at,
            content=report.content,
            summary=f"School {n}",
        )
    assert count(url) == two <= 20
    assert count(reverse("governance:lgc-report-detail", args=[report.pk])) <= 20
