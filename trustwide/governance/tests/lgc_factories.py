"""Test data for the committees' reports to the board and frozen papers."""

from __future__ import annotations

import datetime

from django.utils import timezone

from trustwide.governance.models import BodyMember, LgcReport, Meeting
from trustwide.planning.models import (
    Priority,
    RagRating,
    SchoolPlan,
    StrategicPlan,
    TrustPriority,
)

from .factories import board, lgc


def current_term(trust):
    today = timezone.localdate()
    year = trust.academic_years.get(is_current=True)
    return year.terms.filter(starts_on__lte=today).order_by("-starts_on").first()


def school_priority(school, number=1, title="Reading for pleasure"):
    year = school.trust.academic_years.get(is_current=True)
    plan, _ = SchoolPlan.objects.get_or_create(school=school, academic_year=year, kind="sip")
    return Priority.objects.get_or_create(plan=plan, number=number, defaults={"title": title})[0]


def trust_priority(trust, code="MSP3"):
    plan, _ = StrategicPlan.objects.get_or_create(
        trust=trust, defaults={"title": "Strategic plan", "first_year": 2024}
    )
    return TrustPriority.objects.get_or_create(
        strategic_plan=plan,
        number=3,
        defaults={"code": code, "title": "Trust-wide assessment calendar", "theme": "Leaders"},
    )[0]


def rate(priority, term, rating):
    RagRating.objects.update_or_create(
        term=term,
        priority=priority,
        kind="priority",
        defaults={"plan": priority.plan, "rating": rating},
    )


def chair_of(body, user):
    BodyMember.objects.update_or_create(
        body=body,
        user=user,
        defaults={
            "role": "chair",
            "starts_on": timezone.localdate() - datetime.timedelta(days=400),
        },
    )


def world_report(world, target) -> LgcReport:
    """A draft report of the target school's committee for the current term."""
    from .factories import world_body

    body = world_body(world, target)
    term = current_term(target.trust)
    return LgcReport.objects.get_or_create(body=body, term=term)[0]


def world_submitted_report(world, target) -> LgcReport:
    report = world_report(world, target)
    if report.status != "submitted":
        report.status = "submitted"
        report.submitted_at = timezone.now()
        report.content = {
            "term": str(report.term),
            "plans": [],
            "risks": {"threshold": 12, "rows": []},
            "kpis": [],
        }
        report.save()
    return report


def planned_board_meeting(trust, days=14) -> Meeting:
    body = board(trust)
    return Meeting.objects.create(
        body=body,
        held_on=timezone.localdate() + datetime.timedelta(days=days),
        title="Board meeting",
        status="planned",
    )


__all__ = ["lgc", "board"]
