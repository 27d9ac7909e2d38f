"""Editing and deleting governance records: each service writes its audit rows, bad input
saves nothing, and the refusals (a body with meetings, a meeting with minutes) say why."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from trustwide.audit.models import AuditEvent
from trustwide.governance import services
from trustwide.governance.models import (
    AgendaItem,
    Attendance,
    BodyMember,
    CycleItem,
    CycleTask,
    GoverningBody,
    GovernorVisit,
    Meeting,
    MeetingAction,
    MinuteEntry,
    TrainingRecord,
)

from .factories import lgc, meeting

pytestmark = pytest.mark.django_db


def events_for(instance, action=None, pk=None):
    """pk: for an instance deleted in the test (Django clears its pk)."""
    events = AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(pk or instance.pk)
    )
    return list(events.filter(action=action) if action else events)


def _today():
    return timezone.localdate()


# Bodies -------------------------------------------------------------------------------------------


def test_body_rename_is_audited_and_kind_locked_once_it_has_meetings(world):
    admin = world.user("trust_administrator")
    body = lgc(world.school_a1)
    services.body_update(actor=admin, body=body, name="A1 local governing committee")
    [event] = events_for(body, "update")
    assert (
        event.before["name"] == "A1 Primary LGC"
        and event.after["name"] == "A1 local governing committee"
    )
    # Still empty: it may move to another school.
    services.body_update(actor=admin, body=body, school=world.school_a2)
    assert GoverningBody.objects.get(pk=body.pk).school == world.school_a2
    meeting(body)
    with pytest.raises(ValidationError) as exc:
        services.body_update(
            actor=admin, body=GoverningBody.objects.get(pk=body.pk), school=world.school_a1
        )
    assert "meetings or members" in str(exc.value)
    assert GoverningBody.objects.get(pk=body.pk).school == world.school_a2
    assert len(events_for(body, "update")) == 2


def test_body_edit_bad_input_saves_nothing(world, client):
    body = lgc(world.school_a1)
    client.force_login(world.user("trust_leader"))
    response = client.post(
        reverse("governance:body-edit", args=[body.pk]),
        {"kind": "board", "name": "Renamed", "school": world.school_a1.pk},
    )
    assert (
        response.status_code == 400
        and "Only a local governing committee belongs to a school" in response.content.decode()
    )
    assert GoverningBody.objects.get(pk=body.pk).name == "A1 Primary LGC"
    assert not events_for(body)
    with pytest.raises(PermissionDenied):
        services.body_update(actor=world.user("local_governor"), body=body, name="Mine")


def test_body_with_meetings_cannot_be_deleted(world, client):
    body = lgc(world.school_a1, world.user("local_governor"))
    meeting(body)
    client.force_login(world.user("trust_administrator"))
    page = client.get(reverse("governance:body-delete", args=[body.pk])).content.decode()
    assert (
        "cannot be deleted" in page
        and "1 meeting on record" in page
        and ">Delete</button>" not in page
    )
    response = client.post(reverse("governance:body-delete", args=[body.pk]))
    assert response.status_code == 400 and "1 meeting on record" in response.content.decode()
    assert GoverningBody.objects.filter(pk=body.pk).exists() and body.members.count() == 1
    assert not AuditEvent.objects.filter(action="delete").exists()


def test_body_delete_takes_its_members_and_is_audited(world, client):
    body = lgc(world.school_a1, world.user("local_governor"))
    member = body.members.get()
    client.force_login(world.user("trust_administrator"))
    response = client.post(reverse("governance:body-delete", args=[body.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "governance:trust", args=["trust-a"]
    )
    assert not GoverningBody.objects.filter(pk=body.pk).exists()
    assert len(events_for(body, "delete")) == 1 and len(events_for(member, "delete")) == 1


# Members ------------------------------------------------------------------------------------------


def test_member_term_ended_and_bad_dates_refused(world, client):
    gov = world.user("local_governor")
    body = lgc(world.school_a1, gov)
    member = body.members.get()
    client.force_login(world.user("trust_administrator"))
    url = reverse("governance:member-edit", args=[member.pk])
    assert client.get(url).status_code == 200
    bad = {
        "role": "chair",
        "starts_on": _today().isoformat(),
        "ends_on": (_today() - datetime.timedelta(days=1)).isoformat(),
    }
    response = client.post(url, bad)
    assert response.status_code == 400 and "ends before it starts" in response.content.decode()
    assert BodyMember.objects.get(pk=member.pk).role == "member" and not events_for(member)
    good = {
        "role": "chair",
        "link_roles": ["send", "safeguarding"],
        "starts_on": member.starts_on.isoformat(),
        "ends_on": _today().isoformat(),
    }
    assert client.post(url, good).status_code == 302
    member.refresh_from_db()
    assert (member.role, member.link_roles, member.ends_on) == (
        "chair",
        ["send", "safeguarding"],
        _today(),
    )
    [event] = events_for(member, "update")
    assert event.before["role"] == "member" and event.after["ends_on"] == _today().isoformat()


def test_member_removed_for_an_entry_made_in_error(world):
    body = lgc(world.school_a1, world.user("local_governor"))
    member = body.members.get()
    pk = member.pk
    with pytest.raises(PermissionDenied):
        services.member_remove(actor=world.user("headteacher"), member=member)
    services.member_remove(actor=world.user("trust_leader"), member=member)
    assert not body.members.exists()
    [event] = events_for(member, "delete", pk)
    assert event.before["user_id"] == world.user("local_governor").pk


# Meetings -----------------------------------------------------------------------------------------


def test_meeting_edit_status_and_bad_date(world, client):
    body = lgc(world.school_a1, world.user("local_governor"))
    m = meeting(body, status="planned", items=False)
    client.force_login(world.user("local_governor"))
    url = reverse("governance:meeting-edit", args=[m.pk])
    response = client.post(url, {"title": "Spring", "held_on": "not a date", "status": "held"})
    assert response.status_code == 400 and Meeting.objects.get(pk=m.pk).status == "planned"
    assert (
        client.post(
            url,
            {
                "title": "Spring",
                "held_on": m.held_on.isoformat(),
                "status": "cancelled",
                "location": "Library",
            },
        ).status_code
        == 302
    )
    m.refresh_from_db()
    assert (m.title, m.status, m.location) == ("Spring", "cancelled", "Library")
    assert events_for(m, "update")[0].after["status"] == "cancelled"


def test_meeting_delete_refused_when_minutes_exist(world, client):
    gov = world.user("local_governor")
    body = lgc(world.school_a1, gov)
    m = meeting(body, status="planned")
    MinuteEntry.objects.create(meeting=m, kind="question", text="Why?")
    admin = world.user("trust_administrator")
    with pytest.raises(ValidationError) as exc:
        services.meeting_delete(actor=admin, meeting=m)
    assert "minutes recorded" in str(exc.value)
    client.force_login(admin)
    page = client.get(reverse("governance:meeting-delete", args=[m.pk])).content.decode()
    assert "minutes recorded" in page and ">Delete</button>" not in page
    assert client.post(reverse("governance:meeting-delete", args=[m.pk])).status_code == 400
    assert Meeting.objects.filter(pk=m.pk).exists() and m.agenda_items.count() == 5
    held = meeting(body, status="held", items=False)
    with pytest.raises(ValidationError) as exc:
        services.meeting_delete(actor=admin, meeting=held)
    assert "held" in str(exc.value)
    attended = meeting(body, status="planned", items=False)
    Attendance.objects.create(meeting=attended, user=gov, status="present")
    assert "attendance recorded" in services.meeting_delete_blocker(attended)
    assert not AuditEvent.objects.filter(action="delete").exists()


def test_planned_meeting_deleted_with_its_agenda(world):
    body = lgc(world.school_a1)
    m = meeting(body, status="planned")
    pk, item_pks = m.pk, list(m.agenda_items.values_list("pk", flat=True))
    with pytest.raises(PermissionDenied):  # recording governors may not delete meetings
        services.meeting_delete(actor=world.user("local_governor"), meeting=m)
    services.meeting_delete(actor=world.user("trust_leader"), meeting=m)
    assert not Meeting.objects.filter(pk=pk).exists() and not AgendaItem.objects.exists()
    assert len(events_for(m, "delete", pk)) == 1
    assert all(len(events_for(AgendaItem(), "delete", i)) == 1 for i in item_pks)


# Agenda items -------------------------------------------------------------------------------------


def test_agenda_renumbered_after_delete_and_minutes_kept(world, client):
    body = lgc(world.school_a1, world.user("local_governor"))
    m = meeting(body)
    second = m.agenda_items.get(number=2)
    minute = MinuteEntry.objects.create(meeting=m, agenda_item=second, kind="question", text="RAG?")
    client.force_login(world.user("local_governor"))
    assert client.get(reverse("governance:agenda-item-delete", args=[second.pk])).status_code == 200
    assert (
        client.post(reverse("governance:agenda-item-delete", args=[second.pk])).status_code == 302
    )
    assert [(i.number, i.kind) for i in m.agenda_items.order_by("number")] == [
        (1, "heads_report"),
        (2, "kpis"),
        (3, "risks"),
        (4, "policies_due"),
    ]
    minute.refresh_from_db()
    assert minute.agenda_item is None
    assert len(events_for(second, "delete")) == 1 and len(events_for(minute, "update")) == 1
    moved = m.agenda_items.get(kind="kpis")
    assert events_for(moved, "update")[0].after["number"] == 2


def test_agenda_item_moved_to_a_position(world):
    body = lgc(world.school_a1)
    m = meeting(body)
    last = m.agenda_items.get(number=5)
    services.agenda_item_update(
        actor=world.user("trust_leader"), item=last, position=1, title="Policies first"
    )
    assert [(i.number, i.kind) for i in m.agenda_items.order_by("number")] == [
        (1, "policies_due"),
        (2, "heads_report"),
        (3, "plan_rag"),
        (4, "kpis"),
        (5, "risks"),
    ]
    assert AgendaItem.objects.get(pk=last.pk).title == "Policies first"


def test_agenda_item_edit_still_refuses_another_schools_data(world, client):
    body = lgc(world.school_a1, world.user("local_governor"))
    m = meeting(body)
    item = m.agenda_items.get(kind="kpis")
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_update(
            actor=world.user("trust_leader"), item=item, school=world.school_a2
        )
    assert "its own school's data" in str(exc.value)
    client.force_login(world.user("local_governor"))
    response = client.post(
        reverse("governance:agenda-item-edit", args=[item.pk]),
        {"kind": "kpis", "title": "KPIs", "school": world.school_a2.pk, "position": 1},
    )
    assert response.status_code == 400 and "its own school" in response.content.decode()
    item.refresh_from_db()
    assert (item.school_id, item.number) == (world.school_a1.pk, 3)
    assert not events_for(item)
    # The position must be on the agenda.
    response = client.post(
        reverse("governance:agenda-item-edit", args=[item.pk]),
        {"kind": "kpis", "title": "KPIs", "school": world.school_a1.pk, "position": 9},
    )
    assert response.status_code == 400 and AgendaItem.objects.get(pk=item.pk).number == 3


# Minutes and actions ----------------------------------------------------------------------------------


def test_minute_edit_and_delete_are_audited(world, client):
    gov = world.user("local_governor")
    body = lgc(world.school_a1, gov)
    m = meeting(body)
    minute = services.minute_add(actor=gov, meeting=m, kind="question", text="Why?")
    other = meeting(body, items=True).agenda_items.first()
    with pytest.raises(ValidationError):  # an item of another meeting's agenda
        services.minute_update(actor=gov, minute=minute, agenda_item=other)
    client.force_login(gov)
    url = reverse("governance:minute-edit", args=[minute.pk])
    assert client.get(url).status_code == 200
    assert (
        client.post(
            url, {"kind": "challenge", "text": "Why has reading dipped?", "response": "Staffing"}
        ).status_code
        == 302
    )
    minute.refresh_from_db()
    assert (minute.kind, minute.response) == ("challenge", "Staffing")
    assert events_for(minute, "update")[0].before["kind"] == "question"
    assert client.post(reverse("governance:minute-delete", args=[minute.pk])).status_code == 302
    assert (
        not MinuteEntry.objects.filter(pk=minute.pk).exists()
        and len(events_for(minute, "delete")) == 1
    )


def test_action_edit_and_reopen(world, client):
    gov, head = world.user("local_governor"), world.user("headteacher")
    body = lgc(world.school_a1, gov)
    m = meeting(body)
    action = services.action_add(actor=gov, meeting=m, description="Chase the SEND report")
    client.force_login(gov)
    url = reverse("governance:action-edit", args=[action.pk])
    due = _today() + datetime.timedelta(days=7)
    assert client.post(url, {"description": "", "owner": head.pk}).status_code == 400
    assert MeetingAction.objects.get(pk=action.pk).owner is None
    assert (
        client.post(
            url,
            {
                "description": "Chase the SEND report by half term",
                "owner": head.pk,
                "due_on": due.isoformat(),
            },
        ).status_code
        == 302
    )
    action.refresh_from_db()
    assert (action.owner, action.due_on) == (head, due)
    with pytest.raises(ValidationError):
        services.action_reopen(actor=gov, action=action)
    services.action_complete(actor=head, action=action)
    with pytest.raises(PermissionDenied):
        services.action_reopen(actor=world.user("teacher"), action=action)
    assert client.post(reverse("governance:action-reopen", args=[action.pk])).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_on) == ("open", None)
    [event] = events_for(action, "reopen")
    assert event.before["status"] == "done" and event.after["status"] == "open"


# Visits and training ------------------------------------------------------------------------------


def test_visit_edit_keeps_priority_in_the_school(world, client):
    from trustwide.planning.tests.factories import plan_for

    gov = world.user("local_governor")
    own = plan_for(world.school_a1).priorities.first()
    other = plan_for(world.school_a2).priorities.first()
    visit = services.visit_create(
        actor=gov,
        school=world.school_a1,
        governor=gov,
        visited_on=_today(),
        focus="Reading",
        findings="Strong phonics",
        priority=own,
    )
    with pytest.raises(ValidationError):
        services.visit_update(actor=gov, visit=visit, priority=other)
    assert GovernorVisit.objects.get(pk=visit.pk).priority == own
    client.force_login(gov)
    url = reverse("governance:visit-edit", args=[visit.pk])
    assert (
        client.post(
            url,
            {
                "visited_on": _today().isoformat(),
                "focus": "Reading",
                "findings": "x",
                "priority": other.pk,
            },
        ).status_code
        == 400
    )
    assert (
        client.post(
            url,
            {
                "visited_on": _today().isoformat(),
                "focus": "Early reading",
                "findings": "Phonics is consistent",
                "priority": own.pk,
            },
        ).status_code
        == 302
    )
    assert GovernorVisit.objects.get(pk=visit.pk).focus == "Early reading"
    assert events_for(visit, "update")[0].after["focus"] == "Early reading"


def test_training_deleted_by_its_owner_or_a_manager_only(world, client):
    gov, trustee = world.user("local_governor"), world.user("trustee")
    record = TrainingRecord.objects.create(
        trust=world.trust_a, user=gov, title="Safeguarding", completed_on=_today()
    )
    with pytest.raises(PermissionDenied):
        services.training_delete(actor=trustee, record=record)
    client.force_login(trustee)
    assert client.post(reverse("governance:training-delete", args=[record.pk])).status_code == 403
    client.force_login(gov)
    response = client.post(reverse("governance:training-delete", args=[record.pk]))
    assert response.status_code == 302 and not TrainingRecord.objects.exists()
    assert len(events_for(record, "delete")) == 1


# The annual cycle ---------------------------------------------------------------------------------


def _item_with_tasks(world, **fields):
    leader = world.user("trust_leader")
    defaults = {
        "title": "Plans agreed",
        "role": "headteacher",
        "frequency": "once",
        "month": 9,
        "day": 30,
        "per_school": True,
    }
    item = services.cycle_item_create(actor=leader, trust=world.trust_a, **(defaults | fields))
    year = world.trust_a.academic_years.get(is_current=True)
    services.cycle_generate(actor=leader, trust=world.trust_a, academic_year=year)
    return item


def test_deleting_a_cycle_item_keeps_completed_tasks(world, client):
    item = _item_with_tasks(world)
    done = CycleTask.objects.get(item=item, school=world.school_a1)
    services.task_complete(actor=world.user("headteacher"), task=done)
    client.force_login(world.user("trust_leader"))
    page = client.get(reverse("governance:cycle-item-delete", args=[item.pk])).content.decode()
    assert "Its 1 open task is removed" in page
    response = client.post(reverse("governance:cycle-item-delete", args=[item.pk]))
    assert response.status_code == 302
    assert not CycleItem.objects.filter(pk=item.pk).exists()
    [kept] = CycleTask.objects.all()
    assert kept.pk == done.pk and kept.item is None and kept.completed_on == _today()
    assert kept.title == "Plans agreed"
    [removed] = events_for(item, "remove_tasks")
    assert removed.after == {"open_tasks_removed": 1, "completed_tasks_kept": 1}
    assert len(events_for(item, "delete")) == 1
    # The completed task is still in the head's list of completed tasks.
    client.force_login(world.user("headteacher"))
    assert "Plans agreed" in client.get(reverse("governance:my-tasks") + "?done=1").content.decode()


def test_cycle_item_edit_updates_open_tasks(world, client):
    item = _item_with_tasks(world)
    a1 = CycleTask.objects.get(item=item, school=world.school_a1)
    services.task_complete(actor=world.user("headteacher"), task=a1)
    a2 = CycleTask.objects.get(item=item, school=world.school_a2)
    client.force_login(world.user("trust_leader"))
    url = reverse("governance:cycle-item-edit", args=[item.pk])
    data = {
        "title": "Plans agreed by governors",
        "category": "planning",
        "role": "headteacher",
        "per_school": "on",
        "frequency": "once",
        "month": "",
        "day": 30,
        "days_before_term_end": 10,
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "Choose the month" in response.content.decode()
    assert CycleItem.objects.get(pk=item.pk).title == "Plans agreed"
    assert client.post(url, data | {"month": 9}).status_code == 302
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert (
        a1.title == "Plans agreed" and a2.title == "Plans agreed by governors"
    )  # completed ones stay
    # New dates: the open task moves; the completed occurrence gets no second task.
    services.cycle_item_update(
        actor=world.user("trust_leader"), item=CycleItem.objects.get(pk=item.pk), month=10, day=15
    )
    tasks = {t.school_id: t for t in CycleTask.objects.filter(item=item)}
    assert set(tasks) == {world.school_a1.pk, world.school_a2.pk}
    assert tasks[world.school_a1.pk].pk == a1.pk and tasks[world.school_a1.pk].due_on.month == 9
    assert tasks[world.school_a2.pk].due_on.month == 10
    [event] = [e for e in events_for(item, "update_tasks") if "open_tasks_created" in e.after]
    assert event.after == {"open_tasks_removed": 1, "open_tasks_created": 1}


def test_edit_and_delete_links_only_for_those_allowed(world, client):
    gov = world.user("local_governor")
    body = lgc(world.school_a1, gov)
    m = meeting(body)
    minute = MinuteEntry.objects.create(meeting=m, kind="note", text="Noted")
    body_url, meeting_url = (
        reverse("governance:body-detail", args=[body.pk]),
        reverse("governance:meeting-detail", args=[m.pk]),
    )
    links = {
        "body-edit": reverse("governance:body-edit", args=[body.pk]),
        "member-edit": reverse("governance:member-edit", args=[body.members.get().pk]),
        "meeting-edit": reverse("governance:meeting-edit", args=[m.pk]),
        "meeting-delete": reverse("governance:meeting-delete", args=[m.pk]),
        "minute-edit": reverse("governance:minute-edit", args=[minute.pk]),
    }

    def shown(role):
        client.force_login(world.user(role))
        pages = client.get(body_url).content.decode() + client.get(meeting_url).content.decode()
        return {name for name, url in links.items() if url in pages}

    assert shown("trust_administrator") == set(links)
    assert shown("local_governor") == {"meeting-edit", "minute-edit"}
    assert shown("trustee") == set()
