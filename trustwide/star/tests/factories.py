"""Test data for STAR projects, built directly (tests may skip the services)."""

from __future__ import annotations

from django.utils import timezone

from trustwide.planning.tests.factories import plan_for
from trustwide.star.models import StarProject, StarTeamMember


def priority_of(school):
    return plan_for(school).priorities.first()


def make_project(
    school,
    *,
    lead,
    members=(),
    title="Retrieval quizzes",
    status="draft",
    impact_rating="",
    exemplary=False,
    year=None,
) -> StarProject:
    priority = priority_of(school)
    project = StarProject.objects.create(
        school=school,
        academic_year=year or priority.plan.academic_year,
        title=title,
        lead=lead,
        priority=priority,
        question="Do quizzes help recall?",
        baseline="58% recall",
        method="Daily quiz",
        measures="Recall check",
        status=status,
    )
    if status == "evaluated":
        project.findings = "Recall rose."
        project.impact = "Recall 58% to 81%."
        project.impact_rating = impact_rating or "strong"
        project.evaluated_at = timezone.now()
    if exemplary:
        project.exemplary_at = timezone.now()
        project.exemplary_note = "Clear and simple."
    project.save()
    for member in members:
        StarTeamMember.objects.create(project=project, user=member)
    return project


def project_at(world, target, **kwargs) -> StarProject:
    """A project of the target's school (led by a teacher there; in trust B, by a new teacher)."""
    found = StarProject.objects.filter(school=target.school, **kwargs).first()
    if found:
        return found
    if target.in_scope:
        lead = world.user("teacher")
    else:
        from tests.world import grant, make_user

        lead = make_user(f"teacher_{target.school.pk}")
        grant(lead, "teacher", trust=target.trust, school=target.school)
    return make_project(target.school, lead=lead, **kwargs)
