"""Writes of the dashboards app: the schools-of-concern rule, the head's report commentary,
and a concern turned into a draft priority (through planning's own service)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from trustwide.audit.services import audited_create, audited_update
from trustwide.common.services import require

from . import rules
from .models import ConcernRule, HeadReportCommentary

RULE_FIELDS = (
    "min_red_kpis",
    "min_red_priorities",
    "min_overdue_actions",
    "min_missing_datasets",
    "late_after_days",
)


@transaction.atomic
def concern_rule_save(*, actor, trust, actor_label=None, **values) -> ConcernRule:
    require(rules.may_change_concern_rule(actor, trust.pk), rules.CONCERN_RULE_REFUSED)
    bad = set(values) - set(RULE_FIELDS)
    if bad:
        raise ValueError(f"Unknown rule fields: {sorted(bad)}")
    rule = ConcernRule.objects.select_for_update().filter(trust=trust).first()
    if rule is None:
        return audited_create(
            actor=actor,
            actor_label=actor_label,
            model=ConcernRule,
            trust=trust,
            updated_by=actor,
            **values,
        )
    return audited_update(
        actor=actor, actor_label=actor_label, instance=rule, updated_by=actor, **values
    )


@transaction.atomic
def commentary_save(
    *, actor, school, term, summary: str, challenge: str, actor_label=None
) -> HeadReportCommentary:
    require(rules.may_edit_commentary(actor, school), rules.COMMENTARY_REFUSED)
    if term.academic_year.trust_id != school.trust_id:
        raise ValidationError({"term": "That term belongs to another trust."})
    existing = (
        HeadReportCommentary.objects.select_for_update().filter(school=school, term=term).first()
    )
    if existing is None:
        return audited_create(
            actor=actor,
            actor_label=actor_label,
            model=HeadReportCommentary,
            school=school,
            term=term,
            summary=summary,
            challenge=challenge,
            updated_by=actor,
        )
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=existing,
        summary=summary,
        challenge=challenge,
        updated_by=actor,
    )


@transaction.atomic
def concern_to_priority(*, actor, school, concern, academic_year, actor_label=None):
    """Add the concern as a new priority at the end of the school's improvement plan (SIP) for
    the year, with the evidence as its rationale. planning.priority_create re-checks PLAN_EDIT,
    validates and audits; a closed (evaluated) plan refuses it."""
    from trustwide.planning import services as planning
    from trustwide.planning.models import PlanKind, SchoolPlan

    require(rules.may_plan_from_concern(actor, school), rules.PLAN_EDIT_REFUSED)
    plan = (
        SchoolPlan.objects.select_related("school", "academic_year")
        .filter(school=school, academic_year=academic_year, kind=PlanKind.SIP)
        .first()
    )
    if plan is None:
        raise ValidationError(
            f"{school.name} has no improvement plan (SIP) for {academic_year.label} yet: "
            "create the plan first."
        )
    rationale = "From the data (Trustwide dashboard): " + "; ".join(concern.evidence)
    return planning.priority_create(
        actor=actor,
        actor_label=actor_label,
        plan=plan,
        title=concern.title[:300],
        rationale=rationale,
        intended_outcomes=f"{concern.kpi.name} at or better than the comparison it falls short of.",
    )
