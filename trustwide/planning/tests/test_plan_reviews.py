"""Year-end and mid-year reviews of a school plan (issue 17 item 7): each transition audited and
refused when out of turn; the year-end review reaches the LGC's papers, then the board's; the
mid-year conclusions show as inputs on next year's MSP draft; the cycle's task completes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.world import make_year
from trustwide.audit.models import AuditEvent
from trustwide.common import steps
from trustwide.governance import papers
from trustwide.governance import services as governance
from trustwide.governance.models import CycleTask
from trustwide.governance.tests.factories import board, lgc, meeting
from trustwide.planning import hooks, services
from trustwide.planning.models import (
    MspVersion,
    Priority,
    RagRating,
    ReviewStatus,
    SchoolPlan,
)

from .factories import plan_for, strategic_plan


def last_years_plan(world, school=None):
    school = school or world.school_a1
    current = world.trust_a.academic_years.get(is_current=True)
    year = school.trust.academic_years.filter(start_year=current.start_year - 1).first()
    year = year or make_year(school.trust, current.start_year - 1, current=False)
    plan = SchoolPlan.objects.create(
        school=school, academic_year=year, status="in_progress", title="SIP last year"
    )
    Priority.objects.create(plan=plan, number=1, title="Close the reading gap")
    Priority.objects.create(plan=plan, number=2, title="Attendance")
    return plan


def events(review, action):
    return AuditEvent.objects.filter(
        object_type="planning.planreview", object_id=str(review.pk), action=action
    )


def written(world, plan, kind="year_end", head=None):
    head = head or world.user("headteacher")
    review = services.review_start(actor=head, plan=plan, kind=kind)
    impacts = {p.pk: f"Impact of {p.title}" for p in plan.priorities.all()}
    return services.review_update(
        actor=head, review=review, impacts=impacts, conclusions="Reading improved; keep going."
    )


def test_year_end_review_is_of_last_years_plan(world):
    head = world.user("headteacher")
    with pytest.raises(ValidationError, match="whose year is over"):
        services.review_start(actor=head, plan=plan_for(world.school_a1), kind="year_end")
    review = services.review_start(actor=head, plan=last_years_plan(world), kind="year_end")
    assert review.status == ReviewStatus.DRAFT and events(review, "create").count() == 1
    with pytest.raises(ValidationError, match="is started"):
        services.review_start(actor=head, plan=review.plan, kind="year_end")


def test_only_school_leaders_write_reviews(world):
    with pytest.raises(PermissionDenied):
        services.review_start(
            actor=world.user("teacher"), plan=last_years_plan(world), kind="year_end"
        )


def test_an_impact_for_another_plans_priority_is_refused_and_nothing_written(world):
    plan = last_years_plan(world)
    head = world.user("headteacher")
    review = services.review_start(actor=head, plan=plan, kind="year_end")
    stray = plan_for(world.school_a1).priorities.first()
    with pytest.raises(ValidationError, match="another plan"):
        services.review_update(
            actor=head, review=review, impacts={stray.pk: "x"}, conclusions="Done"
        )
    review.refresh_from_db()
    assert (review.impacts, review.conclusions) == ({}, "")


def test_submit_needs_every_impact_then_goes_once(world):
    plan = last_years_plan(world)
    head = world.user("headteacher")
    review = services.review_start(actor=head, plan=plan, kind="year_end")
    first = plan.priorities.get(number=1)
    services.review_update(
        actor=head, review=review, impacts={first.pk: "Up 8 points"}, conclusions=""
    )
    with pytest.raises(ValidationError) as exc:
        services.review_submit(actor=head, review=review)
    assert "priority 2 'Attendance'" in str(exc.value) and "conclusions" in str(exc.value)
    services.review_update(
        actor=head,
        review=review,
        impacts={p.pk: "Impact" for p in plan.priorities.all()},
        conclusions="Carry reading on.",
    )
    review = services.review_submit(actor=head, review=review)
    assert review.status == ReviewStatus.SUBMITTED and review.submitted_by == head
    assert events(review, "submit").count() == 1
    with pytest.raises(ValidationError, match="can no longer be changed or submitted again"):
        services.review_submit(actor=head, review=review)
    with pytest.raises(ValidationError, match="can no longer"):
        services.review_update(actor=head, review=review, impacts={}, conclusions="Changed")
    assert events(review, "submit").count() == 1


def test_governors_scrutinise_once_and_the_board_sees_it(world):
    review = services.review_submit(
        actor=world.user("headteacher"), review=written(world, last_years_plan(world))
    )
    governor = world.user("local_governor")
    body = lgc(world.school_a1, governor)
    lgc_meeting = meeting(body, status="planned", held_on=timezone.localdate())
    [paper] = papers.build(governor, lgc_meeting)["reviews"]
    assert paper["school"] == world.school_a1.name and paper["status"] == "Sent to governors"
    with pytest.raises(PermissionDenied):
        services.review_scrutinise(actor=world.user("headteacher"), review=review, notes="ok")
    with pytest.raises(ValidationError, match="Record what governors concluded"):
        services.review_scrutinise(actor=governor, review=review, notes=" ")
    review = services.review_scrutinise(actor=governor, review=review, notes="Challenged maths")
    assert review.status == ReviewStatus.SCRUTINISED and events(review, "scrutinise").count() == 1
    with pytest.raises(ValidationError, match="scrutinised this review on"):
        services.review_scrutinise(actor=governor, review=review, notes="again")
    assert papers.build(governor, lgc_meeting)["reviews"] == []  # done: off the LGC's papers
    board_meeting = meeting(board(world.trust_a), status="planned")
    [on_board] = papers.build(world.user("trust_leader"), board_meeting)["reviews"]
    assert on_board["scrutiny"] == "Challenged maths"


def test_a_mid_year_review_cannot_be_scrutinised(world):
    review = written(world, plan_for(world.school_a1), kind="mid_year")
    review = services.review_submit(actor=world.user("headteacher"), review=review)
    with pytest.raises(ValidationError, match="Only the year-end review"):
        services.review_scrutinise(actor=world.user("local_governor"), review=review, notes="x")


def test_submitting_completes_the_cycle_task_not_ticking(world):
    leader = world.user("trust_leader")
    item = governance.cycle_item_create(
        actor=leader,
        trust=world.trust_a,
        title="Year-end review to governors",
        role="headteacher",
        month=10,
        day=20,
        event=steps.YEAR_END_REVIEW_SUBMITTED,
    )
    year = world.trust_a.academic_years.get(is_current=True)
    governance.cycle_generate(actor=leader, trust=world.trust_a, academic_year=year)
    task = CycleTask.objects.get(item=item, school=world.school_a1)
    head = world.user("headteacher")
    services.review_submit(actor=head, review=written(world, last_years_plan(world)))
    task.refresh_from_db()
    assert (task.completed_on, task.completed_by) == (timezone.localdate(), head)
    assert CycleTask.objects.get(item=item, school=world.school_a2).completed_on is None


def test_the_report_shows_outcomes_rag_history_impacts_and_results(world, login, monkeypatch):
    plan = plan_for(world.school_a1)  # this year's plan, with a criterion 60 -> 72
    priority = plan.priorities.get(number=1)
    autumn = plan.academic_year.terms.order_by("starts_on").first()
    RagRating.objects.create(
        plan=plan, term=autumn, kind="priority", priority=priority, rating="amber"
    )
    review = written(world, plan, kind="mid_year")
    page = login(world.user("headteacher")).get(reverse("planning:review-detail", args=[review.pk]))
    text = page.content.decode()
    assert "Reading at expected rises from 60% to 72%" in text and ">72<" in text
    assert f"{autumn.name} Amber" in text and "Impact of Close the reading gap" in text

    last = written(world, last_years_plan(world))
    monkeypatch.setattr(
        hooks,
        "review_results_providers",
        [
            lambda school, year: [
                hooks.ResultLine("KS2 reading, writing and maths", "55.0%", "61.0%")
            ]
        ],
    )
    text = (
        login(world.user("headteacher"))
        .get(reverse("planning:review-detail", args=[last.pk]))
        .content.decode()
    )
    assert "KS2 reading, writing and maths" in text and "61.0%" in text


def test_a_review_of_another_schools_plan_is_404(world, login):
    other = written(
        world, plan_for(world.school_a2), kind="mid_year", head=world.user("trust_leader")
    )
    head_a1 = world.user("headteacher")  # headteacher of A1 only
    assert not head_a1.memberships.filter(school=world.school_a2).exists()
    client = login(head_a1)
    assert client.get(reverse("planning:review-detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("planning:review-submit", args=[other.pk])).status_code == 404


def test_mid_year_conclusions_are_inputs_of_the_next_msp_draft_once_submitted(world, login):
    review = written(world, plan_for(world.school_a1), kind="mid_year")
    msp = strategic_plan(world.trust_a)
    version = MspVersion.objects.create(
        strategic_plan=msp,
        number=1,
        label="First draft (April)",
        consultation_open=True,
        snapshot={"title": msp.title, "priorities": []},
    )
    url = reverse("planning:msp-version", args=[version.pk])
    client = login(world.user("trust_leader"))
    assert "Reading improved; keep going." not in client.get(url).content.decode()
    services.review_submit(actor=world.user("headteacher"), review=review)
    page = client.get(url).content.decode()
    assert "Reading improved; keep going." in page and world.school_a1.name in page


def test_the_review_page_reads_in_bounded_queries(world, login):
    plan = last_years_plan(world)
    review = written(world, plan)
    client = login(world.user("headteacher"))
    url = reverse("planning:review-detail", args=[review.pk])
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(3, 9):
        Priority.objects.create(plan=plan, number=n, title=f"Priority {n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few) and len(few) <= 30


def test_reviews_page_lists_the_schools_plans_with_start_buttons(world, login):
    plan = last_years_plan(world)
    client = login(world.user("headteacher"))
    page = client.get(reverse("planning:reviews", args=[world.school_a1.pk])).content.decode()
    assert reverse("planning:review-start", args=[plan.pk, "year_end"]) in page
    response = client.post(reverse("planning:review-start", args=[plan.pk, "year_end"]))
    assert response.status_code == 302 and plan.reviews.count() == 1


def test_a_submitted_mid_year_review_reads_submitted_and_unbound_criteria_are_not_kpi_errors(
    world, login
):
    """Found by the seed-004 walk: a submitted mid-year review said "Sent to governors" (it goes
    to nobody), and a criterion bound to no KPI read "Unknown KPI ('' ...)"."""
    plan = plan_for(world.school_a1)
    assert not plan.priorities.get(number=1).criteria.exclude(kpi_code="").exists()
    head = world.user("headteacher")
    review = services.review_submit(actor=head, review=written(world, plan, kind="mid_year"))
    text = login(head).get(reverse("planning:review-detail", args=[review.pk])).content.decode()
    assert "<strong>Submitted</strong>" in text and "Sent to governors" not in text
    assert "Not bound to a KPI" in text and "Unknown KPI" not in text
