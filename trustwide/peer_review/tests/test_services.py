"""Services: rota, access, findings feeding SEF accuracy, actions into the plan, agreement,
support categories. Each asserts the audit rows it wrote where it matters."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.world import grant, make_school, make_user
from trustwide.access import Perm, can
from trustwide.access.scope import forget_cached_grants
from trustwide.accounts.roles import Role
from trustwide.audit.models import AuditEvent
from trustwide.evaluation.models import Validation, ValidatorRole
from trustwide.evaluation.selectors import sef_pairs
from trustwide.evaluation.tests.factories import make_sef
from trustwide.peer_review import services
from trustwide.peer_review.models import (
    Review,
    ReviewAction,
    ReviewStatus,
    SupportAssessment,
    Triad,
)
from trustwide.peer_review.rota import Visit
from trustwide.planning import services as planning
from trustwide.planning.tests.factories import plan_for


@pytest.fixture
def six(world):
    """Trust A with six schools, each with a headteacher."""
    trust = world.trust_a
    schools = [world.school_a1, world.school_a2] + [
        make_school(trust, world.hub_1 if i % 2 else world.hub_2, name=f"Extra {i}")
        for i in range(4)
    ]
    heads = {world.school_a1.pk: world.users["headteacher"]}
    for s in schools[1:]:
        user = make_user(f"head_{s.pk}")
        grant(user, Role.HEADTEACHER, trust=trust, school=s)
        heads[s.pk] = user
    return schools, heads


def test_rota_create_forms_triads_reviews_and_timeboxed_access(world, six):
    schools, heads = six
    leader = world.users["trust_leader"]
    year = world.trust_a.academic_years.get(is_current=True)
    groups = [schools[:3], schools[3:]]
    reviews = services.rota_create(
        actor=leader, trust=world.trust_a, academic_year=year, groups=groups
    )
    assert len(reviews) == 6 and Triad.objects.filter(academic_year=year).count() == 2
    for r in reviews:
        reviewer_schools = {p.from_school_id for p in r.reviewers.all()}
        triad_ids = {s.pk for s in r.triad.schools.all()}
        assert r.school_id not in reviewer_schools and reviewer_schools <= triad_ids
        for p in r.reviewers.all():
            assert p.user == heads[p.from_school_id]
            assert p.membership.role == Role.PEER_REVIEWER and p.membership.school_id == r.school_id
            assert (p.membership.starts_on, p.membership.ends_on) == (r.access_from, r.access_until)
    assert AuditEvent.objects.filter(object_type="peer_review.review", action="create").count() == 6
    assert (
        AuditEvent.objects.filter(object_type="accounts.membership", action="create").count() >= 12
    )


def test_bad_rota_is_refused_with_the_reason(world, six):
    schools, _ = six
    leader = world.users["trust_leader"]
    year = world.trust_a.academic_years.get(is_current=True)
    with pytest.raises(ValidationError) as exc:
        services.rota_create(
            actor=leader, trust=world.trust_a, academic_year=year, groups=[schools[:3]]
        )
    assert any("is in no triad" in m for m in exc.value.messages)
    assert any("is not reviewed this year" in m for m in exc.value.messages)
    ids = [s.pk for s in schools[:3]]
    visits = [
        Visit(ids[0], 0, (ids[0], ids[1])),
        Visit(ids[1], 1, (ids[0], ids[2])),
        Visit(ids[2], 2, (ids[0],)),
    ]
    with pytest.raises(ValidationError) as exc:
        services.rota_create(
            actor=leader,
            trust=world.trust_a,
            academic_year=year,
            groups=[schools[:3], schools[3:]],
            visits=visits
            + [Visit(s.pk, 0, (schools[3].pk,)) for s in schools[4:]]
            + [Visit(schools[3].pk, 0, (schools[4].pk,))],
        )
    assert f"{schools[0].name} would review itself." in exc.value.messages
    assert not Review.objects.exists()


def test_only_trust_leaders_form_rotas(world, six):
    schools, _ = six
    year = world.trust_a.academic_years.get(is_current=True)
    with pytest.raises(PermissionDenied):
        services.rota_create(
            actor=world.users["headteacher"],
            trust=world.trust_a,
            academic_year=year,
            groups=[schools[:3], schools[3:]],
        )


def test_peer_reviewer_access_ends_on_its_end_date(world, six):
    schools, heads = six
    year = world.trust_a.academic_years.get(is_current=True)
    reviews = services.rota_create(
        actor=None,
        actor_label="test",
        trust=world.trust_a,
        academic_year=year,
        groups=[schools[:3], schools[3:]],
    )
    review = reviews[0]
    reviewer = review.reviewers.first().user
    school = review.school

    def allowed_on(day):
        forget_cached_grants(reviewer)
        with mock.patch.object(timezone, "localdate", return_value=day):
            return can(reviewer, Perm.SEF_VIEW, school), can(
                reviewer, Perm.PEER_REVIEW_WRITE, school
            )

    assert allowed_on(review.access_from - datetime.timedelta(days=1)) == (False, False)
    assert allowed_on(review.visit_on) == (True, True)
    assert allowed_on(review.access_until) == (True, True)
    assert allowed_on(review.access_until + datetime.timedelta(days=1)) == (False, False)


def test_reviewer_never_sees_pupil_names(world):
    reviewer = world.users["peer_reviewer"]
    assert can(reviewer, Perm.SEF_VIEW, world.school_a1)
    assert not can(reviewer, Perm.PUPILS_VIEW, world.school_a1)


def _reviewed_by_head_of_a2(world):
    """A review of A1 in which A2's headteacher holds time-boxed reviewer access."""
    head_a2 = make_user("head_a2")
    grant(head_a2, Role.HEADTEACHER, trust=world.trust_a, school=world.school_a2)
    year = world.trust_a.academic_years.get(is_current=True)
    triad = Triad.objects.create(trust=world.trust_a, academic_year=year, number=1)
    triad.schools.set([world.school_a1, world.school_a2])
    today = timezone.localdate()
    review = Review.objects.create(
        school=world.school_a1,
        academic_year=year,
        triad=triad,
        term=0,
        visit_on=today,
        access_from=today - datetime.timedelta(days=3),
        access_until=today + datetime.timedelta(days=3),
        focus="Reading",
    )
    services.reviewer_add(
        actor=world.users["trust_leader"], review=review, user=head_a2, from_school=world.school_a2
    )
    forget_cached_grants(head_a2)
    return review, head_a2


def test_findings_feed_sef_accuracy_as_peer_validation(world):
    sef = make_sef(world.school_a1, submit=True)
    judgement = sef.judgements.exclude(grade_code="").first()
    review, head_a2 = _reviewed_by_head_of_a2(world)
    spec = sef.framework.spec
    other = next(
        g.code for g in spec.scale_for(judgement.area_code).grades if g.code != judgement.grade_code
    )
    finding = services.finding_record(
        actor=head_a2,
        review=review,
        area_code=judgement.area_code,
        findings="Leaders are more generous than the evidence.",
        agrees=False,
        grade_code=other,
    )
    v = finding.validation
    assert v is not None and v.role == ValidatorRole.PEER_REVIEWER and v.validator == head_a2
    assert v.grade_code == other and not v.agrees
    assert (
        AuditEvent.objects.filter(object_type="evaluation.validation", action="create").count() == 1
    )
    assert AuditEvent.objects.filter(object_type="peer_review.finding", actor=head_a2).count() == 1
    pairs = sef_pairs(type(sef).objects.prefetch_related("judgements__validations").get(pk=sef.pk))
    assert any(p.area == judgement.area_code and p.validated_rank != p.self_rank for p in pairs)


def test_a_school_cannot_review_itself(world):
    review, _ = _reviewed_by_head_of_a2(world)
    with pytest.raises(ValidationError):
        services.reviewer_add(
            actor=world.users["trust_leader"],
            review=review,
            user=world.users["headteacher"],
            from_school=world.school_a1,
        )


def test_heads_own_school_findings_are_refused(world):
    review, _ = _reviewed_by_head_of_a2(world)
    with pytest.raises(PermissionDenied):
        services.finding_record(
            actor=world.users["headteacher"], review=review, area_name="Reading", findings="x"
        )


def test_external_partner_judgements_count_as_external_validation(world):
    sef = make_sef(world.school_a1, submit=True)
    judgement = sef.judgements.exclude(grade_code="").first()
    year = world.trust_a.academic_years.get(is_current=True)
    review = services.external_review_create(
        actor=world.users["trust_leader"],
        school=world.school_a1,
        academic_year=year,
        visit_on=timezone.localdate(),
        focus="Curriculum",
        partners=[{"name": "Pat Auditor", "organisation": "Northern Audit Partners"}],
    )
    assert review.reviewers.get().is_external
    finding = services.finding_record(
        actor=world.users["trust_leader"],
        review=review,
        area_code=judgement.area_code,
        findings="Agreed.",
        agrees=True,
    )
    assert finding.validation.role == ValidatorRole.EXTERNAL and finding.validation.agrees
    assert "Pat Auditor" in finding.validation.validator_name


def test_draft_sef_is_not_fed_but_finding_is_kept(world):
    sef = make_sef(world.school_a1, grade="")
    review, head_a2 = _reviewed_by_head_of_a2(world)
    finding = services.finding_record(
        actor=head_a2,
        review=review,
        area_code=sef.judgements.first().area_code,
        findings="Notes",
        agrees=True,
    )
    assert finding.validation is None and "Not fed" in finding.validation_note
    assert not Validation.objects.exists()


def test_action_to_plan_link_both_ways_and_progress_shows(world):
    review, head_a2 = _reviewed_by_head_of_a2(world)
    item = services.review_action_create(
        actor=head_a2,
        review=review,
        what="Fluency training for Year 3",
        owner_name="English lead",
        due_on=timezone.localdate() + datetime.timedelta(days=40),
    )
    plan = plan_for(world.school_a1)
    priority = plan.priorities.first()
    with pytest.raises(PermissionDenied):
        services.review_action_to_plan(
            actor=world.users["trust_leader"], review_action=item, priority=priority
        )
    head = world.users["headteacher"]
    services.review_action_to_plan(actor=head, review_action=item, priority=priority)
    item.refresh_from_db()
    action = item.plan_action
    assert action.priority == priority and action.what == item.what
    assert list(action.review_actions.all()) == [item]  # and back from the plan to the review
    assert item.progress == "Not started"
    planning.action_progress_update(actor=head, action=action, status="in_progress")
    assert (
        ReviewAction.objects.select_related("plan_action").get(pk=item.pk).progress == "In progress"
    )
    with pytest.raises(ValidationError):
        services.review_action_to_plan(actor=head, review_action=item, priority=priority)


def test_headteacher_agrees_the_report(world):
    review, head_a2 = _reviewed_by_head_of_a2(world)
    services.review_report_save(
        actor=head_a2, review=review, summary="A strong visit.", strengths_to_share="Phonics"
    )
    with pytest.raises(PermissionDenied):
        services.review_agree(actor=world.users["local_governor"], review=review)
    with pytest.raises(PermissionDenied):
        services.review_agree(actor=head_a2, review=review)
    services.review_agree(actor=world.users["headteacher"], review=review)
    review.refresh_from_db()
    assert review.status == ReviewStatus.AGREED and review.agreed_by == world.users["headteacher"]
    assert AuditEvent.objects.filter(object_type="peer_review.review", action="agree").count() == 1


def test_support_assess_records_history_with_reasons(world):
    leader = world.users["trust_leader"]
    services.support_rule_save(
        actor=leader, trust=world.trust_a, settings={"targeted_from": 1, "intensive_from": 4}
    )
    first = services.support_assess(actor=leader, trust=world.trust_a)
    second = services.support_assess(actor=leader, trust=world.trust_a)
    assert len(first) == len(second) == 2
    assert SupportAssessment.objects.filter(school=world.school_a1).count() == 2
    assert all(a.reasons for a in first) and first[0].rule["targeted_from"] == 1
    with pytest.raises(PermissionDenied):
        services.support_assess(actor=world.users["executive_headteacher"], trust=world.trust_a)


def test_expertise_own_entry_only(world):
    teacher = world.users["teacher"]
    services.expertise_save(
        actor=teacher, trust=world.trust_a, user=teacher, subjects="reading", days_per_term=2
    )
    with pytest.raises(PermissionDenied):
        services.expertise_save(
            actor=teacher, trust=world.trust_a, user=world.users["headteacher"], subjects="x"
        )
    with pytest.raises(PermissionDenied):
        services.expertise_save(actor=teacher, trust=world.trust_b, user=teacher, subjects="x")


def test_collaboration_needs_the_five_tests_and_two_schools(world):
    leader = world.users["trust_leader"]
    with pytest.raises(ValidationError):
        services.collaboration_plan_create(
            actor=leader,
            trust=world.trust_a,
            title="Reading",
            schools=[world.school_a1],
            purpose="p",
            mutuality="m",
            change="c",
            pace="p",
            prioritisation="p",
        )
    plan = services.collaboration_plan_create(
        actor=leader,
        trust=world.trust_a,
        title="Reading",
        schools=[world.school_a1, world.school_a2],
        purpose="p",
        mutuality="m",
        change="c",
        pace="p",
        prioritisation="p",
    )
    assert plan.schools.count() == 2
