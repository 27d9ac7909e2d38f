"""STAR project services: each transition, its refusal and the audit event it writes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.world import grant, make_user
from trustwide.audit.models import AuditEvent
from trustwide.planning.models import StaffObjective
from trustwide.star import services
from trustwide.star.models import StarProject, StarTeamMember

from .factories import make_project, priority_of

pytestmark = pytest.mark.django_db

WRITE_UP = dict(
    question="Do quizzes help recall?",
    baseline="58% recall all facts",
    method="Daily five-question quiz",
    measures="Recall check before and after",
)


def events(obj):
    return list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("pk")
    )


def _create(world, actor=None, lead=None, **overrides):
    teacher = world.user("teacher")
    fields = dict(title="Retrieval quizzes", priority=priority_of(world.school_a1), **WRITE_UP)
    fields.update(overrides)
    return services.star_project_create(
        actor=actor or teacher, school=world.school_a1, lead=lead or teacher, **fields
    )


def test_create_is_a_draft_of_the_priority_year_with_its_team_audited(world):
    middle = world.user("middle_leader")
    project = _create(world, members=[middle])
    priority = priority_of(world.school_a1)
    assert project.status == "draft"
    assert project.academic_year == priority.plan.academic_year
    assert [e.action for e in events(project)] == ["create"]
    assert events(project)[0].actor == world.user("teacher")
    assert events(project)[0].school_id == world.school_a1.pk
    place = StarTeamMember.objects.get(project=project)
    assert place.user == middle
    assert [e.action for e in events(place)] == ["create"]


def test_another_schools_priority_is_refused_and_nothing_written(world):
    other = priority_of(world.school_a2)
    with pytest.raises(ValidationError) as exc:
        _create(world, priority=other)
    assert exc.value.message_dict["priority"] == [
        "Choose a priority of this school's own plan, not another school's."
    ]
    assert not StarProject.objects.exists()
    assert not AuditEvent.objects.filter(object_type="star.starproject").exists()


def test_a_project_needs_a_priority(world):
    with pytest.raises(ValidationError) as exc:
        _create(world, priority=None)
    assert "priority" in exc.value.message_dict


def test_objective_must_be_the_leads_own(world):
    teacher, middle = world.user("teacher"), world.user("middle_leader")
    priority = priority_of(world.school_a1)
    year = priority.plan.academic_year
    others = StaffObjective.objects.create(
        school=world.school_a1,
        academic_year=year,
        user=middle,
        text="Lead reading",
        priority=priority,
    )
    own = StaffObjective.objects.create(
        school=world.school_a1,
        academic_year=year,
        user=teacher,
        text="Maths recall",
        priority=priority,
    )
    with pytest.raises(ValidationError) as exc:
        _create(world, objective=others)
    assert "lead's own appraisal objectives" in exc.value.message_dict["objective"][0]
    assert _create(world, objective=own).objective == own


def test_lead_and_team_must_be_the_schools_staff(world):
    outsider = make_user("a2_teacher")
    grant(outsider, "teacher", trust=world.trust_a, school=world.school_a2)
    with pytest.raises(ValidationError) as exc:
        _create(world, members=[outsider, world.user("local_governor")])
    message = exc.value.message_dict["members"][0]
    assert "A2 Teacher" in message and "Local Governor" in message
    head = world.user("headteacher")
    with pytest.raises(ValidationError):
        _create(world, actor=head, lead=outsider)
    # A teacher may not start a project led by someone else; the head may.
    with pytest.raises(PermissionDenied):
        _create(world, lead=world.user("middle_leader"))
    assert _create(world, actor=head, lead=world.user("middle_leader")).lead == world.user(
        "middle_leader"
    )


def test_governor_cannot_start_a_project(world):
    governor = world.user("local_governor")
    with pytest.raises(PermissionDenied):
        _create(world, actor=governor, lead=world.user("teacher"))


def test_start_needs_the_intent_and_implementation_and_is_audited(world):
    project = _create(world, measures="")
    with pytest.raises(ValidationError) as exc:
        services.star_project_start(actor=world.user("teacher"), project=project)
    assert exc.value.message_dict == {
        "measures": ["Write the measures before you start the project."]
    }
    project.refresh_from_db()
    assert project.status == "draft"
    services.star_project_update(
        actor=world.user("teacher"), project=project, measures="Recall check"
    )
    services.star_project_start(actor=world.user("teacher"), project=project)
    project.refresh_from_db()
    start = events(project)[-1]
    assert project.status == "running" and project.started_at is not None
    assert start.action == "start"
    assert (start.before["status"], start.after["status"]) == ("draft", "running")
    with pytest.raises(ValidationError, match="already running"):
        services.star_project_start(actor=world.user("teacher"), project=project)


def test_evaluating_a_draft_is_refused(world):
    project = _create(world)
    with pytest.raises(ValidationError, match="A draft project cannot be evaluated"):
        services.star_project_evaluate(
            actor=world.user("teacher"),
            project=project,
            findings="x",
            impact="y",
            impact_rating="strong",
        )
    assert [e.action for e in events(project)] == ["create"]


def test_evaluate_records_findings_impact_and_rating(world):
    project = make_project(world.school_a1, lead=world.user("teacher"), status="running")
    with pytest.raises(ValidationError) as exc:
        services.star_project_evaluate(
            actor=world.user("teacher"),
            project=project,
            findings="Rose",
            impact="",
            impact_rating="",
        )
    assert set(exc.value.message_dict) == {"impact", "impact_rating"}
    services.star_project_evaluate(
        actor=world.user("teacher"),
        project=project,
        findings="Recall rose in every class.",
        impact="From 58% to 81% recalling all facts.",
        impact_rating="strong",
    )
    project.refresh_from_db()
    assert project.status == "evaluated" and project.impact_rating == "strong"
    assert project.evaluated_by == world.user("teacher")
    event = events(project)[-1]
    assert event.action == "evaluate" and event.after["impact_rating"] == "strong"
    with pytest.raises(ValidationError, match="evaluated project is on record"):
        services.star_project_update(actor=world.user("teacher"), project=project, title="New")


def test_marking_exemplary_before_evaluation_is_refused(world):
    project = make_project(world.school_a1, lead=world.user("teacher"), status="running")
    with pytest.raises(ValidationError, match="Only an evaluated project can be marked exemplary"):
        services.star_project_mark_exemplary(
            actor=world.user("headteacher"), project=project, note="Great"
        )
    assert events(project) == []


def test_leaders_mark_exemplary_and_withdraw_audited(world):
    project = make_project(world.school_a1, lead=world.user("teacher"), status="evaluated")
    with pytest.raises(PermissionDenied):  # the lead does not publish their own project
        services.star_project_mark_exemplary(actor=world.user("teacher"), project=project, note="x")
    with pytest.raises(ValidationError) as exc:
        services.star_project_mark_exemplary(
            actor=world.user("headteacher"), project=project, note=" "
        )
    assert "note" in exc.value.message_dict
    services.star_project_mark_exemplary(
        actor=world.user("headteacher"), project=project, note="Simple and transferable."
    )
    project.refresh_from_db()
    assert project.is_exemplary and project.exemplary_by == world.user("headteacher")
    assert events(project)[-1].action == "mark exemplary"
    with pytest.raises(ValidationError, match="withdraw it from the exemplars"):
        services.star_project_evaluate(
            actor=world.user("teacher"),
            project=project,
            findings="a",
            impact="b",
            impact_rating="none",
        )
    with pytest.raises(ValidationError, match="already published"):
        services.star_project_mark_exemplary(
            actor=world.user("trust_leader"), project=project, note="x"
        )
    services.star_project_withdraw_exemplar(actor=world.user("trust_leader"), project=project)
    project.refresh_from_db()
    assert not project.is_exemplary and project.exemplary_note == ""
    assert events(project)[-1].action == "withdraw exemplar"


def test_another_hubs_leader_cannot_mark_exemplary(world):
    project = make_project(world.school_a2, lead=world.user("teacher"), status="evaluated")
    for role in ("executive_headteacher", "headteacher"):  # H1's EHT and A1's head
        with pytest.raises(PermissionDenied):
            services.star_project_mark_exemplary(actor=world.user(role), project=project, note="x")


def test_team_changes_are_audited_and_only_drafts_are_deleted(world):
    teacher, middle, senco = (world.user(r) for r in ("teacher", "middle_leader", "senco"))
    project = _create(world, members=[middle])
    services.star_project_update(actor=teacher, project=project, members=[senco])
    assert set(project.team.values_list("user_id", flat=True)) == {senco.pk}
    removed = AuditEvent.objects.filter(object_type="star.starteammember", action="delete")
    assert removed.count() == 1 and removed.get().before["user_id"] == middle.pk
    running = make_project(world.school_a1, lead=teacher, status="running", title="Other")
    with pytest.raises(ValidationError, match="Only a draft can be deleted"):
        services.star_project_delete(actor=teacher, project=running)
    pk = project.pk
    services.star_project_delete(actor=teacher, project=project)
    assert not StarProject.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.filter(
        object_type="star.starproject", object_id=str(pk), action="delete"
    ).exists()


def test_a_team_member_edits_but_a_colleague_does_not(world):
    teacher, middle = world.user("teacher"), world.user("middle_leader")
    project = _create(world, members=[middle])
    services.star_project_update(actor=middle, project=project, title="Quizzes in Year 5")
    with pytest.raises(PermissionDenied):
        services.star_project_update(actor=world.user("senco"), project=project, title="x")
    with pytest.raises(PermissionDenied):  # a team member does not hand the lead to someone else
        services.star_project_update(actor=middle, project=project, lead=middle)
    assert StarProject.objects.get(pk=project.pk).lead == teacher


def test_evaluated_projects_are_evidence_on_the_schools_mid_year_review(world):
    """Issue 17 item 7: the March review of the SDP carries the STAR impacts of the year."""
    from trustwide.planning import hooks

    evaluated = make_project(
        world.school_a1, lead=world.user("teacher"), status="evaluated", title="Quizzes"
    )
    make_project(world.school_a1, lead=world.user("teacher"), status="running", title="Running")
    make_project(world.school_a2, lead=world.user("teacher"), status="evaluated", title="Other")
    year = evaluated.academic_year.start_year
    evidence = hooks.review_evidence(world.school_a1, year)
    assert evidence == [
        (
            f"STAR: Quizzes (priority {evaluated.priority.number}; impact "
            f"{evaluated.get_impact_rating_display().lower()})",
            "Recall 58% to 81%.",
        )
    ]
    assert hooks.review_evidence(world.school_a1, year - 1) == []


def test_evaluating_the_schools_last_running_project_completes_the_cycle_task(world):
    """Seed 004's October line "Staff evaluate their STAR projects" completes when the school's
    running projects (of the evaluated one's year or earlier) are all evaluated, not by ticking;
    the audit row says who did it."""
    from django.utils import timezone

    from trustwide.common import steps
    from trustwide.governance import services as governance
    from trustwide.governance.models import CycleTask

    leader = world.user("trust_leader")
    item = governance.cycle_item_create(
        actor=leader,
        trust=world.trust_a,
        title="Staff evaluate their STAR projects",
        role="headteacher",
        month=10,
        day=31,
        event=steps.STAR_PROJECTS_EVALUATED,
    )
    year = world.trust_a.academic_years.get(is_current=True)
    governance.cycle_generate(actor=leader, trust=world.trust_a, academic_year=year)
    task = CycleTask.objects.get(item=item, school=world.school_a1)
    teacher = world.user("teacher")
    first = make_project(world.school_a1, lead=teacher, status="running", title="Quizzes")
    second = make_project(world.school_a1, lead=teacher, status="running", title="Phonics")
    evaluation = dict(findings="Rose", impact="58% to 81%", impact_rating="strong")
    services.star_project_evaluate(actor=teacher, project=first, **evaluation)
    task.refresh_from_db()
    assert task.completed_on is None  # "Phonics" is still running
    services.star_project_evaluate(actor=teacher, project=second, **evaluation)
    task.refresh_from_db()
    assert (task.completed_on, task.completed_by) == (timezone.localdate(), teacher)
    assert AuditEvent.objects.filter(
        object_type="governance.cycletask", object_id=str(task.pk), action="complete_step"
    ).exists()
    assert CycleTask.objects.get(item=item, school=world.school_a2).completed_on is None
