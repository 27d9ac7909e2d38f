"""Planning items for the home page: overdue actions the user owns, plans awaiting the
governors' agreement (for governors), monitoring the user leads that is due or overdue, and
the user's appraisal objectives that cite a plan."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from trustwide.access import Perm, restrict
from trustwide.accounts.attention import Attention

from .models import (
    OPEN_ACTION_STATUSES,
    Action,
    GuidePublication,
    MonitoringActivity,
    PlanReturn,
    PlanStatus,
    SchoolPlan,
    StaffObjective,
)

LIMIT = 10


def _plan_url(plan_id: int, anchor: str = "") -> str:
    return reverse("planning:plan-detail", args=[plan_id]) + anchor


def items(user) -> list[Attention]:
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    found: list[Attention] = []
    overdue = (
        restrict(Action.objects.all(), user, Perm.PLAN_VIEW)
        .filter(owner=user, due_on__lt=today, status__in=OPEN_ACTION_STATUSES)
        .select_related("priority__plan__school")
        .order_by("due_on")[:LIMIT]
    )
    for a in overdue:
        found.append(
            Attention(
                title=f"Your action is overdue: {a.what[:80]}",
                detail=f"{a.priority.plan.school.name}, due {a.due_on:%d/%m/%Y}",
                url=_plan_url(a.priority.plan_id, f"#priority-{a.priority_id}"),
                severity="overdue",
            )
        )
    awaiting = restrict(
        SchoolPlan.objects.filter(status=PlanStatus.SUBMITTED), user, Perm.PLAN_AGREE
    ).select_related("school", "academic_year")[:LIMIT]
    for plan in awaiting:
        found.append(
            Attention(
                title=f"{plan.get_kind_short()} {plan.academic_year.label} awaits governors' agreement",
                detail=plan.school.name,
                url=_plan_url(plan.pk),
                severity="due",
            )
        )
    found += _returned_and_awaiting_sign_off(user)
    found += _published_guides(user, today)
    soon = today + datetime.timedelta(days=14)
    activities = (
        restrict(MonitoringActivity.objects.all(), user, Perm.MONITORING_RECORD)
        .filter(
            lead=user, cancelled=False, records__isnull=True, plan__academic_year__is_current=True
        )
        .select_related("term", "plan__school")
        .order_by("planned_on")
    )
    for a in activities:
        if a.due_by > soon:
            continue
        overdue_now = a.due_by < today
        found.append(
            Attention(
                title=f"{a.get_kind_display()} {'overdue' if overdue_now else 'due'}: {a.focus[:70]}",
                detail=f"{a.plan.school.name}, {'was due' if overdue_now else 'due'} {a.due_by:%d/%m/%Y}",
                url=reverse("planning:record-create", args=[a.pk]),
                severity="overdue" if overdue_now else "due",
            )
        )
        if len(found) > 3 * LIMIT:
            break
    objectives = StaffObjective.objects.filter(
        user=user, academic_year__is_current=True
    ).select_related("priority", "criterion")[:LIMIT]
    for o in objectives:
        cited = f"criterion: {o.criterion}" if o.criterion_id else f"priority {o.priority}"
        found.append(
            Attention(
                title=f"Your appraisal objective: {o.text[:80]}",
                detail=f"Cites {cited}"[:150],
                url=_plan_url(o.priority.plan_id, "#objectives") if o.priority_id else "",
                severity="info",
            )
        )
    return found


def _returned_and_awaiting_sign_off(user) -> list[Attention]:
    """For school leaders: plans sent back to draft, with the latest reason. For the CEO and
    trust leaders: plans governors agreed that await the trust's sign-off."""
    found = []
    returned = (
        restrict(
            SchoolPlan.objects.filter(status=PlanStatus.DRAFT, returns__isnull=False),
            user,
            Perm.PLAN_SUBMIT,
        )
        .distinct()
        .select_related("school", "academic_year")[:LIMIT]
    )
    latest = {}
    for r in PlanReturn.objects.filter(plan__in=[p.pk for p in returned]).order_by(
        "returned_at", "pk"
    ):
        latest[r.plan_id] = r
    for plan in returned:
        last = latest[plan.pk]
        found.append(
            Attention(
                title=f"{plan.get_kind_short()} {plan.academic_year.label} {last.get_stage_display().lower()}: "
                f"{last.reason[:120]}",
                detail=f"{plan.school.name}, {last.returned_at:%d/%m/%Y}, {last.who}"[:150],
                url=_plan_url(plan.pk, "#returned"),
                severity="due",
            )
        )
    awaiting = restrict(
        SchoolPlan.objects.filter(status=PlanStatus.AGREED), user, Perm.PLAN_SIGN_OFF
    ).select_related("school", "academic_year")[:LIMIT]
    for plan in awaiting:
        found.append(
            Attention(
                title=f"{plan.get_kind_short()} {plan.academic_year.label} awaits the trust's sign-off",
                detail=plan.school.name,
                url=_plan_url(plan.pk),
                severity="due",
            )
        )
    return found


def _published_guides(user, today) -> list[Attention]:
    """This year's published pocket guides: the trust's, and those of the user's schools."""
    from trustwide.access import scope

    school_ids = scope.school_ids(user, Perm.PLAN_VIEW)
    trust_ids = scope.trust_ids(user, Perm.STRATEGIC_PLAN_VIEW)
    current = GuidePublication.objects.filter(
        academic_year__is_current=True,
        trust_id__in=trust_ids,
    ).select_related("school", "academic_year", "trust")
    found = []
    for p in current:
        if p.school_id and p.school_id not in school_ids:
            continue
        if p.school_id:
            url = reverse("planning:school-pocket-guide", args=[p.school_id])
        else:
            url = reverse("planning:pocket-guide", args=[p.trust.slug])
        found.append(
            Attention(
                title=f"Pocket guide published: {p}",
                detail=f"Published {p.published_at:%d/%m/%Y}",
                url=f"{url}?year={p.academic_year.start_year}",
                severity="info",
            )
        )
        if len(found) >= LIMIT:
            break
    return found
