"""Every write to peer review and support: keyword-only, actor first, permission re-checked
through trustwide.access, validated, audited in the same transaction. actor=None is a command
or the demo builder (recorded with its actor_label)."""

from __future__ import annotations

import datetime
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustwide.access.scope import forget_cached_grants
from trustwide.accounts.models import Membership
from trustwide.accounts.roles import Role
from trustwide.accounts.services import membership_create
from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_create, audited_delete, audited_update, record_event
from trustwide.common.services import require
from trustwide.trusts.models import AcademicYear, School, Trust

from . import rota as rota_rules
from . import rules
from . import support as support_rules
from .models import (
    CollaborationPlan,
    Deployment,
    Expertise,
    Finding,
    NonNegotiable,
    Review,
    ReviewAction,
    Reviewer,
    ReviewKind,
    ReviewStatus,
    SupportAssessment,
    SupportRule,
    Triad,
)

PRE_VISIT_DAYS = 14  # reviewers read the SEF, plan and KPIs before the visit
REPORT_DAYS = 21  # and write the report after it


def _label(actor, actor_label):
    return actor_label or (str(actor) if actor is not None else "system")


# --------------------------------------------------------------------------- rota


def _weekday(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def visit_date(term, slot: int) -> datetime.date:
    """Visits of one term spread over its weeks: slot 0 in week 3, then a week apart."""
    day = _weekday(term.starts_on + datetime.timedelta(weeks=2 + slot % 8, days=1))
    last = term.ends_on - datetime.timedelta(days=5)
    return _weekday(min(day, last)) if day > last else day


def named_leader(school: School):
    """The reviewing school's headteacher (or a senior leader) today."""
    membership = (
        Membership.objects.active()
        .filter(school=school, role__in=[Role.HEADTEACHER, Role.SENIOR_LEADER])
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    return membership.user if membership else None


def review_focus(
    school: School, academic_year: AcademicYear, trust_theme: str = ""
) -> tuple[str, list[str]]:
    """The school's weakest self-graded area (or its first written area for development);
    failing that the trust's common theme."""
    from trustwide.evaluation.models import SelfEvaluation

    sef = (
        SelfEvaluation.objects.filter(
            school=school, academic_year__start_year__lte=academic_year.start_year
        )
        .select_related("framework")
        .order_by("-academic_year__start_year")
        .first()
    )
    if sef is not None:
        spec = sef.framework.spec
        worst, worst_rank = None, 0
        for judgement in sef.judgements.all():
            try:
                ranks = {g.code: g.rank for g in spec.scale_for(judgement.area_code).grades}
            except KeyError:
                continue
            rank = ranks.get(judgement.grade_code, 0) + (
                0.5 if judgement.areas_for_development.strip() else 0
            )
            if rank > worst_rank:
                worst, worst_rank = judgement, rank
        if worst is not None:
            name = spec.area(worst.area_code).name
            detail = (
                worst.areas_for_development.strip().splitlines()[0][:200]
                if worst.areas_for_development.strip()
                else ""
            )
            return (f"{name}: {detail}" if detail else name)[:400], [worst.area_code]
    if trust_theme:
        return f"Trust common theme: {trust_theme}"[:400], []
    return "Quality of education (trust common theme)", []


def trust_common_theme(trust: Trust, academic_year: AcademicYear) -> str:
    from trustwide.evaluation.models import AreaJudgement

    rows = (
        AreaJudgement.objects.filter(
            sef__school__trust=trust,
            sef__academic_year=academic_year,
        )
        .exclude(areas_for_development="")
        .values_list("area_code", flat=True)
    )
    counts = Counter(rows)
    if not counts:
        return ""
    return counts.most_common(1)[0][0].replace("-", " ").capitalize()


def _give_access(*, actor, actor_label, reviewer_user, review: Review) -> Membership:
    # Reviewers get the peer-reviewer role on the reviewed school for the visit window only.
    # Managing memberships needs membership.manage, which trust leaders do not hold: the peer
    # review service has checked peer_review.manage and records itself as the actor label.
    return membership_create(
        actor=None,
        actor_label=f"{_label(actor, actor_label)} (peer review access)"[:200],
        user=reviewer_user,
        role=Role.PEER_REVIEWER,
        trust=review.school.trust,
        school=review.school,
        starts_on=review.access_from,
        ends_on=review.access_until,
    )


def _add_reviewer(
    *,
    actor,
    actor_label,
    review: Review,
    user=None,
    name: str = "",
    from_school=None,
    is_external: bool = False,
    organisation: str = "",
) -> Reviewer:
    reviewer = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=Reviewer,
        review=review,
        user=user,
        name=name or (str(user) if user else ""),
        from_school=from_school,
        is_external=is_external,
        organisation=organisation,
    )
    if user is not None and not rules.leads_school(user, review.school):
        membership = _give_access(
            actor=actor, actor_label=actor_label, reviewer_user=user, review=review
        )
        audited_update(
            actor=actor, actor_label=actor_label, instance=reviewer, membership=membership
        )
    return reviewer


def check_rota(*, schools: list[School], groups: list[list[School]], visits) -> None:
    names = {s.pk: s.name for s in schools}
    for group in groups:
        for s in group:
            names.setdefault(s.pk, s.name)
    problems = rota_rules.rota_problems(
        [[s.pk for s in g] for g in groups], visits, [s.pk for s in schools], names
    )
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def rota_create(
    *,
    actor,
    trust: Trust,
    academic_year: AcademicYear,
    groups: list[list[School]],
    visits: list[rota_rules.Visit] | None = None,
    actor_label=None,
) -> list[Review]:
    """Form the year's triads and their reviews. Refused, with the reasons, if any school of the
    trust would go unreviewed, review itself, or be reviewed from outside its triad."""
    require(rules.may_form_rota(actor, trust.pk), rules.ROTA_REFUSED)
    return _rota_create(
        actor=actor,
        trust=trust,
        academic_year=academic_year,
        groups=groups,
        schools=School.objects.filter(trust=trust),
        visits=visits,
        actor_label=actor_label,
    )


@transaction.atomic
def _rota_create(
    *,
    actor,
    trust: Trust,
    academic_year: AcademicYear,
    groups: list[list[School]],
    schools,
    visits: list[rota_rules.Visit] | None = None,
    actor_label=None,
) -> list[Review]:
    """rota_create over the given schools (each must be reviewed), without the permission
    check: the trust's roll-over checks its own rule first and passes the schools open next
    year."""
    if academic_year.trust_id != trust.pk:
        raise ValidationError({"academic_year": "That academic year belongs to another trust."})
    schools = list(schools)
    for group in groups:
        for s in group:
            if s.trust_id != trust.pk:
                raise ValidationError(f"{s.name} belongs to another trust.")
    if visits is None:
        visits = rota_rules.generate_rota([[s.pk for s in g] for g in groups])
    check_rota(schools=schools, groups=groups, visits=visits)
    existing = Triad.objects.filter(academic_year=academic_year)
    if (
        Review.objects.filter(triad__in=existing).exclude(status=ReviewStatus.PLANNED).exists()
        or Finding.objects.filter(review__triad__in=existing).exists()
    ):
        raise ValidationError(
            "This year's rota has reviews under way: change single reviews instead."
        )
    for triad in existing:
        for review in triad.reviews.all():
            _remove_review_access(actor=actor, actor_label=actor_label, review=review)
        audited_delete(actor=actor, actor_label=actor_label, instance=triad)
    terms = list(academic_year.terms.order_by("number"))
    if len(terms) < rota_rules.TERMS:
        raise ValidationError(
            {"academic_year": f"{academic_year.label} needs its three terms first."}
        )
    by_id = {s.pk: s for s in schools}
    triad_of = {}
    for number, group in enumerate(groups, start=1):
        triad = audited_create(
            actor=actor,
            actor_label=actor_label,
            model=Triad,
            trust=trust,
            academic_year=academic_year,
            number=number,
        )
        triad.schools.set(group)
        record_event(
            actor=actor,
            actor_label=actor_label,
            action=AuditAction.UPDATE,
            instance=triad,
            before=None,
            after={"schools": sorted(s.pk for s in group)},
        )
        for s in group:
            triad_of[s.pk] = (triad, number - 1)
    theme = trust_common_theme(trust, academic_year)
    leaders = {}
    reviews = []
    for visit in visits:
        school = by_id[visit.school]
        triad, slot = triad_of[visit.school]
        visit_on = visit_date(terms[visit.term], slot)
        focus, codes = review_focus(school, academic_year, theme)
        review = audited_create(
            actor=actor,
            actor_label=actor_label,
            model=Review,
            school=school,
            academic_year=academic_year,
            triad=triad,
            kind=ReviewKind.PEER,
            term=visit.term,
            visit_on=visit_on,
            access_from=visit_on - datetime.timedelta(days=PRE_VISIT_DAYS),
            access_until=visit_on + datetime.timedelta(days=REPORT_DAYS),
            focus=focus,
            focus_area_codes=codes,
        )
        for reviewer_id in visit.reviewers:
            from_school = by_id[reviewer_id]
            if reviewer_id not in leaders:
                leaders[reviewer_id] = named_leader(from_school)
            user = leaders[reviewer_id]
            _add_reviewer(
                actor=actor,
                actor_label=actor_label,
                review=review,
                user=user,
                name=str(user) if user else f"Leader of {from_school.name}",
                from_school=from_school,
            )
        reviews.append(review)
    return reviews


def _end_access(*, actor, actor_label, membership: Membership) -> None:
    """Take back the peer-reviewer access _give_access granted, recorded the same way (actor
    None, labelled): access not yet begun (or begun only today) is deleted, since it cannot end
    before it starts; access already used ends yesterday, so its use stays on record."""
    today = timezone.localdate()
    label = f"{_label(actor, actor_label)} (peer review access)"[:200]
    if membership.starts_on >= today:
        audited_delete(actor=None, actor_label=label, instance=membership)
    elif membership.ends_on is None or membership.ends_on >= today:
        audited_update(
            actor=None,
            actor_label=label,
            instance=membership,
            action=AuditAction.END,
            ends_on=today - datetime.timedelta(days=1),
        )
    forget_cached_grants(membership.user)


def _remove_review_access(*, actor, actor_label, review: Review) -> None:
    for reviewer in review.reviewers.select_related("membership__user"):
        if reviewer.membership is not None:
            _end_access(actor=actor, actor_label=actor_label, membership=reviewer.membership)


def _require_manage(actor, review: Review) -> None:
    require(rules.may_manage_review(actor, review.school), rules.REVIEW_MANAGE_REFUSED)


@transaction.atomic
def review_update(
    *, actor, review: Review, visit_on: datetime.date, focus: str, actor_label=None
) -> Review:
    """Move a visit (the reviewers' access window moves with it) or change its focus."""
    _require_manage(actor, review)
    if review.status != ReviewStatus.PLANNED:
        raise ValidationError("The report has been written: the visit can no longer move.")
    access_from = visit_on - datetime.timedelta(days=PRE_VISIT_DAYS)
    access_until = visit_on + datetime.timedelta(days=REPORT_DAYS)
    audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=review,
        visit_on=visit_on,
        focus=focus,
        access_from=access_from,
        access_until=access_until,
    )
    for reviewer in review.reviewers.select_related("membership"):
        if reviewer.membership is not None:
            audited_update(
                actor=None,
                actor_label=f"{_label(actor, actor_label)} (peer review access)",
                instance=reviewer.membership,
                starts_on=access_from,
                ends_on=access_until,
            )
    return review


@transaction.atomic
def reviewer_add(
    *,
    actor,
    review: Review,
    user=None,
    name: str = "",
    from_school=None,
    is_external: bool = False,
    organisation: str = "",
    actor_label=None,
) -> Reviewer:
    _require_manage(actor, review)
    if from_school is not None and from_school.pk == review.school_id:
        raise ValidationError({"from_school": f"{review.school.name} cannot review itself."})
    if review.kind == ReviewKind.PEER and not is_external:
        if from_school is None or not review.triad.schools.filter(pk=from_school.pk).exists():
            raise ValidationError(
                {"from_school": "Peer reviewers come from the other schools of the triad."}
            )
    if user is not None and rules.leads_school(user, review.school):
        raise ValidationError(
            {"user": f"{user} leads {review.school.name}: a school cannot review itself."}
        )
    return _add_reviewer(
        actor=actor,
        actor_label=actor_label,
        review=review,
        user=user,
        name=name,
        from_school=from_school,
        is_external=is_external,
        organisation=organisation,
    )


@transaction.atomic
def reviewer_remove(*, actor, reviewer: Reviewer, actor_label=None) -> None:
    """Take off a reviewer entered in error (whoever may add one). The time-boxed access given
    for this visit goes with them; findings they recorded stay with the review."""
    _require_manage(actor, reviewer.review)
    membership = reviewer.membership
    audited_delete(actor=actor, actor_label=actor_label, instance=reviewer)
    if membership is not None:
        _end_access(actor=actor, actor_label=actor_label, membership=membership)


@transaction.atomic
def external_review_create(
    *,
    actor,
    school: School,
    academic_year: AcademicYear,
    visit_on: datetime.date,
    focus: str,
    partners: list[dict],
    actor_label=None,
) -> Review:
    """An external audit: partners from outside the trust, the same report form; their
    judgements count as external validation."""
    require(rules.may_manage_review(actor, school), rules.EXTERNAL_REFUSED)
    if not partners:
        raise ValidationError({"partners": "Name at least one external audit partner."})
    review = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=Review,
        school=school,
        academic_year=academic_year,
        kind=ReviewKind.EXTERNAL,
        term=_term_index(academic_year, visit_on),
        visit_on=visit_on,
        access_from=visit_on - datetime.timedelta(days=PRE_VISIT_DAYS),
        access_until=visit_on + datetime.timedelta(days=REPORT_DAYS),
        focus=focus,
    )
    for partner in partners:
        _add_reviewer(
            actor=actor,
            actor_label=actor_label,
            review=review,
            user=partner.get("user"),
            name=partner.get("name", ""),
            is_external=True,
            organisation=partner.get("organisation", ""),
        )
    return review


def _term_index(academic_year: AcademicYear, day: datetime.date) -> int:
    for index, term in enumerate(academic_year.terms.order_by("number")):
        if day <= term.ends_on:
            return index
    return rota_rules.TERMS - 1


# --------------------------------------------------------------------------- findings and report


def write_blocker(review: Review) -> str | None:
    """Why the review's findings and actions can no longer change, if they cannot."""
    if review.status == ReviewStatus.AGREED:
        return "The report has been agreed: it can no longer change."
    return None


def _require_write(actor, review: Review) -> None:
    require(rules.may_write_findings(actor, review), rules.FINDINGS_REFUSED)
    blocker = write_blocker(review)
    if blocker:
        raise ValidationError(blocker)


def review_sef(review: Review):
    """The reviewed school's SEF for the review's year (the submitted one first)."""
    from trustwide.evaluation.models import SelfEvaluation

    return (
        SelfEvaluation.objects.filter(school=review.school, academic_year=review.academic_year)
        .select_related("framework", "school")
        .order_by("-status", "pk")
        .first()
    )


def _feed_validation(
    *, actor, actor_label, review: Review, judgement, agrees: bool, grade_code: str, rationale: str
):
    """Record the reviewers' view as a SEF validation through the evaluation services."""
    from trustwide.evaluation import rules as evaluation_rules
    from trustwide.evaluation import services as evaluation
    from trustwide.evaluation.models import ValidatorRole

    role = (
        ValidatorRole.EXTERNAL
        if review.kind == ReviewKind.EXTERNAL
        else ValidatorRole.PEER_REVIEWER
    )
    names = ", ".join(r.name for r in review.reviewers.all()) or _label(actor, actor_label)
    validated_on = min(review.visit_on, timezone.localdate())
    common = dict(
        judgement=judgement,
        role=role,
        agrees=agrees,
        grade_code=grade_code,
        rationale=rationale,
        validated_on=validated_on,
        validator_name=names[:200],
    )
    if actor is not None and role in evaluation_rules.validator_roles(actor, review.school):
        return evaluation.validation_record(actor=actor, **common)
    # A trust leader writing up a peer review, or an external partner: this service has
    # checked that the actor may write the review's findings; the validation carries the
    # reviewers' names and the actor is named in the audit label.
    return evaluation.validation_record(
        actor=None, actor_label=f"{_label(actor, actor_label)} for {review}"[:200], **common
    )


def _finding_fields(
    *,
    review: Review,
    area_code: str,
    area_name: str,
    findings: str,
    strengths: str,
    agrees: bool | None,
    grade_code: str,
) -> tuple[dict, object]:
    """Validate a finding; return its fields and the SEF judgement to validate (None when the
    finding is not fed to SEF accuracy, the reason being in validation_note)."""
    from trustwide.evaluation.models import SefStatus
    from trustwide.evaluation.services import check_area, check_grade

    if not findings.strip():
        raise ValidationError({"findings": "Write the findings."})
    sef = review_sef(review) if area_code else None
    judgement = None
    school_grade = ""
    note = ""
    if area_code:
        if sef is None:
            raise ValidationError(
                {"area_code": f"{review.school.name} has no SEF for {review.academic_year.label}."}
            )
        area = check_area(sef.framework.spec, review.school, area_code)
        area_name = area.name
        judgement = sef.judgements.filter(area_code=area_code).first()
        school_grade = judgement.grade_code if judgement else ""
    if not area_name.strip():
        raise ValidationError({"area_name": "Name the focus area."})
    if agrees is False:
        if not grade_code:
            raise ValidationError(
                {"grade_code": "Give the grade you would give, or agree with the school's."}
            )
        if sef is not None:
            check_grade(sef.framework.spec, area_code, grade_code)
    if agrees is True:
        grade_code = school_grade
    to_validate = None
    if agrees is not None and judgement is not None:
        if not school_grade:
            note = "Not fed to SEF accuracy: the school has not graded this area."
        elif sef.status == SefStatus.DRAFT:
            note = "Not fed to SEF accuracy: the SEF is still a draft."
        else:
            to_validate = judgement
    elif agrees is not None:
        note = "Not fed to SEF accuracy: no SEF area chosen."
    fields = dict(
        area_code=area_code,
        area_name=area_name,
        findings=findings,
        strengths=strengths,
        school_grade_code=school_grade,
        agrees=agrees,
        grade_code=grade_code if agrees is not None else "",
        validation_note=note,
    )
    return fields, to_validate


@transaction.atomic
def finding_record(
    *,
    actor,
    review: Review,
    area_code: str = "",
    area_name: str = "",
    findings: str,
    strengths: str = "",
    agrees: bool | None = None,
    grade_code: str = "",
    actor_label=None,
) -> Finding:
    """Findings on one focus area. With an SEF area and a view on the school's grade (agree, or
    a different grade with the findings as rationale) it is also recorded as a validation of
    the SEF, so it feeds SEF accuracy (peer or external validation)."""
    _require_write(actor, review)
    fields, judgement = _finding_fields(
        review=review,
        area_code=area_code,
        area_name=area_name,
        findings=findings,
        strengths=strengths,
        agrees=agrees,
        grade_code=grade_code,
    )
    validation = None
    if judgement is not None:
        validation = _feed_validation(
            actor=actor,
            actor_label=actor_label,
            review=review,
            judgement=judgement,
            agrees=agrees,
            grade_code=fields["grade_code"],
            rationale=findings,
        )
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=Finding,
        review=review,
        validation=validation,
        recorded_by=actor,
        **fields,
    )


def _withdraw_validation(*, actor, actor_label, validation) -> None:
    """Remove the SEF validation a finding recorded, so SEF accuracy stops counting it. As in
    _feed_validation: a validator withdraws their own; for anyone else who may write the
    review's findings (checked by the caller, e.g. a trust leader correcting the write-up) it
    is withdrawn for the review, the actor named in the audit label."""
    from trustwide.evaluation.rules import may_withdraw_validation
    from trustwide.evaluation.services import validation_withdraw

    school = validation.judgement.sef.school
    if actor is not None and may_withdraw_validation(actor, validation, school):
        validation_withdraw(actor=actor, actor_label=actor_label, validation=validation)
    else:
        validation_withdraw(
            actor=None,
            actor_label=f"{_label(actor, actor_label)} (peer review write-up)"[:200],
            validation=validation,
        )


@transaction.atomic
def finding_update(
    *,
    actor,
    finding: Finding,
    area_code: str = "",
    area_name: str = "",
    findings: str,
    strengths: str = "",
    agrees: bool | None = None,
    grade_code: str = "",
    actor_label=None,
) -> Finding:
    """Change a finding (whoever may record one). The SEF validation follows: when the area,
    the view on the grade or the findings (its rationale) change, the old validation is
    withdrawn and, if the finding still feeds SEF accuracy, a new one recorded."""
    review = finding.review
    _require_write(actor, review)
    fields, judgement = _finding_fields(
        review=review,
        area_code=area_code,
        area_name=area_name,
        findings=findings,
        strengths=strengths,
        agrees=agrees,
        grade_code=grade_code,
    )
    old = finding.validation
    have = None if old is None else (old.judgement_id, old.agrees, old.grade_code, old.rationale)
    want = None if judgement is None else (judgement.pk, agrees, fields["grade_code"], findings)
    validation = old
    if have != want:
        if old is not None:
            _withdraw_validation(actor=actor, actor_label=actor_label, validation=old)
        validation = None
        if judgement is not None:
            validation = _feed_validation(
                actor=actor,
                actor_label=actor_label,
                review=review,
                judgement=judgement,
                agrees=agrees,
                grade_code=fields["grade_code"],
                rationale=findings,
            )
    return audited_update(
        actor=actor, actor_label=actor_label, instance=finding, validation=validation, **fields
    )


@transaction.atomic
def finding_delete(*, actor, finding: Finding, actor_label=None) -> None:
    """Delete a finding (whoever may record one) with the SEF validation it recorded. Actions
    agreed from it stay on the review, no longer tied to it."""
    _require_write(actor, finding.review)
    validation = finding.validation
    for action in finding.actions.all():
        audited_update(actor=actor, actor_label=actor_label, instance=action, finding=None)
    audited_delete(actor=actor, actor_label=actor_label, instance=finding)
    if validation is not None:
        _withdraw_validation(actor=actor, actor_label=actor_label, validation=validation)


@transaction.atomic
def review_action_create(
    *,
    actor,
    review: Review,
    what: str,
    due_on: datetime.date,
    owner=None,
    owner_name: str = "",
    finding: Finding | None = None,
    actor_label=None,
) -> ReviewAction:
    _require_write(actor, review)
    if finding is not None and finding.review_id != review.pk:
        raise ValidationError({"finding": "That finding belongs to another review."})
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=ReviewAction,
        review=review,
        what=what,
        due_on=due_on,
        owner=owner,
        owner_name=owner_name,
        finding=finding,
    )


@transaction.atomic
def review_action_update(
    *,
    actor,
    review_action: ReviewAction,
    what: str,
    due_on: datetime.date,
    owner=None,
    owner_name: str = "",
    finding: Finding | None = None,
    status: str | None = None,
    actor_label=None,
) -> ReviewAction:
    """Change a review action (whoever may add one). It has no status of its own: once it is in
    the school's plan its status is the plan action's, changed here through planning's
    progress service (so only by the plan action's owner or the school's leaders)."""
    from trustwide.planning import services as planning

    review = review_action.review
    _require_write(actor, review)
    if finding is not None and finding.review_id != review.pk:
        raise ValidationError({"finding": "That finding belongs to another review."})
    if not what.strip():
        raise ValidationError({"what": "Say what the action is."})
    item = audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=review_action,
        what=what.strip(),
        due_on=due_on,
        owner=owner,
        owner_name=owner_name.strip(),
        finding=finding,
    )
    plan_action = item.plan_action
    if status is not None and (plan_action is None or status != plan_action.status):
        if plan_action is None:
            raise ValidationError(
                {"status": "Only an action in the school's plan has a status: add it to the plan."}
            )
        planning.action_progress_update(
            actor=actor, actor_label=actor_label, action=plan_action, status=status
        )
    return item


def review_action_delete_blocker(review_action: ReviewAction) -> str | None:
    """Why the action cannot be deleted, if it cannot."""
    if review_action.plan_action_id:
        return (
            "This action is now an action of the school's plan, which tracks its progress, so it cannot be "
            "deleted from the review: deleting it would lose the link between the review and the plan. "
            "If it is no longer needed, the school's leaders mark the plan action as dropped."
        )
    return None


@transaction.atomic
def review_action_delete(*, actor, review_action: ReviewAction, actor_label=None) -> None:
    """Delete an action agreed in error (whoever may add one); refused once it is in the plan."""
    _require_write(actor, review_action.review)
    blocker = review_action_delete_blocker(review_action)
    if blocker:
        raise ValidationError(blocker)
    audited_delete(actor=actor, actor_label=actor_label, instance=review_action)


@transaction.atomic
def review_report_save(
    *, actor, review: Review, summary: str, strengths_to_share: str, actor_label=None
) -> Review:
    """The reviewers' summary: the report is then drafted, for the headteacher to agree."""
    _require_write(actor, review)
    if not summary.strip():
        raise ValidationError({"summary": "Write the overall summary."})
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=review,
        summary=summary,
        strengths_to_share=strengths_to_share,
        status=ReviewStatus.DRAFTED,
    )


@transaction.atomic
def review_agree(*, actor, review: Review, actor_label=None) -> Review:
    """The reviewed school's headteacher (plan.submit: head and senior leaders) agrees the report."""
    require(rules.may_agree_report(actor, review.school), rules.AGREE_REFUSED)
    if review.status != ReviewStatus.DRAFTED:
        raise ValidationError("Only a drafted report can be agreed.")
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=review,
        action=AuditAction.AGREE,
        status=ReviewStatus.AGREED,
        agreed_by=actor,
        agreed_on=timezone.localdate(),
    )


@transaction.atomic
def review_action_to_plan(
    *, actor, review_action: ReviewAction, priority, actor_label=None
) -> ReviewAction:
    """Turn a review action into an action of the school's plan (through planning's services),
    linked back to the review."""
    from trustwide.planning import services as planning

    review = review_action.review
    require(rules.may_add_to_plan(actor, review.school), rules.TO_PLAN_REFUSED)
    if review_action.plan_action_id:
        raise ValidationError("This action is already in the plan.")
    if priority.plan.school_id != review.school_id:
        raise ValidationError({"priority": "Choose a priority of this school's plan."})
    action = planning.action_create(
        actor=actor,
        actor_label=actor_label,
        priority=priority,
        what=review_action.what,
        owner=review_action.owner,
        due_on=review_action.due_on,
        why=f"Agreed at the {review.get_kind_display().lower()} on {review.visit_on:%d/%m/%Y}.",
        supporters=review_action.owner_name if not review_action.owner_id else "",
    )
    return audited_update(
        actor=actor, actor_label=actor_label, instance=review_action, plan_action=action
    )


# --------------------------------------------------------------------------- support


def _require_support_manage(actor, trust_id: int) -> None:
    require(rules.may_manage_support(actor, trust_id), rules.SUPPORT_MANAGE_REFUSED)


def rule_for(trust: Trust) -> SupportRule:
    return SupportRule.objects.filter(trust=trust).first() or SupportRule(trust=trust, settings={})


@transaction.atomic
def support_rule_save(*, actor, trust: Trust, settings: dict, actor_label=None) -> SupportRule:
    _require_support_manage(actor, trust.pk)
    rule = support_rules.Rule.from_dict(settings)
    existing = SupportRule.objects.filter(trust=trust).first()
    if existing is None:
        return audited_create(
            actor=actor,
            actor_label=actor_label,
            model=SupportRule,
            trust=trust,
            settings=rule.as_dict(),
        )
    return audited_update(
        actor=actor, actor_label=actor_label, instance=existing, settings=rule.as_dict()
    )


@transaction.atomic
def support_assess(
    *, actor, trust: Trust, on: datetime.date | None = None, note: str = "", actor_label=None
) -> list[SupportAssessment]:
    """Apply the trust's rule to every school today: a new row of category history each."""
    from .selectors import support_signals

    _require_support_manage(actor, trust.pk)
    rule = rule_for(trust).rule
    on = on or timezone.localdate()
    out = []
    for school, signals in support_signals(trust=trust):
        outcome = support_rules.categorise(signals, rule)
        out.append(
            audited_create(
                actor=actor,
                actor_label=actor_label,
                model=SupportAssessment,
                school=school,
                assessed_on=on,
                category=outcome.category,
                capacity=outcome.capacity,
                points=outcome.points,
                reasons=outcome.reasons,
                signals=signals.as_dict(),
                rule=rule.as_dict(),
                note=note,
            )
        )
    return out


@transaction.atomic
def non_negotiable_create(
    *, actor, trust: Trust, category: str, kind: str, text: str, actor_label=None
) -> NonNegotiable:
    _require_support_manage(actor, trust.pk)
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=NonNegotiable,
        trust=trust,
        category=category,
        kind=kind,
        text=text,
    )


@transaction.atomic
def non_negotiable_update(
    *, actor, item: NonNegotiable, category: str, kind: str, text: str, actor_label=None
) -> NonNegotiable:
    _require_support_manage(actor, item.trust_id)
    if not text.strip():
        raise ValidationError({"text": "Write the non-negotiable."})
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=item,
        category=category,
        kind=kind,
        text=text.strip(),
    )


@transaction.atomic
def non_negotiable_delete(*, actor, item: NonNegotiable, actor_label=None) -> None:
    _require_support_manage(actor, item.trust_id)
    audited_delete(actor=actor, actor_label=actor_label, instance=item)


# --------------------------------------------------------------------------- expertise and deployments


@transaction.atomic
def expertise_save(*, actor, trust: Trust, user, actor_label=None, **fields) -> Expertise:
    """Staff keep their own entry; trust leaders (support.manage) may keep anyone's."""
    require(rules.may_edit_expertise(actor, trust, user), rules.EXPERTISE_REFUSED)
    existing = Expertise.objects.filter(trust=trust, user=user).first()
    if fields.get("home_school") is not None and fields["home_school"].trust_id != trust.pk:
        raise ValidationError({"home_school": "That school belongs to another trust."})
    if existing is None:
        return audited_create(
            actor=actor, actor_label=actor_label, model=Expertise, trust=trust, user=user, **fields
        )
    return audited_update(actor=actor, actor_label=actor_label, instance=existing, **fields)


@transaction.atomic
def deployment_create(
    *,
    actor,
    expertise: Expertise,
    to_school: School,
    academic_year: AcademicYear,
    term: int,
    days,
    purpose: str,
    outcome: str = "",
    status: str = "agreed",
    actor_label=None,
) -> Deployment:
    _require_support_manage(actor, expertise.trust_id)
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=Deployment,
        expertise=expertise,
        from_school=expertise.home_school,
        to_school=to_school,
        academic_year=academic_year,
        term=term,
        days=days,
        purpose=purpose,
        outcome=outcome,
        status=status,
    )


@transaction.atomic
def deployment_update(*, actor, deployment: Deployment, actor_label=None, **changes) -> Deployment:
    _require_support_manage(actor, deployment.expertise.trust_id)
    allowed = {"outcome", "status", "days", "purpose"}
    if set(changes) - allowed:
        raise ValueError(f"deployment_update changes only {allowed}.")
    return audited_update(actor=actor, actor_label=actor_label, instance=deployment, **changes)


def _check_collaboration_schools(trust_id: int, schools: list[School]) -> None:
    if len(schools) < 2:
        raise ValidationError({"schools": "A collaboration needs at least two schools."})
    if any(s.trust_id != trust_id for s in schools):
        raise ValidationError({"schools": "Choose schools of this trust."})


def _record_schools(
    *, actor, actor_label, plan: CollaborationPlan, before: list[int] | None, schools: list[School]
) -> None:
    # The audit snapshot holds the plan's own fields only; its schools are recorded alongside.
    after = sorted(s.pk for s in schools)
    if after != before:
        plan.schools.set(schools)
        record_event(
            actor=actor,
            actor_label=actor_label,
            action=AuditAction.UPDATE,
            instance=plan,
            before=None if before is None else {"schools": before},
            after={"schools": after},
        )


@transaction.atomic
def collaboration_plan_create(
    *,
    actor,
    trust: Trust,
    title: str,
    schools: list[School],
    purpose: str,
    mutuality: str,
    change: str,
    pace: str,
    prioritisation: str,
    actor_label=None,
) -> CollaborationPlan:
    """Refused unless all five tests (purpose, mutuality, change, pace, prioritisation) are answered."""
    _require_support_manage(actor, trust.pk)
    _check_collaboration_schools(trust.pk, schools)
    plan = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=CollaborationPlan,
        trust=trust,
        title=title,
        purpose=purpose,
        mutuality=mutuality,
        change=change,
        pace=pace,
        prioritisation=prioritisation,
    )
    _record_schools(actor=actor, actor_label=actor_label, plan=plan, before=None, schools=schools)
    return plan


@transaction.atomic
def collaboration_plan_update(
    *,
    actor,
    plan: CollaborationPlan,
    title: str,
    schools: list[School],
    purpose: str,
    mutuality: str,
    change: str,
    pace: str,
    prioritisation: str,
    actor_label=None,
) -> CollaborationPlan:
    """The same tests as a new plan: two schools of the trust and all five tests answered."""
    _require_support_manage(actor, plan.trust_id)
    _check_collaboration_schools(plan.trust_id, schools)
    before = sorted(plan.schools.values_list("pk", flat=True))
    audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=plan,
        title=title,
        purpose=purpose,
        mutuality=mutuality,
        change=change,
        pace=pace,
        prioritisation=prioritisation,
    )
    _record_schools(actor=actor, actor_label=actor_label, plan=plan, before=before, schools=schools)
    return plan


@transaction.atomic
def collaboration_plan_delete(*, actor, plan: CollaborationPlan, actor_label=None) -> None:
    _require_support_manage(actor, plan.trust_id)
    audited_delete(actor=actor, actor_label=actor_label, instance=plan)
