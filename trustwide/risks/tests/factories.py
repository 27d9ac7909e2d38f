"""Test data for the risk register, built directly (tests may skip the services)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from trustwide.risks.models import Risk, RiskReview


def make_risk(
    trust,
    school=None,
    *,
    title="Falling rolls",
    likelihood=3,
    impact=3,
    inherent=(4, 4),
    category="financial",
    status="open",
    review_in_days=30,
    previous_score=None,
) -> Risk:
    today = timezone.localdate()
    risk = Risk.objects.create(
        trust=trust,
        school=school,
        title=title,
        category=category,
        inherent_likelihood=inherent[0],
        inherent_impact=inherent[1],
        residual_likelihood=likelihood,
        residual_impact=impact,
        review_on=today + datetime.timedelta(days=review_in_days),
        status=status,
    )
    if previous_score is not None:
        # An earlier review with a score previous_score (as likelihood x 1 ... kept within 1-5).
        li = next(
            x for x in range(5, 0, -1) if previous_score % x == 0 and previous_score // x <= 5
        )
        RiskReview.objects.create(
            risk=risk,
            reviewed_on=today - datetime.timedelta(days=90),
            likelihood=li,
            impact=previous_score // li,
        )
    RiskReview.objects.create(risk=risk, reviewed_on=today, likelihood=likelihood, impact=impact)
    return risk


def school_risk(world, target):
    return Risk.objects.filter(school=target.school).first() or make_risk(
        target.trust, target.school
    )
