"""The demo trust has STAR projects in every school: last year's evaluated (the strong ones
published as exemplars), this year's running or in draft, built through the services."""

from trustwide.audit.models import AuditEvent
from trustwide.planning import demo as planning_demo
from trustwide.star import demo, selectors
from trustwide.star.models import StarProject
from trustwide.trusts import demo as trust_demo


def test_demo_has_projects_per_school_some_evaluated_and_exemplary(db):
    ctx = trust_demo.build_trust(schools=4, hubs=2)
    planning_demo.build(ctx)
    demo.build(ctx)
    for school in ctx.schools:
        projects = StarProject.objects.filter(school=school)
        assert set(projects.values_list("status", flat=True)) == {"draft", "running", "evaluated"}
        for p in projects:
            assert p.priority.plan.school == school
    evaluated = StarProject.objects.filter(status="evaluated")
    assert set(evaluated.values_list("academic_year", flat=True)) == {ctx.previous_year.pk}
    exemplars = selectors.exemplars(ctx.trust)
    assert exemplars and all(p.impact_rating == "strong" for p in exemplars)
    assert StarProject.objects.filter(objective__isnull=False).exists()
    assert AuditEvent.objects.filter(
        object_type="star.starproject", action="mark exemplary"
    ).count() == len(exemplars)
    overview = selectors.overview(ctx.users["ceo"], ctx.trust, ctx.previous_year)
    assert overview.total.evaluated == len(ctx.schools)
