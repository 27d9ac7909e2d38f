"""The termly RAG of the trust strategic plan: trust leaders save a term's ratings of every
priority (derived, or overridden with a reason) with the central team's own ratings."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from trustwide.audit.services import audited_create, audited_update
from trustwide.common import steps
from trustwide.common.services import require

from .. import msp_rag, rag, rules
from ..models import MspRating, StrategicPlan, TrustPriority


@dataclass
class MspRatingInput:
    """One trust priority's line of the review. rating None: use the derived rating."""

    priority: TrustPriority
    rating: str | None = None
    override_reason: str = ""
    central_rating: str | None = None
    indicator_ratings: dict[int, str] = field(default_factory=dict)
    commentary: str = ""


def _problems(entry: MspRatingInput, plan: StrategicPlan) -> dict[str, str]:
    key = f"msp_{entry.priority.pk}"
    if entry.priority.strategic_plan_id != plan.pk:
        return {key: "That priority belongs to another strategic plan."}
    errors = {}
    problem = rag.override_problem(entry.rating, entry.override_reason)
    if problem:
        errors[key] = problem
    if entry.central_rating and not rag.is_valid(entry.central_rating):
        errors[f"central_{entry.priority.pk}"] = (
            f"'{entry.central_rating}' is not on the RAG scale (red, amber, green, blue)."
        )
    own = {i.pk for i in entry.priority.indicators.all()}
    for indicator_id, rating in entry.indicator_ratings.items():
        if indicator_id not in own:
            errors[f"indicator_{indicator_id}"] = (
                f"That indicator is not one of {entry.priority.code}'s."
            )
        elif rating and not rag.is_valid(rating):
            errors[f"indicator_{indicator_id}"] = (
                f"'{rating}' is not on the RAG scale (red, amber, green, blue)."
            )
    return errors


@transaction.atomic
def msp_termly_review_save(
    *, actor, strategic_plan: StrategicPlan, term, entries: list[MspRatingInput], actor_label=None
) -> list[MspRating]:
    """Save a term's ratings of the strategic plan's priorities in one go. Every entry is checked
    first; if any is wrong, a ValidationError names each problem and nothing is saved. A priority
    with nothing to derive from and no override is left unrated."""
    require(rules.may_rate_msp(actor, strategic_plan.trust_id), rules.MSP_RATE_REFUSED)
    if term.academic_year.trust_id != strategic_plan.trust_id:
        raise ValidationError({"term": "Choose a term of the trust's own calendar."})
    errors: dict[str, str] = {}
    for entry in entries:
        errors.update(_problems(entry, strategic_plan))
    if errors:
        raise ValidationError(errors)

    inputs = msp_rag.school_inputs(strategic_plan, term)
    existing = {
        r.trust_priority_id: r
        for r in MspRating.objects.filter(
            term=term, trust_priority__strategic_plan=strategic_plan
        ).select_related("term__academic_year", "trust_priority__strategic_plan")
    }
    saved = []
    for entry in entries:
        tp = entry.priority
        schools = inputs.get(tp.pk, [])
        indicators = [
            (i.pk, i.text, entry.indicator_ratings.get(i.pk) or None) for i in tp.indicators.all()
        ]
        central = [entry.central_rating or None] + [r for _pk, _t, r in indicators]
        derived = msp_rag.derive(schools, central)
        values = rag.rating_values(entry.rating, entry.override_reason, derived)
        if values is None:
            continue  # nothing rated under it yet
        values.update(
            derived=derived or "",
            central_rating=entry.central_rating or "",
            indicator_ratings={str(pk): r for pk, _t, r in indicators if r},
            commentary=entry.commentary.strip(),
            evidence=msp_rag.evidence(schools, indicators),
            rated_by=actor,
        )
        current = existing.get(tp.pk)
        if current is None:
            saved.append(
                audited_create(
                    actor=actor,
                    actor_label=actor_label,
                    model=MspRating,
                    trust_priority=tp,
                    term=term,
                    **values,
                )
            )
        else:
            saved.append(
                audited_update(actor=actor, actor_label=actor_label, instance=current, **values)
            )
    if saved:
        steps.step_done(
            trust=strategic_plan.trust,
            event=steps.MSP_RAG_DONE,
            actor=actor,
            actor_label=actor_label,
        )
    return saved
