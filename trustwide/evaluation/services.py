"""Writes for self-evaluation. Every function checks permission (unless a command passes
actor=None), validates codes against the framework, and records audit events in the same
transaction. A ValidationError names the field at fault; nothing is saved when one is raised.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from trustwide.audit.models import AuditAction
from trustwide.audit.services import (
    audited_bulk_create,
    audited_create,
    audited_delete,
    audited_update,
)
from trustwide.common.services import require
from trustwide.trusts.models import AcademicYear, School, Trust

from . import rules
from .framework_files import (
    FRAMEWORKS_DIR,
    Area,
    FrameworkDefinition,
    FrameworkFileError,
    framework_file_paths,
    read_framework_file,
    validate_framework_data,
)
from .models import (
    EVIDENCE_EXTENSIONS,
    EVIDENCE_MAX_BYTES,
    AreaJudgement,
    Evidence,
    EvidenceKind,
    Framework,
    FrameworkKind,
    SefStatus,
    SelfEvaluation,
    TrustSelfReview,
    TrustStatementRating,
    Validation,
    ValidatorRole,
)

LOADER = "framework loader"
JUDGEMENT_TEXT_FIELDS = (
    "summary",
    "strengths",
    "areas_for_development",
    "current_position",
    "actions",
)


# --------------------------------------------------------------------------- frameworks


class FrameworkLoadError(Exception):
    """A framework file cannot be loaded (bad file, or changed in place while in use)."""


@dataclass(frozen=True)
class LoadOutcome:
    code: str
    version: int
    outcome: str  # created | unchanged | updated

    def __str__(self):
        return f"{self.code} version {self.version}: {self.outcome}"


def framework_in_use(framework: Framework) -> bool:
    return (
        SelfEvaluation.objects.filter(framework=framework).exists()
        or TrustSelfReview.objects.filter(framework=framework).exists()
    )


def _refresh_active_versions(
    *, trust_id, code: str, actor=None, actor_label=LOADER, audited=True
) -> None:
    """Only the newest version of a framework is offered for new self-evaluations."""
    versions = list(Framework.objects.filter(trust_id=trust_id, code=code).order_by("-version"))
    for i, framework in enumerate(versions):
        if framework.is_active != (i == 0):
            if audited:
                audited_update(
                    actor=actor, actor_label=actor_label, instance=framework, is_active=(i == 0)
                )
            else:
                framework.is_active = i == 0
                framework.save(update_fields=["is_active"])


@transaction.atomic
def frameworks_load(paths=None) -> list[LoadOutcome]:
    """Load built-in framework files (default: every file in frameworks/), idempotently.

    Same (code, version) and fingerprint: unchanged. Same version with changed content: updated
    in place only while no self-evaluation uses it, else refused (raise the version). A new
    version: a new row, which becomes the one offered. All or nothing: one bad file loads none.
    """
    read = []
    for path in paths if paths is not None else framework_file_paths(FRAMEWORKS_DIR):
        try:
            read.append(read_framework_file(Path(path)))
        except FrameworkFileError as error:
            raise FrameworkLoadError(f"{error}\nNothing was loaded.") from error
    outcomes = []
    for definition, data in read:
        existing = Framework.objects.filter(
            trust__isnull=True, code=definition.code, version=definition.version
        ).first()
        # Built-in frameworks are shipped data, loaded like a data migration: their history is the
        # files' version control, so these writes record no audit event (trust copies do).
        if existing is None:
            framework = Framework(
                trust=None,
                code=definition.code,
                version=definition.version,
                name=definition.name,
                kind=definition.kind,
                definition=data,
                fingerprint=definition.fingerprint,
            )
            framework.full_clean()
            framework.save()
            outcome = "created"
        elif existing.fingerprint == definition.fingerprint:
            outcome = "unchanged"
        elif framework_in_use(existing):
            raise FrameworkLoadError(
                f"{definition.file_name}: version {definition.version} has changed since it was "
                "loaded, and self-evaluations already use it (expected the version raised to "
                f"{definition.version + 1}: a framework in use is never changed in place). "
                "Nothing was loaded."
            )
        else:
            existing.name, existing.kind = definition.name, definition.kind
            existing.definition, existing.fingerprint = data, definition.fingerprint
            existing.full_clean()
            existing.save()
            outcome = "updated"
        _refresh_active_versions(trust_id=None, code=definition.code, audited=False)
        outcomes.append(LoadOutcome(definition.code, definition.version, outcome))
    return outcomes


def _framework_errors(error: FrameworkFileError) -> ValidationError:
    return ValidationError([f"{p.path}: {p.message}" for p in error.problems])


@transaction.atomic
def framework_copy(
    *, actor, framework: Framework, trust: Trust, code: str, name: str, actor_label=None
) -> Framework:
    """Copy a framework (built-in or the trust's own) into a new trust-owned framework."""
    require(rules.may_manage_frameworks(actor, trust.pk), rules.FRAMEWORK_MANAGE_REFUSED)
    if framework.trust_id not in (None, trust.pk):
        raise ValidationError({"framework": "That framework belongs to another trust."})
    if Framework.objects.filter(trust=trust, code=code).exists():
        raise ValidationError(
            {"code": f"Your trust already has a framework with the code {code!r}; choose another."}
        )
    data = copy.deepcopy(framework.definition)
    data.update(code=code, name=name, version=1)
    data["source"] = (
        f"{data['source']} Copied by {trust.name} from {framework} on {timezone.localdate():%d/%m/%Y}."
    )
    try:
        definition = validate_framework_data(data, file_name=f"{code}.yaml")
    except FrameworkFileError as error:
        raise _framework_errors(error) from error
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=Framework,
        trust=trust,
        code=code,
        version=1,
        name=name,
        kind=definition.kind,
        definition=data,
        fingerprint=definition.fingerprint,
        copied_from=framework,
    )


def _edit_areas(areas: list[dict], changes: dict[str, dict]) -> None:
    for area in areas:
        change = changes.get(area["code"])
        if change:
            for key in ("name", "description"):
                if key in change:
                    area[key] = change[key]
            if "prompts" in change:
                prompts = [p for p in change["prompts"] if p.strip()]
                if prompts:
                    area["prompts"] = prompts
                else:
                    area.pop("prompts", None)
        _edit_areas(area.get("sub_areas", []), changes)


@transaction.atomic
def framework_edit(
    *, actor, framework: Framework, name: str, areas: dict[str, dict], actor_label=None
) -> Framework:
    """Edit a trust-owned framework's name and its areas' names, descriptions and prompts.

    Returns the framework edited: the same row while no self-evaluation uses it, else a new
    version (the used version is never changed in place)."""
    if framework.is_builtin:
        raise ValidationError(
            "Built-in frameworks are never edited: copy it into your trust first."
        )
    require(rules.may_manage_frameworks(actor, framework.trust_id), rules.FRAMEWORK_MANAGE_REFUSED)
    unknown = sorted(set(areas) - {a.code for a in framework.spec.all_areas()})
    if unknown:
        raise ValidationError(
            {"areas": f"{', '.join(unknown)} is not an area of {framework.name}."}
        )
    data = copy.deepcopy(framework.definition)
    data["name"] = name
    _edit_areas(data["areas"], areas)
    in_use = framework_in_use(framework)
    if in_use:
        latest = Framework.objects.filter(
            trust_id=framework.trust_id, code=framework.code
        ).aggregate(v=Max("version"))["v"]
        data["version"] = latest + 1
    try:
        definition = validate_framework_data(data, file_name=f"{framework.code}.yaml")
    except FrameworkFileError as error:
        raise _framework_errors(error) from error
    if definition.fingerprint == framework.fingerprint:
        return framework
    if not in_use:
        return audited_update(
            actor=actor,
            actor_label=actor_label,
            instance=framework,
            name=name,
            definition=data,
            fingerprint=definition.fingerprint,
        )
    new = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=Framework,
        trust_id=framework.trust_id,
        code=framework.code,
        version=data["version"],
        name=name,
        kind=definition.kind,
        definition=data,
        fingerprint=definition.fingerprint,
        copied_from=framework,
    )
    _refresh_active_versions(
        trust_id=framework.trust_id, code=framework.code, actor=actor, actor_label=actor_label
    )
    return new


# --------------------------------------------------------------------------- checks


def applicable_areas(spec: FrameworkDefinition, school: School) -> list[Area]:
    """Every area and sub-area that applies to the school, in framework order."""
    out: list[Area] = []

    def walk(areas):
        for area in areas:
            out.append(area)
            walk(area.sub_areas)

    walk(
        spec.areas_for(has_early_years=school.has_early_years, has_sixth_form=school.has_sixth_form)
    )
    return out


def check_area(
    spec: FrameworkDefinition, school: School | None, area_code: str, *, field: str = "area_code"
) -> Area:
    try:
        area = spec.area(area_code)
    except KeyError:
        known = ", ".join(a.code for a in spec.all_areas())
        raise ValidationError(
            {field: f"{area_code!r} is not an area of {spec.name} (expected one of: {known})."}
        ) from None
    if school is not None and area_code not in {a.code for a in applicable_areas(spec, school)}:
        provision = {"early_years": "early years provision", "sixth_form": "a sixth form"}.get(
            area.applies_when or "", "this provision"
        )
        raise ValidationError(
            {
                field: f"{area.name} applies only where the school has {provision}; {school.name} has none."
            }
        )
    return area


def check_grade(
    spec: FrameworkDefinition, area_code: str, grade_code: str, *, field: str = "grade_code"
) -> None:
    scale = spec.scale_for(area_code)
    if grade_code not in {g.code for g in scale.grades}:
        allowed = ", ".join(g.label for g in scale.grades)
        raise ValidationError(
            {
                field: f"{grade_code!r} is not a grade of the {scale.name} (expected one of: {allowed})."
            }
        )


# --------------------------------------------------------------------------- SEFs


def _require_edit(actor, school: School) -> None:
    require(rules.may_edit_sef(actor, school), rules.SEF_EDIT_REFUSED)


def _require_draft(sef: SelfEvaluation) -> None:
    if sef.status != SefStatus.DRAFT:
        raise ValidationError(
            f"This self-evaluation is {sef.get_status_display().lower()}: return it to draft before editing."
        )


@transaction.atomic
def sef_create(
    *,
    actor,
    school: School,
    academic_year: AcademicYear,
    framework: Framework,
    start_from: SelfEvaluation | None = None,
    actor_label=None,
) -> SelfEvaluation:
    """Start a SEF with one judgement per applicable area; from last year's SEF, copy its grades
    and text where the area (and, for grades, the framework) is the same."""
    _require_edit(actor, school)
    return _sef_create(
        actor=actor,
        school=school,
        academic_year=academic_year,
        framework=framework,
        start_from=start_from,
        actor_label=actor_label,
    )


@transaction.atomic
def _sef_create(
    *,
    actor,
    school: School,
    academic_year: AcademicYear,
    framework: Framework,
    start_from: SelfEvaluation | None = None,
    actor_label=None,
) -> SelfEvaluation:
    """sef_create without the permission check: the core the trust's roll-over calls once it has
    checked its own rule (trustwide.ops.rollover). Judgements copied from last year are marked
    carried forward until someone edits them."""
    if academic_year.trust_id != school.trust_id:
        raise ValidationError({"academic_year": "That academic year belongs to another trust."})
    if framework.trust_id not in (None, school.trust_id):
        raise ValidationError({"framework": "That framework belongs to another trust."})
    if framework.kind == FrameworkKind.TRUST_SELF_REVIEW:
        raise ValidationError(
            {"framework": "A trust self-review framework grades the trust, not a school."}
        )
    if SelfEvaluation.objects.filter(
        school=school, academic_year=academic_year, framework__code=framework.code
    ).exists():
        raise ValidationError(
            {
                "academic_year": f"{school.name} already has a {framework.name} self-evaluation for {academic_year.label}."
            }
        )
    sef = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=SelfEvaluation,
        school=school,
        academic_year=academic_year,
        framework=framework,
        started_from=start_from,
    )
    spec = framework.spec
    previous = {}
    if start_from is not None:
        previous = {j.area_code: j for j in start_from.judgements.all()}
    same_codes = start_from is not None and start_from.framework.code == framework.code
    judgements = []
    for position, area in enumerate(applicable_areas(spec, school)):
        fields = {}
        old = previous.get(area.code)
        if old is not None:
            fields = {name: getattr(old, name) for name in JUDGEMENT_TEXT_FIELDS}
            if same_codes and old.grade_code in {g.code for g in spec.scale_for(area.code).grades}:
                fields["grade_code"] = old.grade_code
            fields["carried_forward"] = any(fields.values())
        judgements.append(AreaJudgement(sef=sef, area_code=area.code, position=position, **fields))
    # Created together, with the audit rows audited_create would write for each.
    audited_bulk_create(actor=actor, actor_label=actor_label, objects=judgements)
    return sef


def sef_start_next_year(*, actor, sef: SelfEvaluation, actor_label=None) -> SelfEvaluation:
    """Start next year's SEF from this one (same framework, newest version)."""
    _require_edit(actor, sef.school)
    return _sef_start_next_year(actor=actor, sef=sef, actor_label=actor_label)


def _sef_start_next_year(*, actor, sef: SelfEvaluation, actor_label=None) -> SelfEvaluation:
    """sef_start_next_year without the permission check (the roll-over's entry point)."""
    next_year = AcademicYear.objects.filter(
        trust_id=sef.school.trust_id, start_year=sef.academic_year.start_year + 1
    ).first()
    if next_year is None:
        raise ValidationError(
            {
                "academic_year": f"The academic year after {sef.academic_year.label} is not set up yet."
            }
        )
    framework = (
        Framework.objects.filter(
            trust_id=sef.framework.trust_id, code=sef.framework.code, is_active=True
        ).first()
        or sef.framework
    )
    return _sef_create(
        actor=actor,
        school=sef.school,
        academic_year=next_year,
        framework=framework,
        start_from=sef,
        actor_label=actor_label,
    )


@transaction.atomic
def judgement_update(
    *, actor, judgement: AreaJudgement, actor_label=None, **changes
) -> AreaJudgement:
    allowed = {"grade_code", *JUDGEMENT_TEXT_FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"Unknown judgement fields: {sorted(unknown)}")
    sef = judgement.sef
    _require_edit(actor, sef.school)
    _require_draft(sef)
    spec = sef.framework.spec
    check_area(spec, sef.school, judgement.area_code)
    if changes.get("grade_code"):
        check_grade(spec, judgement.area_code, changes["grade_code"])
    # An edited judgement is this year's own, no longer last year's carried forward.
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=judgement,
        carried_forward=False,
        **changes,
    )


def judgement_set(
    *, actor, sef: SelfEvaluation, area_code: str, actor_label=None, **changes
) -> AreaJudgement:
    """Update the judgement of an area given by its code (checked against the framework)."""
    check_area(sef.framework.spec, sef.school, area_code)
    judgement = sef.judgements.get(area_code=area_code)
    return judgement_update(actor=actor, judgement=judgement, actor_label=actor_label, **changes)


@transaction.atomic
def sef_submit(*, actor, sef: SelfEvaluation, actor_label=None) -> SelfEvaluation:
    _require_edit(actor, sef.school)
    _require_draft(sef)
    spec = sef.framework.spec
    ungraded = [spec.area(j.area_code).name for j in sef.judgements.all() if not j.grade_code]
    if ungraded:
        raise ValidationError(
            f"Grade every area before submitting; not yet graded: {', '.join(ungraded)}."
        )
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=sef,
        action=AuditAction.SUBMIT,
        status=SefStatus.SUBMITTED,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )


@transaction.atomic
def sef_validate(*, actor, sef: SelfEvaluation, actor_label=None) -> SelfEvaluation:
    """Sign the SEF off as validated (area validations are recorded with validation_record)."""
    require(rules.may_validate_sef(actor, sef.school), rules.SEF_VALIDATE_REFUSED)
    if sef.status != SefStatus.SUBMITTED:
        raise ValidationError("Only a submitted self-evaluation can be validated.")
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=sef,
        action=AuditAction.VALIDATE,
        status=SefStatus.VALIDATED,
        validated_by=actor,
        validated_at=timezone.now(),
    )


@transaction.atomic
def sef_reopen(*, actor, sef: SelfEvaluation, actor_label=None) -> SelfEvaluation:
    """Back to draft: the school may reopen a submitted SEF; a validator may also reopen a
    validated one."""
    if sef.status == SefStatus.DRAFT:
        raise ValidationError("This self-evaluation is already a draft.")
    require(rules.may_reopen_sef(actor, sef), rules.SEF_REOPEN_REFUSED)
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=sef,
        action=AuditAction.REOPEN,
        status=SefStatus.DRAFT,
        submitted_at=None,
        validated_at=None,
        validated_by=None,
    )


# --------------------------------------------------------------------------- evidence

# First bytes of each allowed binary type: a renamed executable is not a PDF.
_MAGIC = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
}


def check_evidence_file(file) -> None:
    name = getattr(file, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = ", ".join(EVIDENCE_EXTENSIONS)
    if extension not in EVIDENCE_EXTENSIONS:
        raise ValidationError(
            {
                "file": f"Files of type {'.' + extension if extension else 'without an extension'} are not allowed (allowed: {allowed})."
            }
        )
    if file.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            {
                "file": f"The file is {file.size / 1024 / 1024:.1f} MB; the largest allowed is {EVIDENCE_MAX_BYTES // (1024 * 1024)} MB."
            }
        )
    if file.size == 0:
        raise ValidationError({"file": "The file is empty."})
    file.seek(0)
    head = file.read(2048)
    file.seek(0)
    if extension in _MAGIC:
        if not head.startswith(_MAGIC[extension]):
            raise ValidationError({"file": f"The file's content is not a .{extension} file."})
    elif b"\x00" in head:
        raise ValidationError({"file": f"A .{extension} file must be plain text."})


@transaction.atomic
def evidence_add(
    *,
    actor,
    sef: SelfEvaluation,
    kind: str,
    title: str,
    areas: list[str],
    text: str = "",
    url: str = "",
    file=None,
    actor_label=None,
) -> Evidence:
    _require_edit(actor, sef.school)
    spec = sef.framework.spec
    if not areas:
        raise ValidationError({"areas": "Tag the evidence to at least one area."})
    for code in areas:
        check_area(spec, sef.school, code, field="areas")
    if kind == EvidenceKind.TEXT and not text.strip():
        raise ValidationError({"text": "Write the evidence."})
    if kind == EvidenceKind.LINK and not url:
        raise ValidationError({"url": "Give the link."})
    if kind == EvidenceKind.FILE:
        if not file:
            raise ValidationError({"file": "Choose a file to upload."})
        check_evidence_file(file)
    elif file:
        raise ValidationError({"file": "Choose 'File' as the kind of evidence to upload a file."})
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=Evidence,
        sef=sef,
        kind=kind,
        title=title,
        areas=list(areas),
        text=text,
        url=url,
        file=file or None,
        file_size=file.size if file else None,
        added_by=actor,
    )


@transaction.atomic
def evidence_delete(*, actor, evidence: Evidence, actor_label=None) -> None:
    _require_edit(actor, evidence.sef.school)
    stored = evidence.file.name if evidence.file else ""
    storage = evidence.file.storage if evidence.file else None
    audited_delete(actor=actor, actor_label=actor_label, instance=evidence)
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


# --------------------------------------------------------------------------- validation


@transaction.atomic
def validation_record(
    *,
    actor,
    judgement: AreaJudgement,
    role: str,
    agrees: bool,
    grade_code: str = "",
    rationale: str = "",
    validated_on: datetime.date | None = None,
    validator_name: str = "",
    actor_label=None,
) -> Validation:
    sef = judgement.sef
    roles = rules.validator_roles(actor, sef.school)
    require(bool(roles), rules.VALIDATION_REFUSED)
    if role not in roles:
        allowed = ", ".join(ValidatorRole(r).label for r in roles)
        raise ValidationError(
            {"role": f"You cannot record a validation as {role!r} (expected one of: {allowed})."}
        )
    if sef.status == SefStatus.DRAFT:
        raise ValidationError(
            "This self-evaluation is still a draft: it can be validated once the school submits it."
        )
    spec = sef.framework.spec
    check_area(spec, sef.school, judgement.area_code)
    if agrees:
        if not judgement.grade_code:
            raise ValidationError({"agrees": "The school has not graded this area yet."})
        grade_code = judgement.grade_code
    else:
        if not grade_code:
            raise ValidationError(
                {"grade_code": "Give the grade you would give, or agree with the school's."}
            )
        check_grade(spec, judgement.area_code, grade_code)
        if grade_code == judgement.grade_code:
            raise ValidationError(
                {"grade_code": "That is the school's own grade: tick 'agree' instead."}
            )
        if not rationale.strip():
            raise ValidationError({"rationale": "Explain why you give a different grade."})
    if validated_on and validated_on > timezone.localdate():
        raise ValidationError({"validated_on": "The date is in the future."})
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=Validation,
        judgement=judgement,
        validator=actor,
        validator_name=validator_name or (str(actor) if actor else actor_label or "system"),
        role=role,
        agrees=agrees,
        grade_code=grade_code,
        rationale=rationale,
        validated_on=validated_on or timezone.localdate(),
    )


def validation_withdraw(*, actor, validation: Validation, actor_label=None) -> None:
    """Withdraw a validation, so SEF accuracy stops counting it: its validator, or anyone who may
    validate this school's SEF in the same role (e.g. a co-reviewer correcting a peer-review
    finding). Audited."""
    school = validation.judgement.sef.school
    require(rules.may_withdraw_validation(actor, validation, school), rules.WITHDRAW_REFUSED)
    audited_delete(actor=actor, actor_label=actor_label, instance=validation)


# --------------------------------------------------------------------------- trust self-review


@transaction.atomic
def trust_self_review_create(
    *,
    actor,
    trust: Trust,
    academic_year: AcademicYear,
    framework: Framework,
    start_from: TrustSelfReview | None = None,
    actor_label=None,
) -> TrustSelfReview:
    require(rules.may_edit_self_review(actor, trust.pk), rules.SELF_REVIEW_EDIT_REFUSED)
    if framework.kind != FrameworkKind.TRUST_SELF_REVIEW:
        raise ValidationError({"framework": "Choose a trust self-review framework."})
    if framework.trust_id not in (None, trust.pk):
        raise ValidationError({"framework": "That framework belongs to another trust."})
    if academic_year.trust_id != trust.pk:
        raise ValidationError({"academic_year": "That academic year belongs to another trust."})
    if TrustSelfReview.objects.filter(
        trust=trust, academic_year=academic_year, framework=framework
    ).exists():
        raise ValidationError(
            {"academic_year": f"The trust already has this self-review for {academic_year.label}."}
        )
    review = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=TrustSelfReview,
        trust=trust,
        academic_year=academic_year,
        framework=framework,
    )
    previous = {r.area_code: r for r in start_from.ratings.all()} if start_from else {}
    ratings = []
    for position, area in enumerate(framework.spec.all_areas()):
        old = previous.get(area.code)
        fields = (
            {
                "grade_code": old.grade_code,
                "current_position": old.current_position,
                "actions": old.actions,
            }
            if old
            else {}
        )
        ratings.append(
            TrustStatementRating(review=review, area_code=area.code, position=position, **fields)
        )
    audited_bulk_create(actor=actor, actor_label=actor_label, objects=ratings)
    return review


@transaction.atomic
def trust_statement_rate(
    *,
    actor,
    rating: TrustStatementRating,
    grade_code: str,
    current_position: str = "",
    actions: str = "",
    actor_label=None,
) -> TrustStatementRating:
    review = rating.review
    require(rules.may_edit_self_review(actor, review.trust_id), rules.SELF_REVIEW_EDIT_REFUSED)
    spec = review.framework.spec
    check_area(spec, None, rating.area_code)
    if grade_code:
        check_grade(spec, rating.area_code, grade_code)
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=rating,
        grade_code=grade_code,
        current_position=current_position,
        actions=actions,
    )
