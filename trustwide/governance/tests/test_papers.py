"""A meeting's papers are frozen when it is held: a later RAG rating changes a new meeting's
papers, never a held one's (issue 17: "an LGC held on 6 November shows RAG counts rated on
6 December")."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from trustwide.audit.models import AuditEvent
from trustwide.governance import services, services_lgc
from trustwide.governance.models import Meeting, MeetingPapers

from .factories import lgc, meeting
from .lgc_factories import current_term, rate, school_priority


@pytest.fixture
def held_setup(world):
    governor = world.user("local_governor")
    body = lgc(world.school_a1, governor)
    term = current_term(world.trust_a)
    prio = school_priority(world.school_a1)
    rate(prio, term, "red")
    planned = meeting(body, status="planned")
    return world, governor, body, term, prio, planned


def _priorities(data):
    item = next(i for i in data["items"] if i["kind"] == "plan_rag")
    return item["rows"][0]["priorities"]


def test_holding_freezes_the_papers_audited_with_the_pdf(held_setup):
    world, governor, body, term, prio, planned = held_setup
    services.meeting_update(actor=governor, meeting=planned, status="held")
    frozen = MeetingPapers.objects.get(meeting=planned)
    assert _priorities(frozen.data)["red"] == 1
    assert not frozen.no_papers and frozen.frozen_by == governor
    with frozen.pdf.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    event = AuditEvent.objects.get(object_type="governance.meetingpapers", object_id=str(frozen.pk))
    assert event.action == "freeze_papers" and event.actor == governor
    # Immutable: no second freeze when held again, and the row refuses to be saved again.
    services.meeting_update(actor=governor, meeting=planned, status="planned")
    services.meeting_update(actor=governor, meeting=planned, status="held")
    assert MeetingPapers.objects.filter(meeting=planned).count() == 1
    with pytest.raises(ValidationError):
        frozen.save()
    # Set back to planned, it still cannot be deleted: its frozen papers are the record.
    services.meeting_update(actor=governor, meeting=planned, status="planned")
    with pytest.raises(ValidationError, match="frozen papers"):
        services.meeting_delete(actor=world.user("trust_administrator"), meeting=planned)


def test_papers_held_by_the_clerk_keep_the_committees_evidence(held_setup):
    """The clerk to governors holds none of the read permissions the papers need (plans, KPIs,
    risks); the papers are frozen as the committee sees them, whoever marks the meeting held."""
    world, governor, body, term, prio, planned = held_setup
    clerk = world.user("clerk_to_governors")
    services.meeting_update(actor=clerk, meeting=planned, status="held")
    frozen = MeetingPapers.objects.get(meeting=planned)
    assert frozen.frozen_by == clerk
    assert _priorities(frozen.data)["red"] == 1
    notes = " ".join(i["note"] or "" for i in frozen.data["items"])
    assert "You may not see" not in notes


def test_a_later_rating_changes_a_new_meetings_papers_not_a_held_ones(held_setup, client, login):
    world, governor, body, term, prio, planned = held_setup
    services.meeting_update(actor=governor, meeting=planned, status="held")
    rate(prio, term, "green")
    new = meeting(body, status="planned")
    login(governor)
    old_page = client.get(reverse("governance:meeting-papers", args=[planned.pk])).content.decode()
    new_page = client.get(reverse("governance:meeting-papers", args=[new.pk])).content.decode()
    # Priorities R/A/G/B: the held meeting saw 1 red; the new one sees 1 green.
    assert "<td>1/0/0/0</td>" in old_page and "<td>0/0/1/0</td>" not in old_page
    assert "<td>0/0/1/0</td>" in new_page
    assert "Frozen on" in old_page
    detail = client.get(reverse("governance:meeting-detail", args=[planned.pk])).content.decode()
    assert "<td>1/0/0/0</td>" in detail and "frozen" in detail
    pdf = client.get(reverse("governance:meeting-papers-pdf", args=[planned.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == MeetingPapers.objects.get(meeting=planned).pdf.open("rb").read()


def test_attendance_that_marks_a_meeting_held_freezes_its_papers(held_setup):
    world, governor, body, term, prio, planned = held_setup
    planned.held_on = timezone.localdate() - datetime.timedelta(days=1)
    planned.save()
    services.attendance_record(actor=governor, meeting=planned, statuses={governor: "present"})
    assert MeetingPapers.objects.filter(meeting=planned).exists()


def test_a_meeting_with_no_papers_is_held_and_says_so(held_setup, client, login):
    world, governor, body, *_ = held_setup
    bare = meeting(body, status="planned", items=False)
    login(governor)
    response = client.post(
        reverse("governance:meeting-edit", args=[bare.pk]),
        {
            "title": bare.title,
            "held_on": bare.held_on.isoformat(),
            "location": "",
            "status": "held",
        },
        follow=True,
    )
    frozen = MeetingPapers.objects.get(meeting=bare)
    assert frozen.no_papers and not frozen.pdf
    page = client.get(reverse("governance:meeting-papers", args=[bare.pk])).content.decode()
    assert "No papers were attached to this meeting." in page
    assert "No papers were attached" in response.content.decode()


def test_a_future_meeting_cannot_be_marked_held(held_setup):
    world, governor, body, *_ = held_setup
    future = Meeting.objects.create(
        body=body,
        held_on=timezone.localdate() + datetime.timedelta(days=3),
        title="Summer",
        status="planned",
    )
    with pytest.raises(ValidationError, match="can be marked held on or after that day"):
        services.meeting_update(actor=governor, meeting=future, status="held")
    assert not MeetingPapers.objects.exists()


def test_system_held_meetings_are_not_frozen_and_the_page_says_so(held_setup, client, login):
    world, governor, body, *_ = held_setup
    held = meeting(body, status="planned")
    services.meeting_update(actor=None, meeting=held, status="held")
    assert services_lgc.papers_freeze(actor=None, meeting=held) is None
    login(governor)
    page = client.get(reverse("governance:meeting-papers", args=[held.pk])).content.decode()
    assert "were not frozen" in page


def test_papers_pages_make_a_bounded_number_of_queries(
    held_setup, client, login, django_assert_max_num_queries
):
    world, governor, body, term, prio, planned = held_setup
    services.meeting_update(actor=governor, meeting=planned, status="held")
    login(governor)
    for name in ("governance:meeting-papers", "governance:meeting-detail"):
        url = reverse(name, args=[planned.pk])
        client.get(url)
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200
