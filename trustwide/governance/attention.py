"""Home-page items in one query: the user's annual-cycle tasks, governance actions they own
and risk reviews of risks they own, each due in the next 14 days or overdue.

(The risk reviews are gathered here rather than in risks/attention.py so the home page
pays one query for all three.)"""

from __future__ import annotations

import datetime

from django.db.models import CharField, F, IntegerField, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from trustwide.accounts.attention import Attention

from .models import GovActionStatus, MeetingAction
from .selectors import tasks_for

HORIZON_DAYS = 14
LIMIT = 10


def _rows(user, today):
    from trustwide.risks.selectors import ACTIVE, visible_risks

    until = today + datetime.timedelta(days=HORIZON_DAYS)
    text = CharField()
    tasks = (
        tasks_for(user)
        .filter(completed_on__isnull=True, due_on__lte=until)
        .annotate(
            k=Value("task", output_field=text),
            label=F("title"),
            on=F("due_on"),
            where=Coalesce("school__name", Value("Trust"), output_field=text),
            target=Value(0, output_field=IntegerField()),
        )
        .values_list("k", "label", "on", "where", "target")
        .order_by()
    )
    actions = (
        MeetingAction.objects.filter(owner=user, status=GovActionStatus.OPEN, due_on__lte=until)
        .annotate(
            k=Value("action", output_field=text),
            label=F("description"),
            on=F("due_on"),
            where=F("meeting__body__name"),
            target=F("meeting_id"),
        )
        .values_list("k", "label", "on", "where", "target")
        .order_by()
    )
    risks = (
        visible_risks(user)
        .filter(owner=user, status__in=ACTIVE, review_on__lte=until)
        .annotate(
            k=Value("risk", output_field=text),
            label=F("title"),
            on=F("review_on"),
            where=Coalesce("school__name", "trust__name", output_field=text),
            target=F("pk"),
        )
        .values_list("k", "label", "on", "where", "target")
        .order_by()
    )
    return list(tasks.union(actions, risks, all=True).order_by("on")[: 3 * LIMIT])


def items(user) -> list[Attention]:
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    found: list[Attention] = []
    seen: dict[str, int] = {}
    for kind, label, on, where, target in _rows(user, today):
        if seen.get(kind, 0) >= LIMIT:
            continue
        seen[kind] = seen.get(kind, 0) + 1
        late = on < today
        severity = "overdue" if late else "due"
        when = f"{'was due' if late else 'due'} {on:%d/%m/%Y}"
        if kind == "task":
            found.append(
                Attention(
                    title=f"{'Overdue' if late else 'Due'}: {label}",
                    detail=f"{where}, {when}",
                    url=reverse("governance:my-tasks"),
                    severity=severity,
                )
            )
        elif kind == "action":
            found.append(
                Attention(
                    title=f"Governance action {'overdue' if late else 'due'}: {label[:80]}",
                    detail=f"{where}, {when}",
                    url=reverse("governance:meeting-detail", args=[target]),
                    severity=severity,
                )
            )
        else:
            found.append(
                Attention(
                    title=f"Risk review {'overdue' if late else 'due'}: {label[:80]}",
                    detail=f"{where}, review {when}",
                    url=reverse("risks:risk-detail", args=[target]),
                    severity=severity,
                )
            )
    return found
