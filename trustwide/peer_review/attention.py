"""Peer review items for the home page: reviews the user is to carry out soon, reports awaiting
the headteacher's agreement, review actions they own that are overdue and not yet in a plan,
and the non-negotiables of their school's support category."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from trustwide.access import Perm, restrict
from trustwide.accounts.attention import Attention

from .models import Review, ReviewAction, ReviewStatus, SupportAssessment

LIMIT = 10


def items(user) -> list[Attention]:
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    found: list[Attention] = []
    soon = today + datetime.timedelta(days=21)
    mine = (
        Review.objects.filter(
            reviewers__user=user,
            status=ReviewStatus.PLANNED,
            visit_on__lte=soon,
            access_until__gte=today,
        )
        .select_related("school")
        .order_by("visit_on")
        .distinct()[:LIMIT]
    )
    for r in mine:
        past = r.visit_on < today
        found.append(
            Attention(
                title=f"{'Write up' if past else 'Prepare for'} your review of {r.school.name}",
                detail=f"Visit {r.visit_on:%d/%m/%Y}; your access ends {r.access_until:%d/%m/%Y}",
                url=reverse("peer_review:review-detail", args=[r.pk]),
                severity="due",
            )
        )
    to_agree = restrict(
        Review.objects.filter(status=ReviewStatus.DRAFTED), user, Perm.PLAN_SUBMIT
    ).select_related("school")[:LIMIT]
    for r in to_agree:
        found.append(
            Attention(
                title=f"Review report to agree: {r.school.name}",
                detail=f"Visit {r.visit_on:%d/%m/%Y}",
                url=reverse("peer_review:review-detail", args=[r.pk]),
                severity="due",
            )
        )
    overdue = restrict(
        ReviewAction.objects.filter(owner=user, plan_action__isnull=True, due_on__lt=today),
        user,
        Perm.PEER_REVIEW_VIEW,
    ).select_related("review__school")[:LIMIT]
    for a in overdue:
        found.append(
            Attention(
                title=f"Your review action is overdue: {a.what[:80]}",
                detail=f"{a.review.school.name}, due {a.due_on:%d/%m/%Y}",
                url=reverse("peer_review:review-detail", args=[a.review_id]),
                severity="overdue",
            )
        )
    # Non-negotiables "appear in the plan": school leaders who edit plans see their school's here.
    latest = {}
    for a in (
        restrict(SupportAssessment.objects.all(), user, Perm.PLAN_EDIT)
        .select_related("school")
        .order_by("school_id", "-assessed_on", "-pk")[:200]
    ):
        latest.setdefault(a.school_id, a)
    if latest:
        from .models import NonNegotiable

        counts = {}
        for trust_id, category in NonNegotiable.objects.filter(
            trust_id__in={a.school.trust_id for a in latest.values()}
        ).values_list("trust_id", "category"):
            counts[(trust_id, category)] = counts.get((trust_id, category), 0) + 1
        for a in list(latest.values())[:LIMIT]:
            n = counts.get((a.school.trust_id, a.category), 0)
            if n:
                found.append(
                    Attention(
                        title=f"{a.school.name} is {a.get_category_display().lower()}: {n} non-negotiable(s) for its plan",
                        detail="Required strategies and monitoring set by the trust",
                        url=reverse("peer_review:school", args=[a.school_id]),
                        severity="info",
                    )
                )
    return found
