"""The annual cycle driven by the product: a line naming a step completes its task when the
step is done by the service that does it (common/steps.py), audited, once; it is not ticked."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from trustwide.audit.models import AuditEvent
from trustwide.common import steps
from trustwide.governance import services
from trustwide.governance.models import CycleTask, Frequency
from trustwide.planning import services as planning
from trustwide.planning.models import PlanStatus
from trustwide.planning.tests.factories import plan_for, strategic_plan


def _line(world, event, *, per_school=True, month=None, frequency=Frequency.ONCE, title=None):
    leader = world.user("trust_leader")
    item = services.cycle_item_create(
        actor=leader,
        trust=world.trust_a,
        title=title or (steps.STEPS[event].label if event else "Tick me"),
        role="headteacher",
        per_school=per_school,
        frequency=frequency,
        month=month or timezone.localdate().month,
        day=28,
        event=event,
    )
    year = world.trust_a.academic_years.get(is_current=True)
    services.cycle_generate(actor=leader, trust=world.trust_a, academic_year=year)
    return item


def _task(item, school=None):
    return CycleTask.objects.get(item=item, school=school)


def test_signing_off_a_plan_completes_that_schools_task(world):
    item = _line(world, steps.PLAN_SIGNED_OFF)
    ceo = world.user("trust_leader")
    plan = plan_for(world.school_a1, status=PlanStatus.AGREED)
    planning.plan_sign_off(actor=ceo, plan=plan)
    task = _task(item, world.school_a1)
    assert (task.completed_on, task.completed_by) == (timezone.localdate(), ceo)
    other = _task(item, world.school_a2)
    assert other.completed_on is None  # another school's step is not done
    [event] = AuditEvent.objects.filter(
        object_type="governance.cycletask", object_id=str(task.pk), action="complete_step"
    )
    assert event.actor == ceo and event.school_id == world.school_a1.pk


def test_the_step_done_again_completes_nothing_more(world):
    item = _line(world, steps.PLAN_SIGNED_OFF)
    ceo = world.user("trust_leader")
    done = steps.step_done(
        trust=world.trust_a, school=world.school_a1, event=steps.PLAN_SIGNED_OFF, actor=ceo
    )
    again = steps.step_done(
        trust=world.trust_a, school=world.school_a1, event=steps.PLAN_SIGNED_OFF, actor=ceo
    )
    assert (done, again) == (1, 0)
    assert AuditEvent.objects.filter(action="complete_step").count() == 1
    assert _task(item, world.school_a1).completed_on == timezone.localdate()


def test_a_step_of_another_trust_completes_nothing_here(world):
    item = _line(world, steps.PLAN_SIGNED_OFF)
    assert (
        steps.step_done(trust=world.trust_b, school=world.school_b1, event=steps.PLAN_SIGNED_OFF)
        == 0
    )
    assert _task(item, world.school_a1).completed_on is None


def test_a_step_task_is_not_ticked_by_hand_but_a_plain_one_is(world):
    stepped = _line(world, steps.PLAN_SIGNED_OFF)
    plain = _line(world, "", title="Staff reminded of the priorities")
    head = world.user("headteacher")
    with pytest.raises(ValidationError, match="done in the product"):
        services.task_complete(actor=head, task=_task(stepped, world.school_a1))
    assert _task(stepped, world.school_a1).completed_on is None
    services.task_complete(actor=head, task=_task(plain, world.school_a1))
    assert _task(plain, world.school_a1).completed_on is not None


def test_the_april_and_may_drafts_complete_one_line_each(world):
    april = _line(world, steps.MSP_DRAFT_ISSUED, per_school=False, month=4)
    may = _line(world, steps.MSP_DRAFT_ISSUED, per_school=False, month=5)
    ceo = world.user("trust_leader")
    msp = strategic_plan(world.trust_a)
    planning.msp_version_issue(actor=ceo, strategic_plan=msp, label="First draft (April)")
    assert (_task(april).completed_on is not None, _task(may).completed_on) == (True, None)
    planning.msp_version_issue(actor=ceo, strategic_plan=msp, label="Second draft (May)")
    assert _task(may).completed_by == ceo


def test_a_termly_step_completes_the_term_it_is_done_in(world):
    item = _line(world, steps.MSP_RAG_DONE, per_school=False, frequency=Frequency.TERMLY)
    terms = list(world.trust_a.academic_years.get(is_current=True).terms.order_by("starts_on"))
    second = terms[1]
    steps.step_done(
        trust=world.trust_a,
        event=steps.MSP_RAG_DONE,
        when=second.starts_on + datetime.timedelta(days=7),
    )
    done = [t.due_on for t in CycleTask.objects.filter(item=item, completed_on__isnull=False)]
    assert len(done) == 1 and second.starts_on <= done[0] <= second.ends_on


def test_a_line_whose_step_is_per_school_cannot_be_for_the_trust(world):
    with pytest.raises(ValidationError, match="one task per school"):
        services.cycle_item_create(
            actor=world.user("trust_leader"),
            trust=world.trust_a,
            title="Sign-off",
            role="trust_leader",
            per_school=False,
            month=9,
            event=steps.PLAN_SIGNED_OFF,
        )


def test_my_tasks_links_a_step_to_its_page_instead_of_a_tick(world, login):
    stepped = _line(world, steps.PLAN_SUBMITTED, month=timezone.localdate().month)
    plain = _line(world, "", title="Hand-ticked line")
    page = login(world.user("headteacher")).get(reverse("governance:my-tasks")).content.decode()
    plan_list = reverse("planning:plan-list", args=[world.school_a1.pk])
    assert f'href="{plan_list}"' in page
    assert reverse("governance:task-complete", args=[_task(plain, world.school_a1).pk]) in page
    stepped_tick = reverse("governance:task-complete", args=[_task(stepped, world.school_a1).pk])
    assert stepped_tick not in page
