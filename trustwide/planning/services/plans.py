"""Writes to school plans (SIP and BDP) and their contents."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from trustwide.audit.models import AuditAction
from trustwide.audit.services import (
    audited_bulk_create,
    audited_create,
    audited_delete,
    audited_update,
    snapshot,
)
from trustwide.common.services import require
from trustwide.trusts.models import AcademicYear
from trustwide.trusts.utils import year_label

from .. import rules
from ..models import (
    OPEN_ACTION_STATUSES,
    Action,
    Milestone,
    PocketGuideItem,
    Priority,
    SchoolPlan,
    StaffObjective,
    SuccessCriterion,
)
from ._common import changed_only, note_edit_after_agreement, require_plan_edit


def _plan_of(instance) -> SchoolPlan:
    return instance.plan if isinstance(instance, Priority) else instance.priority.plan


def _create_in_plan(*, actor, in_plan: SchoolPlan, model, actor_label=None, **fields):
    require_plan_edit(actor, in_plan)
    instance = audited_create(actor=actor, actor_label=actor_label, model=model, **fields)
    note_edit_after_agreement(
        actor=actor,
        plan=in_plan,
        verb="added",
        instance=instance,
        before=None,
        after=snapshot(instance),
        actor_label=actor_label,
    )
    return instance


def _update_in_plan(*, actor, instance, actor_label=None, **changes):
    plan = _plan_of(instance)
    require_plan_edit(actor, plan)
    before = snapshot(instance)
    audited_update(actor=actor, actor_label=actor_label, instance=instance, **changes)
    old, new = changed_only(before, snapshot(instance))
    if new:
        note_edit_after_agreement(
            actor=actor,
            plan=plan,
            verb="changed",
            instance=instance,
            before=old,
            after=new,
            actor_label=actor_label,
        )
    return instance


def _delete_in_plan(*, actor, instance, actor_label=None) -> None:
    plan = _plan_of(instance)
    require_plan_edit(actor, plan)
    note_edit_after_agreement(
        actor=actor,
        plan=plan,
        verb="removed",
        instance=instance,
        before=snapshot(instance),
        after=None,
        actor_label=actor_label,
    )
    audited_delete(actor=actor, actor_label=actor_label, instance=instance)


# Plans ---------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor,
    school,
    academic_year: AcademicYear,
    kind: str,
    title: str = "",
    prefill: bool = True,
    actor_label=None,
) -> SchoolPlan:
    """A new draft plan; the year's pocket guide priorities for this kind of plan are pre-filled."""
    require(rules.may_edit_plans(actor, school), rules.PLAN_CREATE_REFUSED)
    if SchoolPlan.objects.filter(school=school, academic_year=academic_year, kind=kind).exists():
        raise ValidationError(
            {"kind": f"This school already has that plan for {academic_year.label}."}
        )
    plan = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=SchoolPlan,
        school=school,
        academic_year=academic_year,
        kind=kind,
        title=title,
    )
    if prefill:
        prefill_from_pocket_guide(actor=actor, plan=plan, actor_label=actor_label)
    return plan


def prefill_from_pocket_guide(*, actor, plan: SchoolPlan, actor_label=None) -> list[Priority]:
    items = (
        PocketGuideItem.objects.filter(
            guide__academic_year=plan.academic_year,
            guide__strategic_plan__trust_id=plan.school.trust_id,
            plan_kind=plan.kind,
        )
        .select_related("priority")
        .order_by("priority__number")
    )
    already = set(
        plan.priorities.filter(trust_priorities__isnull=False).values_list(
            "trust_priorities", flat=True
        )
    )
    number = max((p.number for p in plan.priorities.all()), default=0)
    created = []
    for item in items:
        if item.priority_id in already:
            continue
        number += 1
        priority = audited_create(
            actor=actor,
            actor_label=actor_label,
            model=Priority,
            plan=plan,
            number=number,
            title=f"{item.priority.title}: {item.headline}"
            if item.headline
            else item.priority.title,
            intended_outcomes=item.priority.long_term_goal,
            from_pocket_guide=True,
        )
        priority.trust_priorities.add(item.priority)
        created.append(priority)
    return created


def plan_update(*, actor, plan: SchoolPlan, actor_label=None, **changes) -> SchoolPlan:
    require_plan_edit(actor, plan)
    allowed = {"title"}
    bad = set(changes) - allowed
    if bad:
        raise ValueError(
            f"plan_update changes only {allowed}; use the workflow services for {bad}."
        )
    return audited_update(actor=actor, actor_label=actor_label, instance=plan, **changes)


# Priorities, actions, milestones, success criteria -------------------------------------------


@transaction.atomic
def priority_create(
    *, actor, plan: SchoolPlan, trust_priorities=(), actor_label=None, **fields
) -> Priority:
    if "number" not in fields or fields["number"] is None:
        fields["number"] = (max((p.number for p in plan.priorities.all()), default=0)) + 1
    priority = _create_in_plan(
        actor=actor, in_plan=plan, model=Priority, plan=plan, actor_label=actor_label, **fields
    )
    _set_trust_priorities(priority, trust_priorities)
    return priority


def _set_trust_priorities(priority: Priority, trust_priorities) -> None:
    trust_priorities = list(trust_priorities or [])
    for tp in trust_priorities:
        if tp.strategic_plan.trust_id != priority.plan.school.trust_id:
            raise ValidationError(
                {"trust_priorities": "Link priorities of this school's trust only."}
            )
    priority.trust_priorities.set(trust_priorities)


@transaction.atomic
def priority_update(
    *, actor, priority: Priority, trust_priorities=None, actor_label=None, **changes
) -> Priority:
    _update_in_plan(actor=actor, instance=priority, actor_label=actor_label, **changes)
    if trust_priorities is not None:
        before = sorted(priority.trust_priorities.values_list("pk", flat=True))
        _set_trust_priorities(priority, trust_priorities)
        after = sorted(tp.pk for tp in trust_priorities)
        if before != after:
            from trustwide.audit.services import record_event

            record_event(
                actor=actor,
                actor_label=actor_label,
                action=AuditAction.UPDATE,
                instance=priority,
                before={"trust_priorities": before},
                after={"trust_priorities": after},
            )
            note_edit_after_agreement(
                actor=actor,
                plan=priority.plan,
                verb="changed",
                instance=priority,
                before={"trust_priorities": before},
                after={"trust_priorities": after},
                actor_label=actor_label,
            )
    return priority


def priority_delete(*, actor, priority: Priority, actor_label=None) -> None:
    """Remove a priority, unless staff appraisal objectives cite it (they would lose what they
    cite and drop off the plan page): those are changed or removed first."""
    citing = StaffObjective.objects.filter(priority=priority).count()
    if citing:
        raise ValidationError(
            f"{citing} staff appraisal objective{'s' if citing != 1 else ''} cite{'s' if citing == 1 else ''} "
            "this priority: change or remove them first (Staff appraisal objectives on the plan page)."
        )
    _delete_in_plan(actor=actor, instance=priority, actor_label=actor_label)


def action_create(*, actor, priority: Priority, actor_label=None, **fields) -> Action:
    return _create_in_plan(
        actor=actor,
        in_plan=priority.plan,
        model=Action,
        priority=priority,
        actor_label=actor_label,
        **fields,
    )


def action_update(*, actor, action: Action, actor_label=None, **changes) -> Action:
    return _update_in_plan(actor=actor, instance=action, actor_label=actor_label, **changes)


def action_delete(*, actor, action: Action, actor_label=None) -> None:
    _delete_in_plan(actor=actor, instance=action, actor_label=actor_label)


def action_progress_update(
    *,
    actor,
    action: Action,
    status: str,
    spent=None,
    progress_note: str | None = None,
    actor_label=None,
) -> Action:
    require(rules.may_update_progress(actor, action), rules.PROGRESS_REFUSED)
    changes = {"status": status}
    if spent is not None:
        changes["spent"] = spent
    if progress_note is not None:
        changes["progress_note"] = progress_note
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=action,
        action=AuditAction.PROGRESS,
        **changes,
    )


def milestone_create(*, actor, priority: Priority, actor_label=None, **fields) -> Milestone:
    return _create_in_plan(
        actor=actor,
        in_plan=priority.plan,
        model=Milestone,
        priority=priority,
        actor_label=actor_label,
        **fields,
    )


def milestone_update(*, actor, milestone: Milestone, actor_label=None, **changes) -> Milestone:
    return _update_in_plan(actor=actor, instance=milestone, actor_label=actor_label, **changes)


def milestone_delete(*, actor, milestone: Milestone, actor_label=None) -> None:
    _delete_in_plan(actor=actor, instance=milestone, actor_label=actor_label)


def criterion_create(*, actor, priority: Priority, actor_label=None, **fields) -> SuccessCriterion:
    return _create_in_plan(
        actor=actor,
        in_plan=priority.plan,
        model=SuccessCriterion,
        priority=priority,
        actor_label=actor_label,
        **fields,
    )


def criterion_update(
    *, actor, criterion: SuccessCriterion, actor_label=None, **changes
) -> SuccessCriterion:
    return _update_in_plan(actor=actor, instance=criterion, actor_label=actor_label, **changes)


def criterion_delete(*, actor, criterion: SuccessCriterion, actor_label=None) -> None:
    _delete_in_plan(actor=actor, instance=criterion, actor_label=actor_label)


# Copy into next year -------------------------------------------------------------------------


def _shift_year(day: datetime.date | None, years: int = 1) -> datetime.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def plan_copy_to_next_year(
    *, actor, plan: SchoolPlan, prefill: bool = True, actor_label=None
) -> SchoolPlan:
    """A draft plan for the following year with the same priorities, criteria (dates moved on a
    year) and milestones, carrying forward every action not complete or dropped."""
    require(rules.may_edit_plans(actor, plan.school), rules.PLAN_CREATE_REFUSED)
    return _plan_copy_to_next_year(actor=actor, plan=plan, prefill=prefill, actor_label=actor_label)


@transaction.atomic
def _plan_copy_to_next_year(
    *, actor, plan: SchoolPlan, prefill: bool = True, actor_label=None
) -> SchoolPlan:
    """plan_copy_to_next_year without the permission check: the core the trust's roll-over
    calls once it has checked its own rule (trustwide.ops.rollover)."""
    next_year = (
        AcademicYear.objects.filter(
            trust_id=plan.school.trust_id, start_year=plan.academic_year.start_year + 1
        )
        .prefetch_related("terms")
        .first()
    )
    if next_year is None:
        raise ValidationError(
            f"The academic year {year_label(plan.academic_year.start_year + 1)} "
            "does not exist yet: ask a trust administrator to add it."
        )
    if SchoolPlan.objects.filter(
        school=plan.school, academic_year=next_year, kind=plan.kind
    ).exists():
        raise ValidationError(
            f"This school already has a {plan.get_kind_short()} for {next_year.label}."
        )
    new_plan = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=SchoolPlan,
        school=plan.school,
        academic_year=next_year,
        kind=plan.kind,
        title=plan.title.replace(plan.academic_year.label, next_year.label),
        copied_from=plan,
    )
    terms = {t.name: t for t in next_year.terms.all()}
    olds = list(
        plan.priorities.prefetch_related(
            "trust_priorities", "actions", "criteria", "milestones__term"
        )
    )
    # Each kind of row is created together (audited_bulk_create: the audit rows audited_create
    # writes), priorities first so the rows under them can point at them.
    news = audited_bulk_create(
        actor=actor,
        actor_label=actor_label,
        objects=[
            Priority(
                plan=new_plan,
                number=old.number,
                title=old.title,
                rationale=old.rationale,
                intended_outcomes=old.intended_outcomes,
                sef_area_codes=old.sef_area_codes,
                lead_id=old.lead_id,
                from_pocket_guide=old.from_pocket_guide,
                carried_from=old,
            )
            for old in olds
        ],
    )
    links = Priority.trust_priorities.through
    links.objects.bulk_create(
        [
            links(priority_id=new.pk, trustpriority_id=tp.pk)
            for old, new in zip(olds, news, strict=True)
            for tp in sorted(old.trust_priorities.all(), key=lambda tp: tp.pk)
        ]
    )
    pairs = list(zip(olds, news, strict=True))
    audited_bulk_create(
        actor=actor,
        actor_label=actor_label,
        objects=[
            SuccessCriterion(
                priority=new,
                description=c.description,
                measure=c.measure,
                measure_kind=c.measure_kind,
                baseline=c.baseline,
                target=c.target,
                target_date=_shift_year(c.target_date),
                owner_id=c.owner_id,
                kpi_code=c.kpi_code,
                kpi_group=c.kpi_group,
            )
            for old, new in pairs
            for c in old.criteria.all()
        ],
    )
    audited_bulk_create(
        actor=actor,
        actor_label=actor_label,
        objects=[
            Milestone(priority=new, term=terms[m.term.name], description=m.description)
            for old, new in pairs
            for m in old.milestones.all()
            if m.term.name in terms and not m.achieved
        ],
    )
    audited_bulk_create(
        actor=actor,
        actor_label=actor_label,
        objects=[
            Action(
                priority=new,
                what=a.what,
                how=a.how,
                why=a.why,
                owner_id=a.owner_id,
                supporters=a.supporters,
                starts_on=next_year.starts_on,
                due_on=max(_shift_year(a.due_on) or next_year.starts_on, next_year.starts_on)
                if a.due_on
                else None,
                cost=max(a.cost - a.spent, 0),
                budget_line=a.budget_line,
                staff_days=a.staff_days,
                status=a.status,
                progress_note=f"Carried forward from {plan.academic_year.label}.",
                carried_from=a,
            )
            for old, new in pairs
            for a in old.actions.all()
            if a.status in OPEN_ACTION_STATUSES
        ],
    )
    if prefill:
        prefill_from_pocket_guide(actor=actor, plan=new_plan, actor_label=actor_label)
    return new_plan


# Staff objectives ----------------------------------------------------------------------------


def staff_objective_create(
    *,
    actor,
    school,
    academic_year,
    user,
    text: str,
    priority=None,
    criterion=None,
    actor_label=None,
) -> StaffObjective:
    require(rules.may_edit_plans(actor, school), rules.OBJECTIVES_REFUSED)
    if (
        not user.memberships.filter(school=school).exists()
        and not user.memberships.filter(hub_id=school.hub_id, hub__isnull=False).exists()
    ):
        raise ValidationError({"user": "Choose a member of this school's staff."})
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=StaffObjective,
        school=school,
        academic_year=academic_year,
        user=user,
        text=text,
        priority=priority,
        criterion=criterion,
        created_by=actor,
    )


def staff_objective_update(
    *,
    actor,
    objective: StaffObjective,
    user,
    text: str,
    priority=None,
    criterion=None,
    actor_label=None,
) -> StaffObjective:
    """Change an appraisal objective: its wording, whose it is, or what it cites (a priority or
    success criterion of the same school's plan, checked by the model)."""
    school = objective.school
    require(rules.may_edit_plans(actor, school), rules.OBJECTIVES_REFUSED)
    if (
        user.pk != objective.user_id
        and not user.memberships.filter(school=school).exists()
        and not (user.memberships.filter(hub_id=school.hub_id, hub__isnull=False).exists())
    ):
        raise ValidationError({"user": "Choose a member of this school's staff."})
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=objective,
        user=user,
        text=text,
        priority=priority,
        criterion=criterion,
    )


def staff_objective_delete(*, actor, objective: StaffObjective, actor_label=None) -> None:
    require(rules.may_edit_plans(actor, objective.school), rules.OBJECTIVES_REFUSED)
    audited_delete(actor=actor, actor_label=actor_label, instance=objective)
