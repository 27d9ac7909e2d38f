"""Governance listens for cycle steps done in the product (common/steps.py): the matching open
task of the trust's annual cycle completes, audited, as done by whoever did the step."""

from __future__ import annotations

import datetime

from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_update
from trustwide.trusts.models import AcademicYear
from trustwide.trusts.utils import academic_start_year

from . import cycle
from .models import CycleTask, Frequency


def _matching(tasks: list[CycleTask], when: datetime.date, terms) -> list[CycleTask]:
    """The open tasks the step covers: of once-a-year lines, the earliest open task (two lines
    with one event, e.g. the April and May MSP drafts, complete one at a time); of a monthly
    line, the month's task; of a termly line, the term's (out of term: the latest one due)."""
    once = [t for t in tasks if t.item.frequency == Frequency.ONCE]
    chosen = once[:1]
    by_item: dict[int, list[CycleTask]] = {}
    for task in tasks:
        by_item.setdefault(task.item_id, []).append(task)
    for item_tasks in by_item.values():
        item = item_tasks[0].item
        if item.frequency == Frequency.ONCE:
            continue
        now = cycle.occurrence(item, when, terms)
        same = [t for t in item_tasks if cycle.occurrence(item, t.due_on, terms) == now]
        if not same and item.frequency == Frequency.TERMLY:
            due = [t for t in item_tasks if t.due_on <= when]
            same = due[-1:]
        chosen += same
    return chosen


def step_done(*, trust, school, event, when, actor, actor_label=None) -> int:
    year = (
        AcademicYear.objects.filter(trust=trust, start_year=academic_start_year(when))
        .prefetch_related("terms")
        .first()
    )
    if year is None:
        return 0
    tasks = list(
        CycleTask.objects.filter(
            trust=trust,
            academic_year=year,
            school=school,
            item__event=event,
            completed_on__isnull=True,
        )
        .select_related("item")
        .order_by("due_on", "pk")
    )
    if not tasks:
        return 0
    done = _matching(tasks, when, list(year.terms.all()))
    for task in done:
        audited_update(
            actor=actor,
            actor_label=actor_label,
            instance=task,
            action=AuditAction.COMPLETE_STEP,
            completed_on=when,
            completed_by=actor,
        )
    return len(done)
