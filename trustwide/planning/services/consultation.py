"""Versions of the trust strategic plan and the consultation on them (see models/consultation.py).

The CEO issues a version (a frozen snapshot), optionally for consultation; commenters write per
priority on the open version only; the CEO answers each comment and issues the next draft,
which closes the previous one; the board approves the latest version at a held board meeting.
Next year's April draft redrafts the approved plan, fed by the year's reviews (reviews.py)."""

from __future__ import annotations

import difflib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_create, audited_update
from trustwide.common import steps
from trustwide.common.services import require

from .. import rules
from ..models import ConsultationComment, IndicatorStage, MspVersion, StrategicPlan
from .signoff import BOARD_KIND, HELD

PRIORITY_FIELDS = (
    "title",
    "theme",
    "narrative",
    "long_term_goal",
    "key_strategies",
    "lead_officers",
)


def msp_snapshot(plan: StrategicPlan) -> dict:
    """The plan's priorities and success indicators as plain JSON, in plan order."""
    stages = dict(IndicatorStage.choices)
    return {
        "title": plan.title,
        "vision": plan.vision,
        "priorities": [
            {
                "code": p.code,
                "number": p.number,
                **{f: getattr(p, f) for f in PRIORITY_FIELDS},
                "indicators": [
                    f"{stages.get(i.stage, i.stage)}: {i.text}" for i in p.indicators.all()
                ],
            }
            for p in plan.priorities.prefetch_related("indicators").order_by("number")
        ],
    }


@transaction.atomic
def msp_version_issue(
    *,
    actor,
    strategic_plan: StrategicPlan,
    label: str,
    for_consultation: bool = True,
    actor_label=None,
) -> MspVersion:
    """Freeze the plan as its next version. Issuing closes the consultation on earlier drafts.
    An approved plan is redrafted each year (seed 004: the MSP is a 'living' document, with a
    first draft every April): the approved version stays approved, on record, until the board
    approves a later one."""
    require(rules.may_edit_strategic_plan(actor, strategic_plan.trust_id), rules.MSP_ISSUE_REFUSED)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": "Name the version, e.g. 'Second draft (May)'."})
    snapshot = msp_snapshot(strategic_plan)
    if not snapshot["priorities"]:
        raise ValidationError("Add at least one trust priority before issuing a version.")
    previous = list(MspVersion.objects.select_for_update().filter(strategic_plan=strategic_plan))
    for old in previous:
        if old.consultation_open:
            audited_update(
                actor=actor, actor_label=actor_label, instance=old, consultation_open=False
            )
    version = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=MspVersion,
        strategic_plan=strategic_plan,
        number=len(previous) + 1,
        label=label,
        snapshot=snapshot,
        consultation_open=for_consultation,
        issued_by=actor,
    )
    # The typed event besides the generic create, so the plan's story reads "version issued".
    audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=version,
        action=AuditAction.ISSUE_VERSION,
        label=label,
    )
    if for_consultation:
        steps.step_done(
            trust=strategic_plan.trust,
            event=steps.MSP_DRAFT_ISSUED,
            actor=actor,
            actor_label=actor_label,
        )
    return version


def _latest_number(version: MspVersion) -> int:
    return (
        MspVersion.objects.filter(strategic_plan_id=version.strategic_plan_id)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )


@transaction.atomic
def msp_comment(
    *, actor, version: MspVersion, priority_code: str, text: str, actor_label=None
) -> ConsultationComment:
    trust = version.strategic_plan.trust
    require(rules.may_comment_on_msp(actor, trust), rules.MSP_COMMENT_REFUSED)
    latest = _latest_number(version)
    if latest != version.number:
        raise ValidationError(
            f"'{version.label}' has been superseded by version {latest}; comment on the latest draft instead."
        )
    if not version.consultation_open:
        raise ValidationError(f"'{version.label}' is not open for consultation.")
    codes = [p["code"] for p in version.snapshot.get("priorities", [])]
    if priority_code not in codes:
        raise ValidationError(
            {
                "priority_code": f"'{priority_code}' is not a priority in this version; "
                f"choose one of {', '.join(codes)}."
            }
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write your comment."})
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=ConsultationComment,
        version=version,
        priority_code=priority_code,
        author=actor,
        text=text,
    )


@transaction.atomic
def msp_comment_answer(*, actor, comment: ConsultationComment, response: str, actor_label=None):
    require(
        rules.may_edit_strategic_plan(actor, comment.version.strategic_plan.trust_id),
        rules.MSP_ISSUE_REFUSED,
    )
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": "Write the answer to the comment."})
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=comment,
        action=AuditAction.ANSWER,
        response=response,
        responded_by=actor,
        responded_at=timezone.now(),
    )


@transaction.atomic
def msp_version_approve(*, actor, version: MspVersion, meeting, actor_label=None) -> MspVersion:
    """The trust board approves the latest version, at a board meeting that has been held."""
    plan = version.strategic_plan
    require(rules.may_edit_strategic_plan(actor, plan.trust_id), rules.MSP_ISSUE_REFUSED)
    latest = _latest_number(version)
    if latest != version.number:
        raise ValidationError(
            f"'{version.label}' has been superseded by version {latest}; approve the latest."
        )
    if version.approved_at:
        raise ValidationError(f"'{version.label}' is already approved.")
    if meeting is None:
        raise ValidationError({"meeting": "Choose the trust board meeting that approved the plan."})
    if meeting.body.trust_id != plan.trust_id or meeting.body.kind != BOARD_KIND:
        raise ValidationError({"meeting": f"'{meeting}' is not a meeting of this trust's board."})
    if meeting.status != HELD or meeting.held_on > timezone.localdate():
        raise ValidationError({"meeting": f"'{meeting}' has not been held yet."})
    version = audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=version,
        action=AuditAction.APPROVE_VERSION,
        approved_at=timezone.now(),
        board_meeting=meeting,
        consultation_open=False,
    )
    steps.step_done(
        trust=plan.trust, event=steps.MSP_APPROVED, actor=actor, actor_label=actor_label
    )
    return version


def msp_compare(older: dict, newer: dict) -> dict:
    """What changed between two snapshots: priorities added, removed and changed (by code), with a
    line diff of each changed field."""
    old = {p["code"]: p for p in older.get("priorities", [])}
    new = {p["code"]: p for p in newer.get("priorities", [])}
    changed = []
    for code in [c for c in new if c in old]:
        fields = []
        for name in (*PRIORITY_FIELDS, "indicators"):
            a, b = old[code].get(name, ""), new[code].get(name, "")
            if a != b:
                a_lines = a if isinstance(a, list) else str(a).splitlines()
                b_lines = b if isinstance(b, list) else str(b).splitlines()
                diff = [line for line in difflib.ndiff(a_lines, b_lines) if line[:1] in "+-"]
                fields.append({"field": name, "before": a, "after": b, "diff": diff})
        if fields:
            changed.append({"code": code, "title": new[code]["title"], "fields": fields})
    return {
        "added": [new[c] for c in new if c not in old],
        "removed": [old[c] for c in old if c not in new],
        "changed": changed,
    }
