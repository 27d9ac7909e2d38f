"""The school plan's sign-off chain after governors agree: the trust signs off or returns it,
the trust board's agreement at a held board meeting puts it in progress; every return is kept."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from trustwide.audit.models import AuditEvent
from trustwide.governance.models import GoverningBody, Meeting
from trustwide.planning import services
from trustwide.planning.models import PlanStatus, Priority, SchoolPlan

from .factories import plan_for

TODAY = timezone.localdate


def events(plan, action):
    return list(
        AuditEvent.objects.filter(
            object_type="planning.schoolplan", object_id=str(plan.pk), action=action
        )
    )


def reload(plan):
    return SchoolPlan.objects.select_related("school", "academic_year").get(pk=plan.pk)


def board_meeting(trust, *, status="held", days_ago=3, kind="board", school=None):
    body = GoverningBody.objects.filter(
        trust=trust, kind=kind
    ).first() or GoverningBody.objects.create(
        trust=trust, kind=kind, name=f"{trust.name} {kind}", school=school
    )
    return Meeting.objects.create(
        body=body,
        held_on=TODAY() - datetime.timedelta(days=days_ago),
        title="Board meeting",
        status=status,
    )


def agreed_plan(world):
    return plan_for(world.school_a1, owner=world.user("teacher"), status=PlanStatus.AGREED)


def test_sign_off_then_board_agreement_puts_the_plan_in_progress(world):
    plan, ceo = agreed_plan(world), world.user("trust_leader")
    plan = services.plan_sign_off(actor=ceo, plan=plan)
    assert (plan.status, plan.signed_off_by) == (PlanStatus.SIGNED_OFF, ceo)
    [event] = events(plan, "sign off")
    assert (
        event.actor == ceo
        and event.after["status"] == "signed_off"
        and event.school_id == world.school_a1.pk
    )
    meeting = board_meeting(world.trust_a)
    plan = services.plan_board_agree(actor=ceo, plan=reload(plan), meeting=meeting)
    assert (plan.status, plan.board_meeting) == (PlanStatus.IN_PROGRESS, meeting)
    [event] = events(plan, "board agree")
    assert event.actor == ceo and event.after["status"] == "in_progress"


def test_a_plan_agreed_by_governors_cannot_start_before_the_trust_and_board(world):
    plan = agreed_plan(world)
    with pytest.raises(ValidationError, match="trust has signed it off"):
        services.plan_start(actor=world.user("headteacher"), plan=plan)
    with pytest.raises(ValidationError, match="signed off by the trust"):
        services.plan_board_agree(
            actor=world.user("trust_leader"), plan=plan, meeting=board_meeting(world.trust_a)
        )
    assert reload(plan).status == PlanStatus.AGREED and not events(plan, "board agree")


@pytest.mark.parametrize(
    "role", ["headteacher", "executive_headteacher", "local_governor", "trustee", "teacher"]
)
def test_only_trust_leaders_sign_off_return_or_record_the_board(world, role):
    plan, user = agreed_plan(world), world.user(role)
    with pytest.raises(PermissionDenied):
        services.plan_sign_off(actor=user, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_return_by_trust(
            actor=user, plan=plan, reason="Targets are far too low this year."
        )
    services.plan_sign_off(actor=world.user("trust_leader"), plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_board_agree(
            actor=user, plan=reload(plan), meeting=board_meeting(world.trust_a)
        )
    assert reload(plan).status == PlanStatus.SIGNED_OFF


def test_other_trusts_leader_may_not_sign_off(world):
    with pytest.raises(PermissionDenied):
        services.plan_sign_off(actor=world.extra["trust_b_leader"], plan=agreed_plan(world))


@pytest.mark.parametrize(
    "case, expected",
    [
        ("planned", "has not been held yet"),
        ("future", "has not been held yet"),
        ("lgc", "not a meeting of this trust's board"),
        ("other_trust", "not a meeting of this trust's board"),
        ("none", "Choose the trust board meeting"),
    ],
)
def test_board_agreement_needs_a_held_meeting_of_this_trusts_board(world, case, expected):
    ceo = world.user("trust_leader")
    plan = services.plan_sign_off(actor=ceo, plan=agreed_plan(world))
    meeting = {
        "planned": lambda: board_meeting(world.trust_a, status="planned"),
        "future": lambda: board_meeting(world.trust_a, days_ago=-7),
        "lgc": lambda: board_meeting(world.trust_a, kind="lgc", school=world.school_a1),
        "other_trust": lambda: board_meeting(world.trust_b),
        "none": lambda: None,
    }[case]()
    with pytest.raises(ValidationError, match=expected) as exc:
        services.plan_board_agree(actor=ceo, plan=reload(plan), meeting=meeting)
    assert set(exc.value.message_dict) == {"meeting"}
    assert reload(plan).status == PlanStatus.SIGNED_OFF and not events(plan, "board agree")


def test_trust_return_needs_a_reason_and_clears_the_agreement(world):
    plan, ceo = agreed_plan(world), world.user("trust_leader")
    SchoolPlan.objects.filter(pk=plan.pk).update(agreed_on=TODAY(), agreed_meeting="LGC autumn 1")
    with pytest.raises(ValidationError) as exc:
        services.plan_return_by_trust(actor=ceo, plan=reload(plan), reason="  no ")
    assert "reason" in exc.value.message_dict and reload(plan).status == PlanStatus.AGREED
    plan = services.plan_return_by_trust(
        actor=ceo, plan=reload(plan), reason="Maths targets are below the MSP floor."
    )
    assert (plan.status, plan.agreed_on, plan.agreed_meeting) == (PlanStatus.DRAFT, None, "")
    [event] = events(plan, "return by trust")
    assert (
        event.actor == ceo
        and event.before["status"] == "agreed"
        and event.after["status"] == "draft"
    )
    assert [r.reason for r in plan.returns.all()] == ["Maths targets are below the MSP floor."]


def test_a_signed_off_plan_can_still_be_returned_before_the_board(world):
    ceo = world.user("trust_leader")
    plan = services.plan_sign_off(actor=ceo, plan=agreed_plan(world))
    plan = services.plan_return_by_trust(
        actor=ceo, plan=reload(plan), reason="The board asked for a reading priority."
    )
    assert (plan.status, plan.signed_off_by) == (PlanStatus.DRAFT, None)


def test_a_plan_in_progress_cannot_be_returned_by_the_trust(world):
    plan = plan_for(world.school_a1, owner=world.user("teacher"), status=PlanStatus.IN_PROGRESS)
    with pytest.raises(
        ValidationError, match="Only a plan that is agreed by governors or signed off"
    ):
        services.plan_return_by_trust(
            actor=world.user("trust_leader"), plan=plan, reason="Too late to change it now."
        )


def test_a_plan_returned_twice_keeps_both_reasons_in_order(world):
    plan = plan_for(world.school_a1, owner=world.user("teacher"), status=PlanStatus.SUBMITTED)
    head, governor, ceo = (
        world.user("headteacher"),
        world.user("local_governor"),
        world.user("trust_leader"),
    )
    services.plan_return(actor=governor, plan=plan, reason="Attendance is missing from the plan.")
    services.plan_submit(actor=head, plan=reload(plan))
    services.plan_agree(
        actor=governor, plan=reload(plan), meeting="LGC spring 1", agreed_on=TODAY()
    )
    services.plan_return_by_trust(
        actor=ceo, plan=reload(plan), reason="Reading target below the trust's floor."
    )
    returns = list(reload(plan).returns.all())
    assert [(r.stage, r.reason, r.returned_by) for r in returns] == [
        ("governors", "Attendance is missing from the plan.", governor),
        ("trust", "Reading target below the trust's floor.", ceo),
    ]
    assert [e.after for e in reversed(events(plan, "comment"))] == [
        {"reason": "Attendance is missing from the plan."},
        {"reason": "Reading target below the trust's floor."},
    ]


def test_submission_refused_while_a_priority_has_no_success_criterion(world):
    plan = plan_for(world.school_a1, owner=world.user("teacher"))
    Priority.objects.create(plan=plan, number=2, title="Attendance of disadvantaged pupils")
    head = world.user("headteacher")
    services.plan_smart_override(
        actor=head, plan=plan, reason="Wording agreed with the trust in the spring."
    )
    with pytest.raises(ValidationError, match="priority 2 'Attendance of disadvantaged pupils'"):
        services.plan_submit(actor=head, plan=reload(plan))
    assert reload(plan).status == PlanStatus.DRAFT and not events(plan, "submit")


def test_plan_page_shows_every_return_reason_and_a_matching_status(world, login):
    plan = plan_for(world.school_a1, owner=world.user("teacher"), status=PlanStatus.SUBMITTED)
    services.plan_return(
        actor=world.user("local_governor"), plan=plan, reason="Attendance is missing."
    )
    SchoolPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.AGREED)
    services.plan_return_by_trust(
        actor=world.user("trust_leader"), plan=reload(plan), reason="Reading target too low."
    )
    page = (
        login(world.user("headteacher"))
        .get(reverse("planning:plan-detail", args=[plan.pk]))
        .content.decode()
    )
    first, second = page.index("Attendance is missing."), page.index("Reading target too low.")
    assert first < second
    assert "Returned by the trust" in page and '<span class="badge">Draft</span>' in page


def test_headteacher_home_page_shows_the_latest_return(world, login):
    plan = agreed_plan(world)
    services.plan_return_by_trust(
        actor=world.user("trust_leader"), plan=plan, reason="Reading target too low."
    )
    page = login(world.user("headteacher")).get(reverse("accounts:home")).content.decode()
    assert "Reading target too low." in page
    page = login(world.user("teacher")).get(reverse("accounts:home")).content.decode()
    assert "Reading target too low." not in page


def test_ceo_home_page_lists_plans_awaiting_sign_off(world, login):
    agreed_plan(world)
    page = login(world.user("trust_leader")).get(reverse("accounts:home")).content.decode()
    assert "awaits the trust&#x27;s sign-off" in page or "awaits the trust's sign-off" in page


def test_pages_walk_the_chain(world, login):
    plan, meeting = agreed_plan(world), board_meeting(world.trust_a)
    client = login(world.user("trust_leader"))
    assert client.post(reverse("planning:plan-sign-off", args=[plan.pk])).status_code == 302
    assert reload(plan).status == PlanStatus.SIGNED_OFF
    url = reverse("planning:plan-board-agree", args=[plan.pk])
    planned = board_meeting(world.trust_a, status="planned", days_ago=-10)
    page = client.post(url, {"meeting": planned.pk}).content.decode()
    assert "has not been held yet" in page and reload(plan).status == PlanStatus.SIGNED_OFF
    assert client.post(url, {"meeting": meeting.pk}).status_code == 302
    assert reload(plan).status == PlanStatus.IN_PROGRESS
    page = client.get(reverse("planning:plan-detail", args=[plan.pk])).content.decode()
    assert "Agreed by the trust board at Board meeting" in page


def test_trust_return_page_refuses_a_blank_reason(world, login):
    plan = agreed_plan(world)
    client = login(world.user("trust_leader"))
    url = reverse("planning:plan-trust-return", args=[plan.pk])
    assert "This field is required" in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Reading target is below the MSP floor."}).status_code == 302
    assert reload(plan).status == PlanStatus.DRAFT
