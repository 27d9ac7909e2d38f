"""Test data for governance, built directly (tests may skip the services)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from trustwide.governance.models import (
    STANDARD_ITEMS,
    AgendaItem,
    BodyMember,
    CalendarToken,
    CycleItem,
    CycleTask,
    GoverningBody,
    GovernorVisit,
    Meeting,
    MeetingAction,
    MinuteEntry,
    TrainingRecord,
)


def lgc(school, *members) -> GoverningBody:
    body, created = GoverningBody.objects.get_or_create(
        trust=school.trust, school=school, kind="lgc", defaults={"name": f"{school.name} LGC"}
    )
    today = timezone.localdate()
    for user in members:
        BodyMember.objects.get_or_create(
            body=body,
            user=user,
            defaults={"starts_on": today - datetime.timedelta(days=400), "role": "member"},
        )
    return body


def board(trust, *members) -> GoverningBody:
    body, _ = GoverningBody.objects.get_or_create(
        trust=trust, school=None, kind="board", defaults={"name": f"{trust.name} board"}
    )
    for user in members:
        BodyMember.objects.get_or_create(
            body=body,
            user=user,
            defaults={"starts_on": timezone.localdate() - datetime.timedelta(days=400)},
        )
    return body


def meeting(body, *, held_on=None, status="held", items=True) -> Meeting:
    m = Meeting.objects.create(
        body=body, held_on=held_on or timezone.localdate(), title="Autumn meeting", status=status
    )
    if items:
        for n, kind in enumerate(STANDARD_ITEMS, start=1):
            AgendaItem.objects.create(
                meeting=m, number=n, kind=kind, title=kind.label, school=body.school
            )
    return m


def world_body(world, target) -> GoverningBody:
    """The in-scope LGC has the world's local governor; the board its trustee."""
    members = [world.users["local_governor"]] if target.in_scope else []
    body = lgc(target.school, *members)
    board(target.trust, *([world.users["trustee"]] if target.in_scope else []))
    return body


def world_meeting(world, target) -> Meeting:
    body = world_body(world, target)
    return body.meetings.first() or meeting(body)


def world_action(world, target) -> MeetingAction:
    m = world_meeting(world, target)
    return m.actions.first() or MeetingAction.objects.create(
        meeting=m, description="Chase the SEND report"
    )


def world_task(world, target) -> CycleTask:
    trust = target.trust
    item = CycleItem.objects.filter(trust=trust).first() or CycleItem.objects.create(
        trust=trust, title="Agree the school plan", role="local_governor", month=9, day=30
    )
    year = trust.academic_years.get(is_current=True)
    task, _ = CycleTask.objects.get_or_create(
        item=item,
        trust=trust,
        academic_year=year,
        school=target.school,
        role=item.role,
        title=item.title,
        due_on=year.starts_on,
    )
    return task


def world_member(world, target) -> BodyMember:
    """A member of the target's LGC (out of scope: trust B's leader, so there is one)."""
    body = world_body(world, target)
    user = world.users["local_governor"] if target.in_scope else world.extra["trust_b_leader"]
    member, _ = BodyMember.objects.get_or_create(
        body=body,
        user=user,
        defaults={"starts_on": timezone.localdate() - datetime.timedelta(days=400)},
    )
    return member


def world_agenda_item(world, target) -> AgendaItem:
    return world_meeting(world, target).agenda_items.order_by("number").first()


def world_minute(world, target) -> MinuteEntry:
    m = world_meeting(world, target)
    return m.minutes.first() or MinuteEntry.objects.create(
        meeting=m, kind="question", text="Why has reading dipped?"
    )


def world_cycle_item(world, target) -> CycleItem:
    return world_task(world, target).item


def world_visit(world, target) -> GovernorVisit:
    return GovernorVisit.objects.filter(
        school=target.school
    ).first() or GovernorVisit.objects.create(
        school=target.school,
        governor=world.users["local_governor"],
        visited_on=timezone.localdate(),
        focus="Reading",
        findings="Phonics is consistent.",
    )


def world_training(world, target) -> TrainingRecord:
    """The local governor's own record in scope; trust B's leader's outside it."""
    user = world.users["local_governor"] if target.in_scope else world.extra["trust_b_leader"]
    return TrainingRecord.objects.filter(
        trust=target.trust, user=user
    ).first() or TrainingRecord.objects.create(
        trust=target.trust,
        user=user,
        title="Safeguarding for governors",
        completed_on=timezone.localdate(),
    )


def token_for(user) -> CalendarToken:
    return CalendarToken.objects.get_or_create(user=user)[0]
