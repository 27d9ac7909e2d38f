"""Test data for the policy register, built directly (tests may skip the services)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from trustwide.policies.models import Policy


def make_policy(
    trust,
    school=None,
    *,
    title="Behaviour",
    category="behaviour",
    approved_days_ago=100,
    months=12,
    next_review_on=None,
    status="current",
    **extra,
) -> Policy:
    approved_on = (
        None
        if approved_days_ago is None
        else timezone.localdate() - datetime.timedelta(days=approved_days_ago)
    )
    return Policy.objects.create(
        trust=trust,
        school=school,
        title=title,
        category=category,
        approved_on=approved_on,
        review_every_months=months,
        next_review_on=next_review_on,
        status=status,
        approver="Trust board",
        **extra,
    )


def due_in(days: int, **kwargs) -> dict:
    """kwargs for make_policy: a policy whose next review is `days` from today."""
    return {"next_review_on": timezone.localdate() + datetime.timedelta(days=days), **kwargs}


def school_policy(world, target):
    return Policy.objects.filter(school=target.school).first() or make_policy(
        target.trust, target.school
    )
