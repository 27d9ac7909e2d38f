"""The turn of the year: each step surveyed, done once, audited with the administrator as actor,
skipped on a rerun, resumed after an interruption; last year's records untouched."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.world import make_school, make_user
from trustwide.audit.models import AuditEvent
from trustwide.evaluation import services as sef_services
from trustwide.evaluation.models import AreaJudgement, SelfEvaluation
from trustwide.evaluation.tests.factories import make_sef
from trustwide.governance.models import BodyMember, CycleItem, CycleTask, GoverningBody
from trustwide.kpis.models import KpiTarget
from trustwide.ops import rollover
from trustwide.peer_review.models import Review, Triad
from trustwide.planning.models import Action, PocketGuide, SchoolPlan, StrategicPlan
from trustwide.planning.services import plan_copy_to_next_year
from trustwide.planning.tests.factories import plan_for, strategic_plan
from trustwide.trusts.models import AcademicYear


def _this_year(world):
    return world.trust_a.academic_years.get(is_current=True)


@pytest.fixture
def trust(world):
    """Trust A in June: SEFs and plans this year, a closed school, targets, a cycle, governors."""
    year = _this_year(world)
    closing = make_school(
        world.trust_a,
        world.hub_1,
        name="Closing Primary",
        left_trust_on=datetime.date(year.start_year + 1, 7, 31),
    )
    for school in (world.school_a1, world.school_a2, closing):
        make_sef(school, grade="expected-standard", summary=f"{school.name} last year")
        plan_for(school)
    plan_for(world.school_a1, kind="bdp")
    done = Action.objects.filter(priority__plan__school=world.school_a1).first()
    Action.objects.create(
        priority=done.priority, what="Finished work", status="complete", cost=Decimal("10")
    )
    strategic_plan(world.trust_a)
    KpiTarget.objects.create(
        trust=world.trust_a, academic_year=year.start_year, kpi_code="ks2_rwm_expected", target=70
    )
    for school in (world.school_a1, closing):
        KpiTarget.objects.create(
            trust=world.trust_a,
            school=school,
            academic_year=year.start_year,
            kpi_code="ks2_rwm_expected",
            target=65,
        )
    CycleItem.objects.create(
        trust=world.trust_a, title="Agree the school plan", role="local_governor", month=9, day=30
    )
    body = GoverningBody.objects.create(trust=world.trust_a, kind="board", name="Board")
    BodyMember.objects.create(
        body=body, user=make_user("trustee_on"), starts_on=year.starts_on, ends_on=None
    )
    BodyMember.objects.create(
        body=body,
        user=make_user("trustee_off"),
        starts_on=year.starts_on,
        ends_on=datetime.date(year.start_year + 1, 7, 31),
    )
    return world.trust_a


def _states(reports):
    return {r.key: r.state for r in reports}


def _survey(trust):
    return rollover.rollover_survey(rollover.turn_for(trust))


def test_survey_lists_each_step_before_anything_is_written(trust, world):
    reports = {r.key: r for r in _survey(trust)}
    assert _states(reports.values()) == {
        "year": "to do",
        "strategic": "to do",  # the plan runs on five years; the pocket guide needs copying
        "sefs": "to do",
        "plans": "to do",
        "targets": "to do",
        "cycle": "to do",
        "governors": "nothing to do",
        "triads": "to do",
    }
    assert reports["sefs"].to_create == 2  # the closing school is skipped
    assert "1 school(s) not in the trust next year skipped" in reports["sefs"].detail
    assert reports["plans"].to_create == 3  # A1's SIP and BDP, A2's SIP
    assert reports["targets"].to_create == 2  # the trust default and A1's own
    assert "1 term(s) of office continue" in reports["governors"].detail
    assert "1 end by 31/08" in reports["governors"].detail
    assert not AcademicYear.objects.filter(trust=trust, start_year=_this_year(world).start_year + 1)


def test_run_does_every_step_once_and_rerun_skips_what_exists(trust, world):
    admin = world.user("trust_administrator")
    year = _this_year(world)
    old_sefs = {s.pk: s.status for s in SelfEvaluation.objects.filter(academic_year=year)}
    result = rollover.rollover_run(actor=admin, trust=trust)
    assert result.failed is None
    created = {s.key: s.created for s in result.steps}
    assert (
        created
        == {
            "year": 1,
            "strategic": 1,  # the pocket guide (the plan covers next year)
            "sefs": 2,
            "plans": 3,
            "targets": 2,
            "cycle": created["cycle"],
            "governors": 0,
            "triads": 1,
        }
        and created["cycle"] > 0
    )
    following = AcademicYear.objects.get(trust=trust, start_year=year.start_year + 1)
    assert following.terms.count() == 3
    # Both years open; this year stays current until 1 September.
    year.refresh_from_db()
    assert year.is_current and not following.is_current

    # Next year's drafts: open actions carried, complete ones not; closed school skipped.
    new_a1 = SchoolPlan.objects.get(school=world.school_a1, academic_year=following, kind="sip")
    assert new_a1.status == "draft"
    assert list(Action.objects.filter(priority__plan=new_a1).values_list("what", flat=True)) == [
        "Phonics catch-up"
    ]
    assert not SchoolPlan.objects.filter(school__name="Closing Primary", academic_year=following)
    sef = SelfEvaluation.objects.get(school=world.school_a1, academic_year=following)
    assert sef.status == "draft" and sef.started_from.academic_year == year
    judgement = sef.judgements.get(area_code="inclusion")
    assert judgement.grade_code == "expected-standard" and judgement.carried_forward
    assert PocketGuide.objects.filter(academic_year=following).count() == 1
    assert set(
        KpiTarget.objects.filter(academic_year=following.start_year).values_list(
            "school_id", "target"
        )
    ) == {(None, 70.0), (world.school_a1.pk, 65.0)}
    assert CycleTask.objects.filter(academic_year=following).exclude(school=None).count() == 2
    [triad] = Triad.objects.filter(academic_year=following)
    assert set(triad.schools.all()) == {world.school_a1, world.school_a2}
    assert Review.objects.filter(academic_year=following).count() == 2

    # Last year's records are unchanged.
    assert {s.pk: s.status for s in SelfEvaluation.objects.filter(academic_year=year)} == old_sefs
    assert SchoolPlan.objects.filter(academic_year=year).count() == 4

    # Audited with the administrator as actor: every row, and one roll-over event per step.
    plan_event = AuditEvent.objects.get(
        object_type="planning.schoolplan", object_id=str(new_a1.pk), action="create"
    )
    assert plan_event.actor == admin
    steps = [
        e.after["step"]
        for e in AuditEvent.objects.filter(action="roll_over", actor=admin).order_by("pk")
    ]
    assert steps == ["year", "strategic", "sefs", "plans", "targets", "cycle", "triads"]

    counts = (
        SelfEvaluation.objects.count(),
        SchoolPlan.objects.count(),
        KpiTarget.objects.count(),
        CycleTask.objects.count(),
        Triad.objects.count(),
        AuditEvent.objects.count(),
    )
    again = rollover.rollover_run(actor=admin, trust=trust)
    assert [s.created for s in again.steps] == [0] * len(rollover.STEPS)
    assert (
        SelfEvaluation.objects.count(),
        SchoolPlan.objects.count(),
        KpiTarget.objects.count(),
        CycleTask.objects.count(),
        Triad.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
    assert set(_states(_survey(trust)).values()) <= {"done", "nothing to do"}


def test_interrupted_run_keeps_earlier_steps_and_resumes(trust, world, client, monkeypatch):
    admin = world.user("trust_administrator")
    real = rollover._plan_copy_to_next_year
    calls = []

    def fail_on_second(**kwargs):
        calls.append(kwargs["plan"])
        if len(calls) == 2:
            raise ValidationError("The database went away.")
        return real(**kwargs)

    monkeypatch.setattr(rollover, "_plan_copy_to_next_year", fail_on_second)
    result = rollover.rollover_run(actor=admin, trust=trust)
    assert _states(result.steps) == {
        "year": "done",
        "strategic": "done",
        "sefs": "done",
        "plans": "failed",
        "targets": "not reached",
        "cycle": "not reached",
        "governors": "not reached",
        "triads": "not reached",
    }
    assert result.failed.error == "The database went away."
    following = AcademicYear.objects.get(trust=trust, start_year=_this_year(world).start_year + 1)
    # The failed step is untouched (its first plan rolled back); earlier steps are kept.
    assert not SchoolPlan.objects.filter(academic_year=following).exists()
    assert SelfEvaluation.objects.filter(academic_year=following).count() == 2

    # The page reports which steps are done and what is left.
    client.force_login(admin)
    page = client.get(reverse("ops:rollover", args=[trust.slug])).content.decode()
    assert _row(page, "sefs").count("Done") == 1 and "To do" in _row(page, "plans")
    assert "To do" in _row(page, "targets") and "Done" in _row(page, "year")

    monkeypatch.setattr(rollover, "_plan_copy_to_next_year", real)
    response = client.post(reverse("ops:rollover", args=[trust.slug]), follow=True)
    text = response.content.decode()
    assert "Each school plan (SDP and BDP) as next year&#x27;s draft: 3 created." in text
    assert SchoolPlan.objects.filter(academic_year=following).count() == 3
    assert SelfEvaluation.objects.filter(academic_year=following).count() == 2


def _row(page: str, key: str) -> str:
    start = page.index(f'id="step-{key}"')
    return page[start : page.index("</tr>", start)]


def test_failed_step_is_named_on_the_page(trust, world, client, monkeypatch):
    def boom(turn, actor):
        raise ValidationError("Triad 1 has fewer than two schools.")

    steps = [
        s if s.key != "triads" else rollover.Step(s.key, s.title, s.survey, boom)
        for s in rollover.STEPS
    ]
    monkeypatch.setattr(rollover, "STEPS", steps)
    client.force_login(world.user("trust_leader"))
    text = client.post(reverse("ops:rollover", args=[trust.slug]), follow=True).content.decode()
    assert "Step “Peer-review triads and the rota” failed and was left as it was" in text
    assert "Triad 1 has fewer than two schools." in text
    assert "The steps before it are done" in text


def test_a_strategic_plan_ending_this_year_gets_a_draft_successor(trust, world):
    plan = StrategicPlan.objects.get(trust=trust)
    plan.years = 1
    plan.save()
    rollover.rollover_run(actor=world.user("trust_administrator"), trust=trust)
    following = _this_year(world).start_year + 1
    successor = StrategicPlan.objects.get(trust=trust, first_year=following)
    assert successor.title.endswith("(draft)") and not successor.versions.exists()
    assert list(successor.priorities.values_list("code", flat=True)) == ["MSP1", "MSP10"]
    guide = PocketGuide.objects.get(academic_year__start_year=following)
    assert guide.strategic_plan == successor
    assert [i.priority.code for i in guide.items.all()] == ["MSP1"]
    plan.refresh_from_db()
    assert plan.years == 1 and plan.priorities.count() == 2  # the old plan is untouched


def test_carried_forward_mark_clears_when_the_school_edits_the_judgement(trust, world):
    rollover.rollover_run(actor=world.user("trust_administrator"), trust=trust)
    judgement = AreaJudgement.objects.get(
        sef__school=world.school_a1,
        sef__academic_year__start_year=_this_year(world).start_year + 1,
        area_code="inclusion",
    )
    assert judgement.carried_forward
    sef_services.judgement_update(
        actor=world.user("headteacher"), judgement=judgement, summary="This year's own words"
    )
    judgement.refresh_from_db()
    assert not judgement.carried_forward


@pytest.mark.parametrize("role", ["headteacher", "trustee", "trust_data_manager"])
def test_only_the_roll_over_rule_lets_anyone_run_it(trust, world, client, role):
    with pytest.raises(PermissionDenied):
        rollover.rollover_run(actor=world.user(role), trust=trust)
    client.force_login(world.user(role))
    assert client.post(reverse("ops:rollover", args=[trust.slug])).status_code in (403, 404)
    assert not AcademicYear.objects.filter(trust=trust, start_year=_this_year(world).start_year + 1)


def test_the_apps_own_rules_are_not_weakened(trust, world):
    """The administrator runs the roll-over, but still may not copy a plan or start a SEF."""
    admin = world.user("trust_administrator")
    rollover.rollover_run(actor=admin, trust=trust)
    plan = SchoolPlan.objects.get(
        school=world.school_a2, academic_year__start_year=_this_year(world).start_year
    )
    SchoolPlan.objects.filter(school=world.school_a2, academic_year__is_current=False).delete()
    with pytest.raises(PermissionDenied):
        plan_copy_to_next_year(actor=admin, plan=plan)
    sef = SelfEvaluation.objects.get(school=world.school_a2, academic_year=_this_year(world))
    with pytest.raises(PermissionDenied):
        sef_services.sef_start_next_year(actor=admin, sef=sef)


def test_page_queries_do_not_grow_with_schools(trust, world, client):
    client.force_login(world.user("trust_administrator"))
    url = reverse("ops:rollover", args=[trust.slug])
    client.get(url)  # warm the session (the idle-session clock writes once)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(4):
        school = make_school(trust, world.hub_2, name=f"Extra {n}")
        make_sef(school)
        plan_for(school)
    after = count()
    print(f"roll-over page queries: {before} -> {after} with 4 more schools")
    assert after == before <= 40
