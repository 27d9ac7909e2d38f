"""Test data for planning: a plan with one priority, action, criterion, milestone and
monitoring activity, built directly (tests may skip the services)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from trustwide.planning.models import (
    Action,
    Milestone,
    MonitoringActivity,
    PocketGuide,
    PocketGuideItem,
    Priority,
    SchoolPlan,
    StrategicPlan,
    SuccessCriterion,
    TrustPriority,
)


def strategic_plan(trust) -> StrategicPlan:
    plan = StrategicPlan.objects.filter(trust=trust).first()
    if plan:
        return plan
    year = trust.academic_years.get(is_current=True)
    plan = StrategicPlan.objects.create(
        trust=trust, title=f"MSP {trust.name}", first_year=year.start_year
    )
    tp = TrustPriority.objects.create(
        strategic_plan=plan,
        number=1,
        code="MSP1",
        title="Removing disadvantage",
        theme="SMART learners",
    )
    TrustPriority.objects.create(
        strategic_plan=plan,
        number=10,
        code="MSP10",
        title="Robust policy framework",
        theme="Business improvement",
    )
    guide = PocketGuide.objects.create(strategic_plan=plan, academic_year=year)
    PocketGuideItem.objects.create(
        guide=guide, priority=tp, headline="Good progress for ALL", focus_learning=True
    )
    return plan


def plan_for(school, *, owner=None, kind="sip", status="draft") -> SchoolPlan:
    year = school.trust.academic_years.get(is_current=True)
    plan = SchoolPlan.objects.filter(school=school, academic_year=year, kind=kind).first()
    if plan:
        return plan
    plan = SchoolPlan.objects.create(
        school=school, academic_year=year, kind=kind, status=status, title=f"SIP {school.name}"
    )
    priority = Priority.objects.create(plan=plan, number=1, title="Close the reading gap")
    Action.objects.create(
        priority=priority,
        what="Phonics catch-up",
        owner=owner,
        cost=Decimal("1200"),
        budget_line="Pupil premium",
        starts_on=year.starts_on,
        due_on=year.starts_on + datetime.timedelta(days=200),
    )
    SuccessCriterion.objects.create(
        priority=priority,
        description="Reading at expected rises from 60% to 72%",
        measure="% at expected standard",
        baseline="60",
        target="72",
        target_date=year.ends_on,
        owner=owner,
    )
    term = year.terms.first()
    Milestone.objects.create(priority=priority, term=term, description="Baseline assessments done")
    MonitoringActivity.objects.create(
        plan=plan, kind="lesson_observation", focus="Year 3 reading", term=term, priority=priority
    )
    return plan


def first(plan, related):
    priority = plan.priorities.first()
    return getattr(priority, related).first() if related != "priority" else priority


def msp_rated_two_terms(world) -> dict:
    """MSP1 cited by a priority at A1 and at A2. Autumn: A1 green, A2 red (MSP1 derived red);
    spring: A1 green, A2 amber (MSP1 derived amber, improved). MSP10: central team green both."""
    from trustwide.planning import services

    year = world.trust_a.academic_years.get(is_current=True)
    autumn, spring = list(year.terms.order_by("number"))[:2]
    msp = strategic_plan(world.trust_a)
    msp1, msp10 = list(msp.priorities.order_by("number"))
    leader = world.user("trust_leader")
    ratings = {"A1 Primary": ("green", "green"), "A2 Primary": ("red", "amber")}
    for school in (world.school_a1, world.school_a2):
        plan = SchoolPlan.objects.create(
            school=school, academic_year=year, status="in_progress", title=f"SIP {school.name}"
        )
        priority = Priority.objects.create(plan=plan, number=1, title=f"Reading at {school.name}")
        priority.trust_priorities.add(msp1)
        action = Action.objects.create(priority=priority, what="Catch-up", due_on=year.ends_on)
        for term, rating in zip((autumn, spring), ratings[school.name], strict=True):
            services.termly_review_save(
                actor=leader,
                plan=plan,
                term=term,
                entries=[
                    services.RatingInput(action, rating),
                    services.RatingInput(priority, None),
                ],
            )
    for term in (autumn, spring):
        services.msp_termly_review_save(
            actor=leader,
            strategic_plan=msp,
            term=term,
            entries=[
                services.MspRatingInput(msp1),
                services.MspRatingInput(msp10, central_rating="green"),
            ],
        )
    return {"year": year, "autumn": autumn, "spring": spring, "msp1": msp1, "msp10": msp10}
