"""Plan contents: bad input, scope, pre-filling, copying, monitoring and objectives."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from trustwide.audit.models import AuditEvent
from trustwide.planning import selectors, services
from trustwide.planning.models import (
    Action,
    MonitoringActivity,
    MonitoringRecord,
    Priority,
    RagRating,
    SchoolPlan,
    StaffObjective,
    SuccessCriterion,
)
from trustwide.trusts.models import AcademicYear, Term, default_term_dates

from .factories import plan_for, strategic_plan


@pytest.fixture
def plan(world):
    return plan_for(world.school_a1, owner=world.user("teacher"))


def test_bad_action_input_gives_clear_messages_and_saves_nothing(world, plan):
    head = world.user("headteacher")
    priority = plan.priorities.get()
    before = (Action.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.action_create(
            actor=head,
            priority=priority,
            what="Training",
            starts_on=datetime.date(2026, 10, 1),
            due_on=datetime.date(2026, 9, 1),
            cost=Decimal("-5"),
        )
    errors = exc.value.message_dict
    assert errors["due_on"] == ["The due date is before the start date."]
    assert errors["cost"] == ["Costs cannot be negative."]
    assert (Action.objects.count(), AuditEvent.objects.count()) == before


def test_numeric_measure_needs_a_numeric_target(world, plan):
    priority = plan.priorities.get()
    with pytest.raises(ValidationError) as exc:
        services.criterion_create(
            actor=world.user("headteacher"),
            priority=priority,
            description="Reading to 75%",
            measure="% at expected",
            measure_kind="percentage",
            target="most pupils",
        )
    assert "give the target as a number" in exc.value.message_dict["target"][0]
    with pytest.raises(ValidationError) as exc:
        services.criterion_create(
            actor=world.user("headteacher"),
            priority=priority,
            description="Reading to 175%",
            measure="% at expected",
            measure_kind="percentage",
            target="175",
        )
    assert "between 0 and 100" in exc.value.message_dict["target"][0]
    ok = services.criterion_create(
        actor=world.user("headteacher"),
        priority=priority,
        description="Pupils read",
        measure="Pupil voice",
        measure_kind="descriptive",
        target="most pupils",
    )
    assert ok.pk and SuccessCriterion.objects.filter(priority=priority).count() == 2


def test_rag_value_off_the_scale_is_refused_by_form_model_and_database(world, plan):
    from django.db import IntegrityError, transaction

    term = plan.academic_year.terms.first()
    rating = RagRating(
        plan=plan,
        term=term,
        kind="action",
        action=plan.priorities.get().actions.get(),
        rating="purple",
    )
    with pytest.raises(ValidationError) as exc:
        rating.full_clean()
    assert "rating" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        rating.save()


def test_editing_another_schools_plan_is_404_and_refused_by_the_service(world, login):
    other = plan_for(world.school_b1)
    client = login(world.user("headteacher"))
    priority = other.priorities.get()
    action = priority.actions.get()
    for url in (
        reverse("planning:plan-detail", args=[other.pk]),
        reverse("planning:action-edit", args=[action.pk]),
        reverse("planning:priority-edit", args=[priority.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(reverse("planning:action-edit", args=[action.pk]), {"what": "Hijacked"})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.action_update(actor=world.user("headteacher"), action=action, what="Hijacked")
    assert Action.objects.get(pk=action.pk).what == "Phonics catch-up"


def test_action_form_shows_errors_and_saves_nothing(world, plan, login):
    client = login(world.user("headteacher"))
    action = plan.priorities.get().actions.get()
    url = reverse("planning:action-edit", args=[action.pk])
    response = client.post(
        url,
        {
            "what": "Phonics",
            "starts_on": "2026-10-01",
            "due_on": "2026-09-01",
            "cost": "-10",
            "spent": "0",
            "staff_days": "1",
            "status": "in_progress",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The due date is before the start date." in body and "Costs cannot be negative." in body
    assert Action.objects.get(pk=action.pk).cost == Decimal("1200.00")


def test_teacher_updates_progress_of_own_action_only(world, plan):
    action = plan.priorities.get().actions.get()
    services.action_progress_update(
        actor=world.user("teacher"), action=action, status="in_progress", spent=Decimal("300")
    )
    assert Action.objects.get(pk=action.pk).spent == Decimal("300")
    with pytest.raises(PermissionDenied):
        services.action_progress_update(
            actor=world.user("middle_leader"), action=action, status="complete"
        )
    event = AuditEvent.objects.filter(object_type="planning.action", action="progress").get()
    assert event.actor == world.user("teacher") and event.after["status"] == "in_progress"


def test_new_plan_prefills_pocket_guide_priorities(world):
    strategic_plan(world.trust_a)
    year = world.trust_a.academic_years.get(is_current=True)
    sip = services.plan_create(
        actor=world.user("headteacher"), school=world.school_a1, academic_year=year, kind="sip"
    )
    [priority] = sip.priorities.all()
    assert priority.from_pocket_guide and "Good progress for ALL" in priority.title
    assert [tp.code for tp in priority.trust_priorities.all()] == ["MSP1"]
    bdp = services.plan_create(
        actor=world.user("headteacher"), school=world.school_a1, academic_year=year, kind="bdp"
    )
    assert bdp.priorities.count() == 0
    with pytest.raises(ValidationError):
        services.plan_create(
            actor=world.user("headteacher"), school=world.school_a1, academic_year=year, kind="sip"
        )
    with pytest.raises(PermissionDenied):
        services.plan_create(
            actor=world.user("trust_leader"), school=world.school_a2, academic_year=year, kind="sip"
        )


def test_copy_into_next_year_carries_open_actions(world, plan):
    head = world.user("headteacher")
    priority = plan.priorities.get()
    services.action_create(
        actor=head, priority=priority, what="Done already", status="complete", cost=Decimal("50")
    )
    open_action = priority.actions.get(what="Phonics catch-up")
    services.action_progress_update(
        actor=head, action=open_action, status="in_progress", spent=Decimal("200")
    )
    with pytest.raises(ValidationError, match="does not exist yet"):
        services.plan_copy_to_next_year(actor=head, plan=plan)
    year = plan.academic_year
    nxt = AcademicYear.objects.create(trust=world.trust_a, start_year=year.start_year + 1)
    for name, s, e in default_term_dates(nxt.start_year):
        Term.objects.create(academic_year=nxt, name=name, starts_on=s, ends_on=e)
    new = services.plan_copy_to_next_year(actor=head, plan=plan)
    assert new.academic_year == nxt and new.status == "draft" and new.copied_from == plan
    new_priority = new.priorities.get()
    assert [a.what for a in Action.objects.filter(priority=new_priority)] == ["Phonics catch-up"]
    carried = Action.objects.get(priority=new_priority)
    assert carried.carried_from == open_action and carried.cost == Decimal("1000.00")
    criterion = new_priority.criteria.get()
    assert criterion.target_date == year.ends_on.replace(year=year.ends_on.year + 1)
    assert new_priority.milestones.get().term.academic_year == nxt
    with pytest.raises(ValidationError, match="already has"):
        services.plan_copy_to_next_year(actor=head, plan=plan)


def test_costs_by_budget_line(world, plan):
    head = world.user("headteacher")
    priority = plan.priorities.get()
    services.action_create(
        actor=head,
        priority=priority,
        what="TA training",
        cost=Decimal("800"),
        spent=Decimal("200"),
        budget_line="CPD",
    )
    services.action_create(
        actor=head,
        priority=priority,
        what="Books",
        cost=Decimal("300"),
        budget_line="Pupil premium",
        spent=Decimal("300"),
    )
    loaded = selectors.plan_with_contents(user=head, pk=plan.pk)
    lines, total = selectors.plan_costs(loaded)
    assert [(c.budget_line, c.planned, c.spent) for c in lines] == [
        ("CPD", Decimal("800"), Decimal("200")),
        ("Pupil premium", Decimal("1500"), Decimal("300")),
    ]
    assert (total.planned, total.spent, total.remaining) == (
        Decimal("2300"),
        Decimal("500"),
        Decimal("1800"),
    )


def test_monitoring_records_judgements_on_the_trust_scale(world, plan):
    activity = MonitoringActivity.objects.get(plan=plan)
    middle = world.user("middle_leader")
    term = activity.term
    with pytest.raises(ValidationError, match="needs a judgement"):
        services.record_create(
            actor=middle, activity=activity, carried_out_on=term.starts_on, findings="Fine"
        )
    with pytest.raises(ValidationError, match="Choose one of"):
        services.record_create(
            actor=middle,
            activity=activity,
            carried_out_on=term.starts_on,
            findings="Fine",
            judgement="Brilliant",
        )
    with pytest.raises(PermissionDenied):
        services.record_create(
            actor=world.user("teacher"),
            activity=activity,
            carried_out_on=term.starts_on,
            findings="x",
            judgement="Good",
        )
    services.record_create(
        actor=middle,
        activity=activity,
        carried_out_on=term.starts_on,
        findings="Strong",
        judgement="Good",
    )
    # The trust chooses a five-point scale in which only the top grade counts as at least good.
    services.monitoring_scale_save(
        actor=world.user("trust_leader"),
        trust=world.trust_a,
        grades=["Exceptional", "Strong", "Expected", "Needs attention", "Urgent"],
        good_or_better_count=1,
    )
    services.record_create(
        actor=middle,
        activity=activity,
        carried_out_on=term.starts_on,
        findings="OK",
        judgement="Strong",
    )
    services.record_create(
        actor=middle,
        activity=activity,
        carried_out_on=term.starts_on,
        findings="Great",
        judgement="Exceptional",
    )
    assert list(MonitoringRecord.objects.values_list("judgement", "good_or_better")) == [
        ("Good", True),
        ("Strong", False),
        ("Exceptional", True),
    ]
    rows = selectors.teaching_judgements(
        trust_id=world.trust_a.pk, start=term.starts_on, end=term.ends_on
    )
    assert rows == [
        (world.school_a1.urn, world.hub_1.pk, term.starts_on, True),
        (world.school_a1.urn, world.hub_1.pk, term.starts_on, False),
        (world.school_a1.urn, world.hub_1.pk, term.starts_on, True),
    ]
    assert (
        selectors.teaching_judgements(
            trust_id=world.trust_b.pk, start=term.starts_on, end=term.ends_on
        )
        == []
    )
    with pytest.raises(PermissionDenied):
        services.monitoring_scale_save(
            actor=world.user("headteacher"),
            trust=world.trust_a,
            grades=["A", "B"],
            good_or_better_count=1,
        )


def test_activity_date_must_fall_in_its_term(world, plan):
    term = plan.academic_year.terms.first()
    with pytest.raises(ValidationError) as exc:
        services.activity_create(
            actor=world.user("headteacher"),
            plan=plan,
            kind="learning_walk",
            focus="Maths",
            term=term,
            planned_on=term.ends_on + datetime.timedelta(days=30),
        )
    assert "outside" in exc.value.message_dict["planned_on"][0]


def test_overdue_monitoring_is_flagged_on_the_schedule(world, plan, login):
    activity = MonitoringActivity.objects.get(plan=plan)
    MonitoringActivity.objects.filter(pk=activity.pk).update(planned_on=activity.term.starts_on)
    body = (
        login(world.user("headteacher"))
        .get(reverse("planning:monitoring-schedule", args=[plan.pk]))
        .content.decode()
    )
    from django.utils import timezone

    if activity.term.starts_on < timezone.localdate():
        assert "Overdue" in body
    assert "Year 3 reading" in body


def test_staff_objective_cites_a_criterion(world, plan):
    criterion = plan.priorities.get().criteria.get()
    objective = services.staff_objective_create(
        actor=world.user("headteacher"),
        school=world.school_a1,
        academic_year=plan.academic_year,
        user=world.user("teacher"),
        text="Raise reading in my class",
        criterion=criterion,
        priority=criterion.priority,
    )
    assert objective.priority == criterion.priority
    with pytest.raises(ValidationError):
        services.staff_objective_create(
            actor=world.user("headteacher"),
            school=world.school_a1,
            academic_year=plan.academic_year,
            user=world.user("teacher"),
            text="x",
        )
    with pytest.raises(ValidationError):  # someone from another trust
        services.staff_objective_create(
            actor=world.user("headteacher"),
            school=world.school_a1,
            academic_year=plan.academic_year,
            user=world.extra["trust_b_leader"],
            text="x",
            priority=criterion.priority,
        )
    with pytest.raises(PermissionDenied):
        services.staff_objective_create(
            actor=world.user("teacher"),
            school=world.school_a1,
            academic_year=plan.academic_year,
            user=world.user("teacher"),
            text="x",
            priority=criterion.priority,
        )
    assert StaffObjective.objects.count() == 1


def test_staff_objective_is_edited_and_removed_on_the_plan_page(world, plan, login):
    criterion = plan.priorities.get().criteria.get()
    objective = services.staff_objective_create(
        actor=world.user("headteacher"),
        school=world.school_a1,
        academic_year=plan.academic_year,
        user=world.user("teacher"),
        text="Raise reading in my class",
        priority=criterion.priority,
    )
    head = login(world.user("headteacher"))
    assert (
        reverse("planning:objective-edit", args=[objective.pk])
        in head.get(reverse("planning:plan-detail", args=[plan.pk])).content.decode()
    )
    # Bad input (no citation): the form says so and nothing changes.
    response = head.post(
        reverse("planning:objective-edit", args=[objective.pk]),
        {"user": world.user("teacher").pk, "text": "Changed"},
    )
    assert (
        response.status_code == 400
        and "Cite a priority or a success criterion" in response.content.decode()
    )
    objective.refresh_from_db()
    assert objective.text == "Raise reading in my class"
    response = head.post(
        reverse("planning:objective-edit", args=[objective.pk]),
        {
            "user": world.user("teacher").pk,
            "text": "Raise reading to 80% at the expected standard",
            "criterion": criterion.pk,
        },
    )
    assert response.status_code == 302
    objective.refresh_from_db()
    assert objective.text.startswith("Raise reading to 80%") and objective.criterion == criterion
    event = AuditEvent.objects.filter(
        object_type="planning.staffobjective", object_id=str(objective.pk), action="update"
    ).get()
    assert event.before["text"] == "Raise reading in my class"
    # A teacher reads the plan but may not change objectives.
    assert (
        login(world.user("teacher"))
        .post(reverse("planning:objective-edit", args=[objective.pk]), {"text": "x"})
        .status_code
        == 403
    )
    head = login(world.user("headteacher"))  # the login fixture shares one client
    assert (
        head.post(reverse("planning:item-delete", args=["objective", objective.pk])).status_code
        == 302
    )
    assert not StaffObjective.objects.filter(pk=objective.pk).exists()
    assert AuditEvent.objects.filter(
        object_type="planning.staffobjective", action="delete"
    ).exists()


def test_attention_items(world, plan, login):
    from trustwide.planning.attention import items

    action = plan.priorities.get().actions.get()
    Action.objects.filter(pk=action.pk).update(due_on=datetime.date(2020, 1, 1))
    teacher_items = items(world.user("teacher"))
    assert any(i.severity == "overdue" and "Phonics" in i.title for i in teacher_items)
    SchoolPlan.objects.filter(pk=plan.pk).update(status="submitted")
    governor_items = items(world.user("local_governor"))
    assert any("awaits governors" in i.title for i in governor_items)
    assert not any("awaits governors" in i.title for i in items(world.user("headteacher")))
    home = login(world.user("local_governor")).get(reverse("accounts:home")).content.decode()
    assert "awaits governors" in home


def test_item_delete_after_agreement_is_noted(world, login):
    plan = plan_for(world.school_a1, status="in_progress")
    milestone = plan.priorities.get().milestones.get()
    client = login(world.user("headteacher"))
    assert (
        client.post(reverse("planning:item-delete", args=["milestone", milestone.pk])).status_code
        == 302
    )
    assert not Priority.objects.get(plan=plan).milestones.exists()
    assert AuditEvent.objects.filter(
        object_type="planning.schoolplan", action="removed after agreement"
    ).exists()
    assert client.post(reverse("planning:item-delete", args=["pupil", 1])).status_code == 404


def test_monitoring_evidence_file_is_uploaded_checked_and_downloaded_in_scope(world, plan, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from trustwide.planning.models import MonitoringRecord

    activity = MonitoringActivity.objects.get(plan=plan)
    url = reverse("planning:record-create", args=[activity.pk])
    client = login(world.user("middle_leader"))
    data = {
        "carried_out_on": activity.term.starts_on.strftime("%d/%m/%Y"),
        "findings": "Strong questioning",
        "judgement": "Good",
    }
    # A file type outside the list: the form says which types are allowed and nothing is saved.
    response = client.post(url, {**data, "evidence_file": SimpleUploadedFile("notes.exe", b"MZ")})
    assert response.status_code == 400 and "Files of type" in response.content.decode()
    assert not MonitoringRecord.objects.exists()
    response = client.post(
        url, {**data, "evidence_file": SimpleUploadedFile("walk-notes.pdf", b"%PDF-1.4 notes")}
    )
    assert response.status_code == 302
    record = MonitoringRecord.objects.get()
    assert record.evidence_file_name == "walk-notes.pdf"
    schedule = client.get(reverse("planning:monitoring-schedule", args=[plan.pk])).content.decode()
    download = reverse("planning:record-evidence", args=[record.pk])
    assert download in schedule
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 notes"
    assert 'filename="walk-notes.pdf"' in response["Content-Disposition"]
    # Another trust's leader: not found, never forbidden.
    assert login(world.extra["trust_b_leader"]).get(download).status_code == 404


def test_a_priority_cited_by_appraisal_objectives_is_not_deleted(world, plan, login):
    priority = plan.priorities.get()
    head = world.user("headteacher")
    objective = services.staff_objective_create(
        actor=head,
        school=world.school_a1,
        academic_year=plan.academic_year,
        user=world.user("teacher"),
        text="Reading",
        priority=priority,
    )
    with pytest.raises(ValidationError, match="1 staff appraisal objective cites this priority"):
        services.priority_delete(actor=head, priority=priority)
    assert Priority.objects.filter(pk=priority.pk).exists()
    # An objective left without a priority (from before this rule) is not found, not an error.
    StaffObjective.objects.filter(pk=objective.pk).update(priority=None, criterion=None)
    client = login(head)
    assert client.get(reverse("planning:objective-edit", args=[objective.pk])).status_code == 404
    assert (
        client.get(reverse("planning:item-delete", args=["objective", objective.pk])).status_code
        == 404
    )
