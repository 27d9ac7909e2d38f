"""Editing and deleting non-negotiables, collaboration plans, reviewers, findings and review
actions: each service writes its audit rows, bad input and refusals save nothing, a finding's
SEF validation follows it, and a removed reviewer loses their access to the school."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.world import grant, make_school, make_user
from trustwide.access.scope import forget_cached_grants
from trustwide.accounts.models import Membership
from trustwide.accounts.roles import Role
from trustwide.audit.models import AuditEvent
from trustwide.evaluation.models import SelfEvaluation, Validation
from trustwide.evaluation.selectors import sef_pairs
from trustwide.evaluation.tests.factories import make_sef
from trustwide.peer_review import services
from trustwide.peer_review.models import (
    CollaborationPlan,
    Finding,
    NonNegotiable,
    Review,
    ReviewAction,
    Reviewer,
    ReviewStatus,
    Triad,
)
from trustwide.planning.tests.factories import plan_for

from .factories import collaboration_for, non_negotiable_for, review_for

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def events_for(instance, action=None, pk=None):
    """pk: for an instance deleted in the test (Django clears its pk)."""
    events = AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(pk or instance.pk)
    )
    return list(events.filter(action=action) if action else events)


def _review_of_a1(world, *, starts_in_days=-3):
    """A peer review of A1 in its triad with A2; the visit's access window starts in `starts_in_days`."""
    year = world.trust_a.academic_years.get(is_current=True)
    triad = Triad.objects.create(trust=world.trust_a, academic_year=year, number=1)
    triad.schools.set([world.school_a1, world.school_a2])
    start = _today() + datetime.timedelta(days=starts_in_days)
    return Review.objects.create(
        school=world.school_a1,
        academic_year=year,
        triad=triad,
        term=0,
        visit_on=start + datetime.timedelta(days=3),
        access_from=start,
        access_until=start + datetime.timedelta(days=6),
        focus="Reading",
    )


def _reviewed_by_head_of_a2(world, *, starts_in_days=-3):
    """The review of A1, with A2's headteacher added as reviewer (time-boxed access to A1)."""
    head_a2 = make_user("head_a2")
    grant(head_a2, Role.HEADTEACHER, trust=world.trust_a, school=world.school_a2)
    review = _review_of_a1(world, starts_in_days=starts_in_days)
    reviewer = services.reviewer_add(
        actor=world.users["trust_leader"], review=review, user=head_a2, from_school=world.school_a2
    )
    forget_cached_grants(head_a2)
    return review, reviewer, head_a2


def _fresh_sef(sef):
    return SelfEvaluation.objects.prefetch_related("judgements__validations").get(pk=sef.pk)


def _pair_for(sef, area_code):
    return next((p for p in sef_pairs(_fresh_sef(sef)) if p.area == area_code), None)


# --------------------------------------------------------------------------- reviewers


def test_removing_a_reviewer_takes_back_their_access_to_the_school(world, client):
    review, reviewer, head_a2 = _reviewed_by_head_of_a2(world)
    membership = reviewer.membership
    assert membership is not None and membership.role == Role.PEER_REVIEWER
    school_page = reverse("trusts:school-detail", kwargs={"pk": world.school_a1.pk})
    review_page = reverse("peer_review:review-detail", kwargs={"pk": review.pk})
    client.force_login(head_a2)
    assert client.get(school_page).status_code == 200
    assert client.get(review_page).status_code == 200

    client.force_login(world.users["trust_leader"])
    url = reverse("peer_review:reviewer-remove", kwargs={"pk": reviewer.pk})
    page = client.get(url).content.decode()
    assert "is taken back" in page and "Remove reviewer" in page
    assert client.post(url).status_code == 302

    assert not Reviewer.objects.filter(pk=reviewer.pk).exists()
    membership.refresh_from_db()
    assert membership.ends_on == _today() - datetime.timedelta(days=1)
    assert len(events_for(reviewer, "delete", pk=reviewer.pk)) == 1
    [ended] = events_for(membership, "end")
    assert ended.after["ends_on"] == (_today() - datetime.timedelta(days=1)).isoformat()
    assert "peer review access" in ended.actor_label

    client.force_login(head_a2)
    assert client.get(school_page).status_code == 404
    assert client.get(review_page).status_code == 404


def test_removing_a_reviewer_before_the_access_starts_deletes_it(world):
    review, reviewer, head_a2 = _reviewed_by_head_of_a2(world, starts_in_days=10)
    membership_pk = reviewer.membership_id
    services.reviewer_remove(actor=world.users["executive_headteacher"], reviewer=reviewer)
    assert not Membership.objects.filter(pk=membership_pk).exists()
    assert len(events_for(Membership(), "delete", pk=membership_pk)) == 1
    assert not Membership.objects.filter(user=head_a2, role=Role.PEER_REVIEWER).exists()


def test_only_those_who_add_reviewers_remove_them(world):
    review, reviewer, head_a2 = _reviewed_by_head_of_a2(world)
    before = AuditEvent.objects.count()
    for role in ("headteacher", "peer_reviewer", "trustee"):
        with pytest.raises(PermissionDenied):
            services.reviewer_remove(actor=world.users[role], reviewer=reviewer)
    with pytest.raises(PermissionDenied):
        services.reviewer_remove(actor=head_a2, reviewer=reviewer)
    assert Reviewer.objects.filter(pk=reviewer.pk).exists()
    assert Membership.objects.get(pk=reviewer.membership_id).ends_on == review.access_until
    assert AuditEvent.objects.count() == before


# --------------------------------------------------------------------------- findings and SEF accuracy


def _disagreeing_finding(world):
    sef = make_sef(world.school_a1, submit=True)
    judgement = sef.judgements.exclude(grade_code="").first()
    review, _, head_a2 = _reviewed_by_head_of_a2(world)
    grades = sef.framework.spec.scale_for(judgement.area_code).grades
    other = next(g.code for g in grades if g.code != judgement.grade_code)
    finding = services.finding_record(
        actor=head_a2,
        review=review,
        area_code=judgement.area_code,
        findings="Leaders are more generous than the evidence.",
        agrees=False,
        grade_code=other,
    )
    return sef, judgement, finding, head_a2


def test_editing_a_finding_moves_its_sef_validation(world):
    sef, judgement, finding, head_a2 = _disagreeing_finding(world)
    old = finding.validation
    pair = _pair_for(sef, judgement.area_code)
    assert pair is not None and pair.validated_rank != pair.self_rank

    finding = services.finding_update(
        actor=head_a2,
        finding=Finding.objects.get(pk=finding.pk),
        area_code=judgement.area_code,
        findings="On reflection, accurate.",
        agrees=True,
    )
    assert not Validation.objects.filter(pk=old.pk).exists()
    new = finding.validation
    assert (
        new.agrees
        and new.grade_code == judgement.grade_code
        and new.rationale == "On reflection, accurate."
    )
    assert finding.agrees is True and finding.grade_code == judgement.grade_code
    pair = _pair_for(sef, judgement.area_code)
    assert pair.validated_rank == pair.self_rank
    assert len(events_for(old, "delete", pk=old.pk)) == 1
    assert (
        AuditEvent.objects.filter(object_type="evaluation.validation", action="create").count() == 2
    )
    [update] = events_for(finding, "update")
    assert update.before["validation_id"] == old.pk and update.after["validation_id"] == new.pk
    assert update.before["agrees"] is False and update.after["agrees"] is True


def test_editing_a_finding_without_changing_its_view_keeps_the_validation(world):
    sef, judgement, finding, head_a2 = _disagreeing_finding(world)
    validation = finding.validation
    services.finding_update(
        actor=head_a2,
        finding=Finding.objects.get(pk=finding.pk),
        area_code=judgement.area_code,
        findings=finding.findings,
        strengths="Phonics teaching",
        agrees=False,
        grade_code=finding.grade_code,
    )
    finding.refresh_from_db()
    assert finding.validation_id == validation.pk and finding.strengths == "Phonics teaching"
    assert AuditEvent.objects.filter(object_type="evaluation.validation").count() == 1


def test_no_view_on_the_grade_withdraws_the_validation(world):
    sef, judgement, finding, head_a2 = _disagreeing_finding(world)
    services.finding_update(
        actor=head_a2,
        finding=Finding.objects.get(pk=finding.pk),
        area_code=judgement.area_code,
        findings="Notes only.",
        agrees=None,
    )
    finding.refresh_from_db()
    assert finding.validation is None and finding.agrees is None and finding.grade_code == ""
    assert not Validation.objects.exists()
    assert _pair_for(sef, judgement.area_code) is None


def test_deleting_a_finding_removes_its_validation_and_keeps_its_actions(world):
    sef, judgement, finding, head_a2 = _disagreeing_finding(world)
    validation = finding.validation
    action = services.review_action_create(
        actor=head_a2,
        review=finding.review,
        what="Moderate grading",
        owner_name="Deputy head",
        due_on=_today(),
        finding=finding,
    )
    services.finding_delete(actor=head_a2, finding=Finding.objects.get(pk=finding.pk))
    assert not Finding.objects.filter(pk=finding.pk).exists()
    assert not Validation.objects.filter(pk=validation.pk).exists()
    assert _pair_for(sef, judgement.area_code) is None
    assert len(events_for(finding, "delete", pk=finding.pk)) == 1
    assert len(events_for(validation, "delete", pk=validation.pk)) == 1
    action.refresh_from_db()
    assert action.finding is None
    [update] = events_for(action, "update")
    assert update.before["finding_id"] == finding.pk and update.after["finding_id"] is None


def test_bad_finding_edit_saves_nothing(world, client):
    sef, judgement, finding, head_a2 = _disagreeing_finding(world)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.finding_update(
            actor=head_a2,
            finding=Finding.objects.get(pk=finding.pk),
            area_code=judgement.area_code,
            findings="x",
            agrees=False,
            grade_code="",
        )
    assert "grade_code" in exc.value.message_dict
    # The school's own grade as a "different" grade: refused by the evaluation service after
    # the old validation was withdrawn, so the withdrawal rolls back too.
    with pytest.raises(ValidationError):
        services.finding_update(
            actor=head_a2,
            finding=Finding.objects.get(pk=finding.pk),
            area_code=judgement.area_code,
            findings="x",
            agrees=False,
            grade_code=judgement.grade_code,
        )
    client.force_login(head_a2)
    response = client.post(
        reverse("peer_review:finding-edit", kwargs={"pk": finding.pk}),
        {"area_code": judgement.area_code, "findings": "", "agrees": "yes"},
    )
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    saved = Finding.objects.get(pk=finding.pk)
    assert saved.findings == finding.findings and saved.validation_id == finding.validation_id
    assert Validation.objects.filter(pk=finding.validation_id).exists()
    assert AuditEvent.objects.count() == before


def test_finding_edit_page_saves_through_the_service(world, client):
    review = review_for(world.school_a1, reviewer_user=world.users["peer_reviewer"])
    finding = review.findings.get()
    client.force_login(world.users["peer_reviewer"])
    url = reverse("peer_review:finding-edit", kwargs={"pk": finding.pk})
    assert "Phonics is consistent." in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "area_name": "Reading",
            "findings": "Phonics is consistent and fluent.",
            "strengths": "",
            "agrees": "",
            "grade_code": "",
        },
    )
    assert response.status_code == 302
    assert Finding.objects.get(pk=finding.pk).findings == "Phonics is consistent and fluent."
    assert len(events_for(finding, "update")) == 1


def test_only_the_reviews_writers_change_findings_and_not_once_agreed(world, client):
    sef, judgement, finding, head_a2 = _disagreeing_finding(world)
    with pytest.raises(PermissionDenied):
        services.finding_delete(actor=world.users["headteacher"], finding=finding)
    review = finding.review
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.AGREED)
    finding = Finding.objects.get(pk=finding.pk)
    with pytest.raises(ValidationError):
        services.finding_delete(actor=head_a2, finding=finding)
    client.force_login(head_a2)
    url = reverse("peer_review:finding-delete", kwargs={"pk": finding.pk})
    page = client.get(url).content.decode()
    assert "The report has been agreed" in page and "<button" not in page.split("</h1>")[1]
    assert client.post(url).status_code == 400
    assert Finding.objects.filter(pk=finding.pk).exists() and Validation.objects.exists()


# --------------------------------------------------------------------------- review actions


def test_review_action_edit_is_audited_and_keeps_a_named_owner(world):
    review, _, head_a2 = _reviewed_by_head_of_a2(world)
    head = world.users["headteacher"]
    item = ReviewAction.objects.create(review=review, what="Fluency", owner=head, due_on=_today())
    services.review_action_update(
        actor=head_a2,
        review_action=item,
        what="Fluency in Year 3",
        owner=head,
        due_on=_today() + datetime.timedelta(days=30),
    )
    item.refresh_from_db()
    assert item.what == "Fluency in Year 3" and item.owner == head
    [event] = events_for(item, "update")
    assert event.before["what"] == "Fluency" and event.after["what"] == "Fluency in Year 3"
    services.review_action_update(
        actor=head_a2,
        review_action=item,
        what=item.what,
        owner_name="English lead",
        due_on=item.due_on,
    )
    item.refresh_from_db()
    assert item.owner is None and item.owner_label == "English lead"


def test_review_action_edit_page_keeps_the_owner_while_the_name_is_unchanged(world, client):
    review, _, head_a2 = _reviewed_by_head_of_a2(world)
    head = world.users["headteacher"]
    item = ReviewAction.objects.create(review=review, what="Fluency", owner=head, due_on=_today())
    client.force_login(head_a2)
    response = client.post(
        reverse("peer_review:action-edit", kwargs={"pk": item.pk}),
        {"what": "Fluency for all", "owner_name": str(head), "due_on": "2030-01-01"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (
        item.owner == head
        and item.what == "Fluency for all"
        and item.due_on == datetime.date(2030, 1, 1)
    )


def test_bad_review_action_edit_saves_nothing(world, client):
    review, _, head_a2 = _reviewed_by_head_of_a2(world)
    item = services.review_action_create(
        actor=head_a2, review=review, what="Fluency", owner_name="Lead", due_on=_today()
    )
    before = AuditEvent.objects.count()
    for bad in ({"what": "  ", "owner_name": "Lead"}, {"what": "Fluency", "owner_name": " "}):
        with pytest.raises(ValidationError):
            services.review_action_update(
                actor=head_a2,
                review_action=ReviewAction.objects.get(pk=item.pk),
                due_on=_today(),
                **bad,
            )
    with pytest.raises(ValidationError):
        services.review_action_update(
            actor=head_a2,
            review_action=item,
            what="Fluency",
            owner_name="Lead",
            due_on=_today(),
            status="complete",
        )  # not in the plan: no status
    with pytest.raises(PermissionDenied):
        services.review_action_update(
            actor=world.users["headteacher"],
            review_action=item,
            what="X",
            owner_name="Lead",
            due_on=_today(),
        )
    client.force_login(head_a2)
    response = client.post(
        reverse("peer_review:action-edit", kwargs={"pk": item.pk}),
        {"what": "Changed", "owner_name": "Lead", "due_on": "not a date"},
    )
    assert response.status_code == 400 and "Enter a valid date" in response.content.decode()
    saved = ReviewAction.objects.get(pk=item.pk)
    assert (saved.what, saved.owner_name, saved.due_on) == ("Fluency", "Lead", _today())
    assert AuditEvent.objects.count() == before


def _in_the_plan(world, head_a2):
    review = Review.objects.get(school=world.school_a1)
    item = services.review_action_create(
        actor=head_a2,
        review=review,
        what="Fluency training",
        owner_name="Lead",
        due_on=_today() + datetime.timedelta(days=40),
    )
    priority = plan_for(world.school_a1).priorities.first()
    services.review_action_to_plan(
        actor=world.users["headteacher"], review_action=item, priority=priority
    )
    return ReviewAction.objects.select_related("plan_action").get(pk=item.pk)


def test_review_action_in_the_plan_cannot_be_deleted(world, client):
    _, _, head_a2 = _reviewed_by_head_of_a2(world)
    item = _in_the_plan(world, head_a2)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.review_action_delete(actor=head_a2, review_action=item)
    assert "action of the school's plan" in exc.value.messages[0]
    client.force_login(head_a2)
    url = reverse("peer_review:action-delete", kwargs={"pk": item.pk})
    page = client.get(url).content.decode()
    assert "This cannot be deleted" in page and "action of the school&#x27;s plan" in page
    assert "<button" not in page.split("</h1>")[1]
    response = client.post(url)
    assert (
        response.status_code == 400
        and "action of the school&#x27;s plan" in response.content.decode()
    )
    assert ReviewAction.objects.filter(pk=item.pk, plan_action=item.plan_action).exists()
    assert AuditEvent.objects.count() == before
    review_page = client.get(
        reverse("peer_review:review-detail", kwargs={"pk": item.review_id})
    ).content.decode()
    assert reverse("peer_review:action-edit", kwargs={"pk": item.pk}) in review_page
    assert url not in review_page


def test_review_action_not_in_the_plan_is_deleted_and_audited(world, client):
    review, _, head_a2 = _reviewed_by_head_of_a2(world)
    item = services.review_action_create(
        actor=head_a2, review=review, what="Fluency", owner_name="Lead", due_on=_today()
    )
    client.force_login(head_a2)
    url = reverse("peer_review:action-delete", kwargs={"pk": item.pk})
    assert "Fluency" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not ReviewAction.objects.filter(pk=item.pk).exists()
    [event] = events_for(item, "delete", pk=item.pk)
    assert event.before["what"] == "Fluency"


def test_status_of_an_action_in_the_plan_is_the_plan_actions(world, client):
    _, _, head_a2 = _reviewed_by_head_of_a2(world)
    item = _in_the_plan(world, head_a2)
    url = reverse("peer_review:action-edit", kwargs={"pk": item.pk})
    # A reviewer from another school may not change the school's plan: no status field, and
    # the service refuses (nothing saved, the review action's change rolled back too).
    client.force_login(head_a2)
    assert 'name="status"' not in client.get(url).content.decode()
    with pytest.raises(PermissionDenied):
        services.review_action_update(
            actor=head_a2,
            review_action=item,
            what="Changed",
            owner_name="Lead",
            due_on=item.due_on,
            status="complete",
        )
    item = ReviewAction.objects.select_related("plan_action").get(pk=item.pk)
    assert item.what == "Fluency training"
    # The executive headteacher manages the review and leads the school's plan.
    eht = world.users["executive_headteacher"]
    client.force_login(eht)
    assert 'name="status"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "what": item.what,
            "owner_name": "Lead",
            "due_on": item.due_on.isoformat(),
            "status": "complete",
        },
    )
    assert response.status_code == 302
    item = ReviewAction.objects.select_related("plan_action").get(pk=item.pk)
    assert item.plan_action.status == "complete" and item.progress == "Complete"
    assert len(events_for(item.plan_action, "progress")) == 1
    assert not [
        e for e in events_for(item, "update") if e.actor == eht
    ]  # nothing of its own changed


# --------------------------------------------------------------------------- support


def test_non_negotiable_edit_and_delete_are_audited(world, client):
    leader = world.users["trust_leader"]
    item = non_negotiable_for(world.trust_a)
    services.non_negotiable_update(
        actor=leader,
        item=item,
        category="intensive",
        kind="monitoring",
        text="Fortnightly visits by the hub leader",
    )
    item.refresh_from_db()
    assert (item.category, item.kind) == ("intensive", "monitoring")
    [event] = events_for(item, "update")
    assert event.before["category"] == "targeted" and event.after["category"] == "intensive"
    client.force_login(leader)
    url = reverse("peer_review:non-negotiable-delete", kwargs={"pk": item.pk})
    assert "Fortnightly visits" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not NonNegotiable.objects.exists()
    assert len(events_for(item, "delete", pk=item.pk)) == 1


def test_bad_non_negotiable_edit_saves_nothing(world, client):
    item = non_negotiable_for(world.trust_a)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.non_negotiable_update(
            actor=world.users["trust_leader"],
            item=item,
            category="nonsense",
            kind="strategy",
            text="x",
        )
    with pytest.raises(ValidationError):
        services.non_negotiable_update(
            actor=world.users["trust_leader"],
            item=NonNegotiable.objects.get(pk=item.pk),
            category="targeted",
            kind="strategy",
            text="   ",
        )
    with pytest.raises(PermissionDenied):
        services.non_negotiable_update(
            actor=world.users["executive_headteacher"],
            item=item,
            category="targeted",
            kind="strategy",
            text="x",
        )
    client.force_login(world.users["trust_leader"])
    response = client.post(
        reverse("peer_review:non-negotiable-edit", kwargs={"pk": item.pk}),
        {"category": "targeted", "kind": "strategy", "text": ""},
    )
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert (
        NonNegotiable.objects.get(pk=item.pk).text == "Daily phonics for every pupil in Key Stage 1"
    )
    assert AuditEvent.objects.count() == before


def test_collaboration_edit_records_its_schools_and_delete_is_audited(world, client):
    leader = world.users["trust_leader"]
    third = make_school(world.trust_a, world.hub_1, name="A3 Primary")
    plan = collaboration_for(world.school_a1)
    client.force_login(leader)
    url = reverse("peer_review:collaboration-edit", kwargs={"pk": plan.pk})
    data = {
        "title": "Reading across three",
        "schools": [world.school_a1.pk, world.school_a2.pk, third.pk],
        "purpose": "Better reading",
        "mutuality": "All gain",
        "change": "Fluency lessons",
        "pace": "Termly",
        "prioritisation": "First priority",
    }
    assert client.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.title == "Reading across three" and plan.schools.count() == 3
    updates = events_for(plan, "update")
    assert len(updates) == 2
    schools_event = next(e for e in updates if "schools" in (e.after or {}))
    assert schools_event.after["schools"] == sorted(
        [world.school_a1.pk, world.school_a2.pk, third.pk]
    )
    delete_url = reverse("peer_review:collaboration-delete", kwargs={"pk": plan.pk})
    assert "Reading across three" in client.get(delete_url).content.decode()
    assert client.post(delete_url).status_code == 302
    assert not CollaborationPlan.objects.exists()
    assert len(events_for(plan, "delete", pk=plan.pk)) == 1


def test_bad_collaboration_edit_saves_nothing(world, client):
    plan = collaboration_for(world.school_a1)
    before = AuditEvent.objects.count()
    leader = world.users["trust_leader"]
    fields = dict(
        title="Alone", purpose="p", mutuality="m", change="c", pace="p", prioritisation="p"
    )
    with pytest.raises(ValidationError):
        services.collaboration_plan_update(
            actor=leader, plan=plan, schools=[world.school_a1], **fields
        )
    with pytest.raises(ValidationError):
        services.collaboration_plan_update(
            actor=leader, plan=plan, schools=[world.school_a1, world.school_b1], **fields
        )
    with pytest.raises(PermissionDenied):
        services.collaboration_plan_delete(actor=world.users["headteacher"], plan=plan)
    client.force_login(leader)
    response = client.post(
        reverse("peer_review:collaboration-edit", kwargs={"pk": plan.pk}),
        {**fields, "schools": [world.school_a1.pk, world.school_a2.pk], "pace": ""},
    )
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    plan = CollaborationPlan.objects.get(pk=plan.pk)
    assert plan.title == "Reading together" and plan.schools.count() == 2
    assert AuditEvent.objects.count() == before


def test_collaboration_a_school_does_not_see_is_absent(world, client):
    plan = CollaborationPlan.objects.create(
        trust=world.trust_a,
        title="Elsewhere",
        purpose="p",
        mutuality="m",
        change="c",
        pace="p",
        prioritisation="p",
    )
    plan.schools.set([world.school_a2, make_school(world.trust_a, world.hub_2)])
    client.force_login(world.users["headteacher"])  # of A1
    assert (
        client.get(reverse("peer_review:collaboration-edit", kwargs={"pk": plan.pk})).status_code
        == 404
    )
    client.force_login(world.users["trustee"])  # reads the whole trust, manages nothing
    assert (
        client.get(reverse("peer_review:collaboration-edit", kwargs={"pk": plan.pk})).status_code
        == 403
    )


# --------------------------------------------------------------------------- links and query counts


def test_edit_links_show_only_to_those_allowed(world, client):
    review = review_for(world.school_a1, reviewer_user=world.users["peer_reviewer"])
    finding, action, reviewer = review.findings.get(), review.actions.get(), review.reviewers.get()
    nn, plan = non_negotiable_for(world.trust_a), collaboration_for(world.school_a1)
    review_url = reverse("peer_review:review-detail", kwargs={"pk": review.pk})
    support_url = reverse("peer_review:support", kwargs={"slug": world.trust_a.slug})
    write_links = [
        reverse(f"peer_review:{n}", kwargs={"pk": finding.pk})
        for n in ("finding-edit", "finding-delete")
    ]
    write_links += [
        reverse(f"peer_review:{n}", kwargs={"pk": action.pk})
        for n in ("action-edit", "action-delete")
    ]
    remove_link = reverse("peer_review:reviewer-remove", kwargs={"pk": reviewer.pk})
    support_links = [
        reverse(f"peer_review:non-negotiable-{n}", kwargs={"pk": nn.pk}) for n in ("edit", "delete")
    ]
    support_links += [
        reverse(f"peer_review:collaboration-{n}", kwargs={"pk": plan.pk})
        for n in ("edit", "delete")
    ]

    def page(role, url):
        client.force_login(world.users[role])
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    as_reviewer = page("peer_reviewer", review_url)
    assert all(link in as_reviewer for link in write_links) and remove_link not in as_reviewer
    as_leader = page("trust_leader", review_url)
    assert all(link in as_leader for link in [*write_links, remove_link])
    as_head = page("headteacher", review_url)
    assert not any(link in as_head for link in [*write_links, remove_link])
    assert all(link in page("trust_leader", support_url) for link in support_links)
    for role in ("headteacher", "executive_headteacher", "trustee"):
        assert not any(link in page(role, support_url) for link in support_links), role


def _count_queries(client, url, django_assert_max_num_queries, cap=30):
    with django_assert_max_num_queries(cap) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_review_page_with_edit_links_does_not_query_per_row(
    world, client, django_assert_max_num_queries
):
    review = review_for(world.school_a1, reviewer_user=world.users["peer_reviewer"])
    client.force_login(world.users["trust_leader"])
    url = reverse("peer_review:review-detail", kwargs={"pk": review.pk})

    def add(n):
        for i in range(n):
            f = Finding.objects.create(review=review, area_name=f"Area {i}", findings="Notes")
            ReviewAction.objects.create(
                review=review, finding=f, what=f"Action {i}", owner_name="Lead", due_on=_today()
            )
            Reviewer.objects.create(
                review=review, name=f"Reviewer {i}", from_school=world.school_a2
            )

    add(2)
    few = _count_queries(client, url, django_assert_max_num_queries)
    add(15)
    assert _count_queries(client, url, django_assert_max_num_queries) <= few


def test_support_page_with_edit_links_does_not_query_per_row(
    world, client, django_assert_max_num_queries
):
    client.force_login(world.users["trust_leader"])
    url = reverse("peer_review:support", kwargs={"slug": world.trust_a.slug})

    def add(n):
        for i in range(n):
            NonNegotiable.objects.create(
                trust=world.trust_a, category="targeted", kind="strategy", text=f"Rule {i}"
            )
            plan = CollaborationPlan.objects.create(
                trust=world.trust_a,
                title=f"Plan {i}",
                purpose="p",
                mutuality="m",
                change="c",
                pace="p",
                prioritisation="p",
            )
            plan.schools.set([world.school_a1, world.school_a2])

    add(2)
    few = _count_queries(client, url, django_assert_max_num_queries)
    add(15)
    assert _count_queries(client, url, django_assert_max_num_queries) <= few


def test_a_trust_leader_corrects_and_removes_findings_that_fed_sef_accuracy(world, client):
    """Managers who may write up a review may edit or delete its findings, including ones a
    reviewer recorded and their own write-up; the SEF validation follows either way."""
    from trustwide.evaluation.models import Validation

    _sef, judgement, finding, _head_a2 = _disagreeing_finding(world)
    review = finding.review
    leader = world.user("trust_leader")
    client.force_login(leader)
    response = client.post(
        reverse("peer_review:finding-edit", args=[finding.pk]),
        {
            "area_code": judgement.area_code,
            "findings": "Corrected by the trust leader",
            "agrees": "yes",
        },
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.validation is not None and finding.validation.agrees
    old = finding.validation.pk
    assert client.post(reverse("peer_review:finding-delete", args=[finding.pk])).status_code == 302
    assert not Validation.objects.filter(pk=old).exists()

    own_area = judgement
    own = services.finding_record(
        actor=leader, review=review, area_code=own_area.area_code, findings="Accurate.", agrees=True
    )
    response = client.post(
        reverse("peer_review:finding-edit", args=[own.pk]),
        {
            "area_code": own_area.area_code,
            "findings": "Accurate, with a typo fixed.",
            "agrees": "yes",
        },
    )
    assert response.status_code == 302
