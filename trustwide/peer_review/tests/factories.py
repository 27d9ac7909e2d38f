"""Test data for peer review, built directly (tests may skip the services)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from trustwide.peer_review.models import (
    CollaborationPlan,
    Deployment,
    Expertise,
    Finding,
    NonNegotiable,
    Review,
    ReviewAction,
    Reviewer,
    ReviewStatus,
    Triad,
)
from trustwide.trusts.models import School


def review_for(school: School, *, reviewer_user=None, status=ReviewStatus.DRAFTED) -> Review:
    """A drafted peer review of the school (visit today) with a finding and an action."""
    existing = Review.objects.filter(school=school).first()
    if existing:
        return existing
    year = school.trust.academic_years.get(is_current=True)
    triad = Triad.objects.filter(academic_year=year).first() or Triad.objects.create(
        trust=school.trust, academic_year=year, number=1
    )
    others = list(School.objects.filter(trust=school.trust).exclude(pk=school.pk)[:2])
    triad.schools.add(school, *others)
    today = timezone.localdate()
    review = Review.objects.create(
        school=school,
        academic_year=year,
        triad=triad,
        term=0,
        visit_on=today,
        access_from=today - datetime.timedelta(days=14),
        access_until=today + datetime.timedelta(days=21),
        focus="Reading in key stage 2",
        status=status,
    )
    Reviewer.objects.create(
        review=review,
        user=reviewer_user,
        name=str(reviewer_user or "A reviewer"),
        from_school=others[0] if others else None,
    )
    finding = Finding.objects.create(
        review=review, area_name="Reading", findings="Phonics is consistent."
    )
    ReviewAction.objects.create(
        review=review,
        finding=finding,
        what="Train Year 3 staff in fluency",
        owner_name="English lead",
        due_on=today + datetime.timedelta(days=60),
    )
    return review


def deployment_for(school: School, user) -> Deployment:
    existing = Deployment.objects.filter(to_school=school).first()
    if existing:
        return existing
    year = school.trust.academic_years.get(is_current=True)
    expertise = Expertise.objects.filter(
        trust=school.trust, user=user
    ).first() or Expertise.objects.create(
        trust=school.trust, user=user, subjects="reading", days_per_term=5
    )
    return Deployment.objects.create(
        expertise=expertise,
        to_school=school,
        academic_year=year,
        term=0,
        days=2,
        purpose="Reading fluency coaching",
    )


def non_negotiable_for(trust) -> NonNegotiable:
    return NonNegotiable.objects.filter(trust=trust).first() or NonNegotiable.objects.create(
        trust=trust,
        category="targeted",
        kind="strategy",
        text="Daily phonics for every pupil in Key Stage 1",
    )


def collaboration_for(school: School) -> CollaborationPlan:
    """A plan between the school and another of its trust (if it has one)."""
    existing = CollaborationPlan.objects.filter(schools=school).first()
    if existing:
        return existing
    plan = CollaborationPlan.objects.create(
        trust=school.trust,
        title="Reading together",
        purpose="Better reading",
        mutuality="Both gain",
        change="Fluency lessons",
        pace="Termly milestones",
        prioritisation="Reading is the first priority",
    )
    plan.schools.set([school, *School.objects.filter(trust=school.trust).exclude(pk=school.pk)[:1]])
    return plan
