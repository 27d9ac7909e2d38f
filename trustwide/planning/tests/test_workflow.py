"""Every workflow transition, and who may make it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from trustwide.audit.models import AuditEvent
from trustwide.planning import services
from trustwide.planning.models import PlanStatus, SchoolPlan, SuccessCriterion

from .factories import plan_for
from .test_signoff import board_meeting

TODAY = timezone.localdate


def events(plan, action=None):
    qs = AuditEvent.objects.filter(object_type="planning.schoolplan", object_id=str(plan.pk))
    return list(qs.filter(action=action) if action else qs)


def reload(plan):
    return SchoolPlan.objects.select_related("school", "academic_year").get(pk=plan.pk)


def test_full_workflow_with_the_right_people(world):
    plan = plan_for(world.school_a1, owner=world.user("teacher"))
    head, governor = world.user("headteacher"), world.user("local_governor")

    plan = services.plan_submit(actor=world.user("senior_leader"), plan=plan)
    assert plan.status == PlanStatus.SUBMITTED and plan.submitted_by == world.user("senior_leader")
    plan = services.plan_agree(
        actor=governor, plan=reload(plan), meeting="LGC autumn 1", agreed_on=TODAY()
    )
    assert (plan.status, plan.agreed_by, plan.agreed_meeting) == (
        PlanStatus.AGREED,
        governor,
        "LGC autumn 1",
    )
    ceo = world.user("trust_leader")
    plan = services.plan_sign_off(actor=ceo, plan=reload(plan))
    plan = services.plan_board_agree(
        actor=ceo, plan=reload(plan), meeting=board_meeting(world.trust_a)
    )
    assert plan.status == PlanStatus.IN_PROGRESS
    priority = plan.priorities.get()
    with pytest.raises(ValidationError) as exc:
        services.plan_evaluate(actor=head, plan=reload(plan), impact_statements={})
    assert f"impact_{priority.pk}" in exc.value.message_dict
    plan = services.plan_evaluate(
        actor=head, plan=reload(plan), impact_statements={priority.pk: "Gap closed by 8 points."}
    )
    assert plan.status == PlanStatus.EVALUATED
    assert plan.priorities.get().impact_statement == "Gap closed by 8 points."
    assert [e.action for e in reversed(events(plan))] == [
        "submit",
        "agree",
        "sign off",
        "board agree",
        "evaluate",
    ]
    agree = events(plan, "agree")[0]
    assert agree.actor == governor and agree.school_id == world.school_a1.pk
    # An evaluated plan is closed to edits.
    with pytest.raises(ValidationError):
        services.action_update(actor=head, action=priority.actions.get(), what="Changed")


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("headteacher", True),
        ("senior_leader", True),
        ("executive_headteacher", True),
        ("trust_leader", False),
        ("middle_leader", False),
        ("teacher", False),
        ("local_governor", False),
        ("trustee", False),
        ("peer_reviewer", False),
    ],
)
def test_who_may_submit(world, role, allowed):
    plan = plan_for(world.school_a1, owner=world.user("teacher"))
    if allowed:
        assert (
            services.plan_submit(actor=world.user(role), plan=plan).status == PlanStatus.SUBMITTED
        )
    else:
        with pytest.raises(PermissionDenied):
            services.plan_submit(actor=world.user(role), plan=plan)
        assert reload(plan).status == PlanStatus.DRAFT


@pytest.mark.parametrize(
    "role", ["headteacher", "senior_leader", "trust_leader", "trustee", "executive_headteacher"]
)
def test_only_governors_agree(world, role):
    plan = plan_for(world.school_a1, owner=world.user("teacher"), status=PlanStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.plan_agree(actor=world.user(role), plan=plan, meeting="LGC", agreed_on=TODAY())


def test_agreement_needs_meeting_and_past_date(world):
    plan = plan_for(world.school_a1, owner=world.user("teacher"), status=PlanStatus.SUBMITTED)
    governor = world.user("local_governor")
    with pytest.raises(ValidationError) as exc:
        services.plan_agree(
            actor=governor, plan=plan, meeting=" ", agreed_on=TODAY() + datetime.timedelta(days=3)
        )
    assert set(exc.value.message_dict) == {"meeting", "agreed_on"}
    assert reload(plan).status == PlanStatus.SUBMITTED


def test_transitions_out_of_order_are_refused(world):
    plan = plan_for(world.school_a1, owner=world.user("teacher"))
    head = world.user("headteacher")
    with pytest.raises(
        ValidationError, match="trust board's agreement is recorded; this one is draft"
    ):
        services.plan_start(actor=head, plan=plan)
    with pytest.raises(ValidationError, match="submitted to governors"):
        services.plan_agree(
            actor=world.user("local_governor"), plan=plan, meeting="LGC", agreed_on=TODAY()
        )
    with pytest.raises(ValidationError):
        services.plan_evaluate(actor=head, plan=plan, impact_statements={})


def test_governor_or_leader_may_return_a_submitted_plan(world):
    plan = plan_for(world.school_a1, owner=world.user("teacher"), status=PlanStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.plan_return(actor=world.user("teacher"), plan=plan, reason="No")
    with pytest.raises(ValidationError):
        services.plan_return(actor=world.user("local_governor"), plan=plan, reason="")
    plan = services.plan_return(
        actor=world.user("local_governor"), plan=plan, reason="Targets too low in maths."
    )
    assert plan.status == PlanStatus.DRAFT
    assert events(plan, "comment")[0].after == {"reason": "Targets too low in maths."}


def test_smart_failures_block_submission_until_overridden(world):
    plan = plan_for(world.school_a1, owner=world.user("teacher"))
    SuccessCriterion.objects.create(priority=plan.priorities.get(), description="Improve reading")
    head = world.user("headteacher")
    with pytest.raises(ValidationError, match="1 success criterion is not SMART"):
        services.plan_submit(actor=head, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_smart_override(
            actor=world.user("senior_leader"), plan=plan, reason="Because we say so, ok"
        )
    with pytest.raises(ValidationError):
        services.plan_smart_override(actor=head, plan=plan, reason="short")
    services.plan_smart_override(
        actor=head, plan=plan, reason="Reading measure agreed with the trust in spring."
    )
    plan = reload(plan)
    assert plan.smart_override_by == head and events(plan, "override SMART check")
    assert (
        services.plan_submit(actor=world.user("senior_leader"), plan=plan).status
        == PlanStatus.SUBMITTED
    )


@pytest.mark.parametrize("role", ["trust_leader", "executive_headteacher", "headteacher"])
def test_override_holders(world, role):
    plan = plan_for(world.school_a1, owner=world.user("teacher"))
    services.plan_smart_override(
        actor=world.user(role), plan=plan, reason="A reason long enough to record."
    )


def test_edits_after_agreement_show_in_the_plan_history(world, login):
    plan = plan_for(world.school_a1, owner=world.user("teacher"), status=PlanStatus.AGREED)
    action = plan.priorities.get().actions.get()
    services.action_update(
        actor=world.user("headteacher"), action=action, what="Phonics catch-up, twice daily"
    )
    services.criterion_create(
        actor=world.user("headteacher"),
        priority=plan.priorities.get(),
        description="Phonics pass rate rises to 85%",
        measure="% passing",
        target="85",
    )
    [changed] = events(plan, "changed after agreement")
    assert (
        changed.before["what"] == "Phonics catch-up"
        and changed.after["what"] == "Phonics catch-up, twice daily"
    )
    assert events(plan, "added after agreement")
    # Governors see it on the plan page.
    body = (
        login(world.user("local_governor"))
        .get(reverse("planning:plan-detail", args=[plan.pk]))
        .content.decode()
    )
    assert "changed after agreement" in body and "twice daily" in body
    # Before agreement, edits are ordinary (no note on the plan).
    draft = plan_for(world.school_a2)
    services.action_update(
        actor=None, actor_label="test", action=draft.priorities.get().actions.get(), what="X"
    )
    assert not events(draft)


def test_workflow_buttons_via_views(world, login):
    plan = plan_for(world.school_a1, owner=world.user("teacher"))
    client = login(world.user("headteacher"))
    response = client.post(reverse("planning:plan-submit", args=[plan.pk]))
    assert response.status_code == 302 and reload(plan).status == PlanStatus.SUBMITTED
    # Submitting again is refused with a message, not an error page.
    response = client.post(reverse("planning:plan-submit", args=[plan.pk]), follow=True)
    assert "Only a plan that is draft can be submitted" in response.content.decode()
    governor = login(world.user("local_governor"))
    bad = governor.post(
        reverse("planning:plan-agree", args=[plan.pk]), {"meeting": "", "agreed_on": ""}
    )
    assert bad.status_code == 400 and reload(plan).status == PlanStatus.SUBMITTED
    ok = governor.post(
        reverse("planning:plan-agree", args=[plan.pk]),
        {"meeting": "LGC 14 October", "agreed_on": TODAY().isoformat()},
    )
    assert ok.status_code == 302 and reload(plan).status == PlanStatus.AGREED
