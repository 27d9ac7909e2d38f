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
    Meeting,
    MeetingAction,
)


def lgc(school, *members) -> GoverningBody:
    body, created = GoverningBody.objects.get_or_create(
        trust=school.trust, school=school, kind="lgc", defaults={"name": f"{school.name} LGC"})
    today = timezone.localdate()
    for user in members:
        BodyMember.objects.get_or_create(body=body, user=user, defaults={
            "starts_on": today - datetime.timedelta(days=400), "role": "member"})
    return body


def board(trust, *members) -> GoverningBody:
    body, _ = GoverningBody.objects.get_or_create(trust=trust, school=None, kind="board",
                                                  defaults={"name": f"{trust.name} board"})
    for user in members:
        BodyMember.objects.get_or_create(body=body, user=user, defaults={
            "starts_on": timezone.localdate() - datetime.timedelta(days=400)})
    return body


def meeting(body, *, held_on=None, status="held", items=True) -> Meeting:
    m = Meeting.objects.create(body=body, held_on=held_on or timezone.localdate(), title="Autumn meeting",
                               status=status)
    if items:
        for n, kind in enumerate(STANDARD_ITEMS, start=1):
            AgendaItem.objects.create(meeting=m, number=n, kind=kind, title=kind.label, school=body.school)
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
    return m.actions.first() or MeetingAction.objects.create(meeting=m, description="Chase the SEND report")


def world_task(world, target) -> CycleTask:
    trust = target.trust
    item = CycleItem.objects.filter(trust=trust).first() or CycleItem.objects.create(
        trust=trust, title="Agree the school plan", role="local_governor", month=9, day=30)
    year = trust.academic_years.get(is_current=True)
    task, _ = CycleTask.objects.get_or_create(item=item, trust=trust, academic_year=year, school=target.school,
                                              role=item.role, title=item.title, due_on=year.starts_on)
    return task


def token_for(user) -> CalendarToken:
    return CalendarToken.objects.get_or_create(user=user)[0]
