"""Termly review: RAG ratings for actions, success criteria and priorities."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustwide.audit.services import audited_bulk_create, audited_update
from trustwide.common import steps
from trustwide.common.services import require

from .. import rag, rules
from ..models import (
    Action,
    ActionStatus,
    Priority,
    RagRating,
    RatedKind,
    SchoolPlan,
    SuccessCriterion,
)


@dataclass
class RatingInput:
    """One line of a termly review. For a priority, rating None means "use the derived rating"."""

    subject: object  # Priority, Action or SuccessCriterion
    rating: str | None
    commentary: str = ""
    evidence: str = ""
    override_reason: str = ""


def _kind_of(subject) -> str:
    if isinstance(subject, Priority):
        return RatedKind.PRIORITY
    if isinstance(subject, Action):
        return RatedKind.ACTION
    if isinstance(subject, SuccessCriterion):
        return RatedKind.CRITERION
    raise TypeError(f"Cannot rate a {type(subject).__name__}.")


def _plan_id_of(subject) -> int:
    return subject.plan_id if isinstance(subject, Priority) else subject.priority.plan_id


def _save_all(*, actor, plan, term, lines, existing: dict, actor_label) -> list[RagRating]:
    """Each (subject, values) line's rating for the term: an existing one updated (audited one
    by one), new ones created together (audited_bulk_create: the same audit rows)."""
    saved: list[RagRating | None] = []
    new: list[tuple[int, RagRating]] = []
    for subject, values in lines:
        kind = _kind_of(subject)
        current = existing.get((kind, subject.pk))
        if current is not None:
            saved.append(
                audited_update(
                    actor=actor, actor_label=actor_label, instance=current, rated_by=actor, **values
                )
            )
            continue
        new.append(
            (
                len(saved),
                RagRating(
                    plan=plan, term=term, kind=kind, **{kind: subject}, rated_by=actor, **values
                ),
            )
        )
        saved.append(None)
    made = audited_bulk_create(actor=actor, actor_label=actor_label, objects=[r for _, r in new])
    for (position, _), rating in zip(new, made, strict=True):
        existing[(rating.kind, rating.subject_id)] = rating
        saved[position] = rating
    return saved


@transaction.atomic
def termly_review_save(
    *, actor, plan: SchoolPlan, term, entries: list[RatingInput], actor_label=None, today=None
) -> list[RagRating]:
    """Save a term's ratings for a plan in one go. Every entry is checked first; if any is
    wrong, a ValidationError names each problem and nothing is saved."""
    require(rules.may_rag_rate(actor, plan.school), rules.RAG_RATE_REFUSED)
    if term.academic_year_id != plan.academic_year_id:
        raise ValidationError({"term": "Choose a term of the plan's academic year."})
    on = rag.review_date(term.ends_on, today or timezone.localdate())
    errors: dict[str, str] = {}
    child_entries, priority_entries = [], []
    for entry in entries:
        kind = _kind_of(entry.subject)
        key = f"{kind}_{entry.subject.pk}"
        if _plan_id_of(entry.subject) != plan.pk:
            errors[key] = "That item belongs to another plan."
            continue
        if entry.rating in (None, "") and kind != RatedKind.PRIORITY:
            continue  # not rated this time
        if entry.rating not in (None, "") and not rag.is_valid(entry.rating):
            errors[key] = f"'{entry.rating}' is not on the RAG scale (red, amber, green, blue)."
            continue
        if kind == RatedKind.ACTION:
            problem = rag.action_rating_problem(
                entry.rating,
                due_on=entry.subject.due_on,
                complete=entry.subject.status == ActionStatus.COMPLETE,
                on=on,
            )
            if problem:
                errors[key] = problem
                continue
        if kind == RatedKind.PRIORITY:
            problem = rag.override_problem(entry.rating, entry.override_reason)
            if problem:
                errors[key] = problem
                continue
            priority_entries.append(entry)
        else:
            child_entries.append(entry)
    if errors:
        raise ValidationError(errors)

    existing = {
        (r.kind, r.subject_id): r
        for r in RagRating.objects.filter(plan=plan, term=term).select_related(
            "action", "criterion"
        )
    }
    saved = _save_all(
        actor=actor,
        plan=plan,
        term=term,
        existing=existing,
        actor_label=actor_label,
        lines=[
            (
                entry.subject,
                {
                    "rating": entry.rating,
                    "commentary": entry.commentary,
                    "evidence": entry.evidence,
                },
            )
            for entry in child_entries
        ],
    )
    # Priorities last, derived from the children as they now stand.
    by_priority: dict[int, list[str]] = {}
    for r in existing.values():
        if r.kind == RatedKind.ACTION:
            by_priority.setdefault(_priority_id(r, "action"), []).append(r.rating)
        elif r.kind == RatedKind.CRITERION:
            by_priority.setdefault(_priority_id(r, "criterion"), []).append(r.rating)
    priority_lines = []
    for entry in priority_entries:
        derived = rag.derive(by_priority.get(entry.subject.pk, []))
        values = rag.rating_values(entry.rating, entry.override_reason, derived)
        if values is None:
            continue  # nothing rated under it yet
        values.update(commentary=entry.commentary, evidence=entry.evidence)
        priority_lines.append((entry.subject, values))
    saved += _save_all(
        actor=actor,
        plan=plan,
        term=term,
        existing=existing,
        actor_label=actor_label,
        lines=priority_lines,
    )
    steps.step_done(
        trust=plan.school.trust,
        school=plan.school,
        event=steps.TERMLY_RAG_DONE,
        actor=actor,
        actor_label=actor_label,
    )
    return saved


def _priority_id(rating: RagRating, kind: str) -> int:
    subject = rating.action if kind == "action" else rating.criterion
    return subject.priority_id
