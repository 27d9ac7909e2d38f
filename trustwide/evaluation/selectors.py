"""Reads for self-evaluation: every list starts from access.restrict."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from trustwide.access import Perm, restrict
from trustwide.trusts.models import AcademicYear, Inspection, School, Trust

from .accuracy import JudgementPair, SefAccuracy, sef_accuracy, trust_sef_accuracy
from .framework_files import Area, FrameworkDefinition
from .models import (
    AreaJudgement,
    Evidence,
    Framework,
    FrameworkKind,
    SelfEvaluation,
    TrustSelfReview,
    Validation,
)

DEFAULT_FRAMEWORK_CODE = "ofsted-report-card-2025"


# --------------------------------------------------------------------------- grades


@dataclass(frozen=True)
class GradeView:
    code: str
    label: str
    rank: int
    colour: str
    text_colour: str
    scale: str


def grade_view(spec: FrameworkDefinition, area_code: str, grade_code: str) -> GradeView | None:
    if not grade_code:
        return None
    try:
        scale = spec.scale_for(area_code)
        grade = scale.grade(grade_code)
    except KeyError:
        return None
    return GradeView(
        grade.code, grade.label, grade.rank, grade.colour, grade.text_colour, scale.code
    )


def _inspection_grade_code(spec: FrameworkDefinition, area_code: str, value: str) -> str:
    """Inspection rows store labels ("Good"); map to the scale's code ("good")."""
    try:
        scale = spec.scale_for(area_code)
    except KeyError:
        return ""
    for grade in scale.grades:
        if value and (grade.code == value or grade.label.casefold() == str(value).casefold()):
            return grade.code
    return ""


def inspection_grades(spec: FrameworkDefinition, inspection: Inspection | None) -> dict[str, str]:
    """Area code -> grade code of an inspection on this framework (empty if another one)."""
    if inspection is None or inspection.framework != spec.code:
        return {}
    out = {}
    for area_code, value in (inspection.grades or {}).items():
        code = _inspection_grade_code(spec, area_code, value)
        if code:
            out[area_code] = code
    return out


def latest_inspection_on(school: School, framework_code: str, *, until=None) -> Inspection | None:
    """The school's latest inspection on this framework (uses prefetched inspections)."""
    found = [
        i
        for i in school.inspections.all()
        if i.framework == framework_code and (until is None or i.inspected_on <= until)
    ]
    return max(found, key=lambda i: i.inspected_on) if found else None


# --------------------------------------------------------------------------- accuracy


@dataclass(frozen=True)
class ValidatedGrade:
    grade_code: str
    source: str  # e.g. "Peer reviewer, 12/03/2026" or "Inspection, 04/02/2026"
    on: object


def validated_grades(sef: SelfEvaluation) -> dict[str, ValidatedGrade]:
    """Per area: the latest validated grade, from the validations recorded on the SEF or an
    inspection on the same framework during the SEF's academic year (whichever is later).
    Uses prefetched judgements__validations and school__inspections."""
    spec = sef.framework.spec
    year = sef.academic_year
    inspection = latest_inspection_on(sef.school, sef.framework.code, until=year.ends_on)
    if inspection is not None and inspection.inspected_on < year.starts_on:
        inspection = None
    from_inspection = inspection_grades(spec, inspection)
    out: dict[str, ValidatedGrade] = {}
    for judgement in sef.judgements.all():
        candidates = [
            ValidatedGrade(
                v.grade_code, f"{v.get_role_display()}, {v.validated_on:%d/%m/%Y}", v.validated_on
            )
            for v in judgement.validations.all()
        ]
        if judgement.area_code in from_inspection:
            candidates.append(
                ValidatedGrade(
                    from_inspection[judgement.area_code],
                    f"Inspection, {inspection.inspected_on:%d/%m/%Y}",
                    inspection.inspected_on,
                )
            )
        if candidates:
            out[judgement.area_code] = max(candidates, key=lambda c: c.on)
    return out


def sef_pairs(sef: SelfEvaluation, *, school_label: str = "") -> list[JudgementPair]:
    spec = sef.framework.spec
    validated = validated_grades(sef)
    pairs = []
    for judgement in sef.judgements.all():
        other = validated.get(judgement.area_code)
        if not judgement.grade_code or other is None:
            continue
        scale = spec.scale_for(judgement.area_code)
        ranks = {g.code: g.rank for g in scale.grades}
        if judgement.grade_code in ranks and other.grade_code in ranks:
            pairs.append(
                JudgementPair(
                    framework=spec.code,
                    scale=scale.code,
                    self_rank=ranks[judgement.grade_code],
                    validated_rank=ranks[other.grade_code],
                    area=judgement.area_code,
                    school=school_label or str(sef.school_id),
                )
            )
    return pairs


@dataclass(frozen=True)
class ScaleAccuracy:
    scale: str
    scale_name: str
    accuracy: SefAccuracy


def accuracy_by_scale(spec: FrameworkDefinition, pairs: list[JudgementPair]) -> list[ScaleAccuracy]:
    """Accuracy per grade scale (grades on different scales are never mixed), main scale first."""
    out = []
    for scale in spec.scales:
        group = [p for p in pairs if p.scale == scale.code]
        if group:
            out.append(ScaleAccuracy(scale.code, scale.name, sef_accuracy(group)))
    return sorted(out, key=lambda s: -s.accuracy.compared)


def main_scale(spec: FrameworkDefinition) -> str:
    counts = Counter(area.scale for area in spec.all_areas())
    return counts.most_common(1)[0][0]


# --------------------------------------------------------------------------- SEFs


def sef_queryset() -> QuerySet:
    return SelfEvaluation.objects.select_related(
        "school",
        "school__trust",
        "school__hub",
        "academic_year",
        "framework",
        "submitted_by",
        "validated_by",
    )


def sefs_of_school(*, user, school: School) -> QuerySet:
    return restrict(sef_queryset().filter(school=school), user, Perm.SEF_VIEW).order_by(
        "-academic_year__start_year", "framework__name"
    )


def sef_with_details(*, user, pk: int) -> SelfEvaluation:
    from trustwide.access import get_object_or_404_for

    queryset = sef_queryset().prefetch_related(
        Prefetch(
            "judgements",
            queryset=AreaJudgement.objects.prefetch_related(
                Prefetch("validations", queryset=Validation.objects.select_related("validator"))
            ),
        ),
        Prefetch("evidence", queryset=Evidence.objects.select_related("added_by")),
        Prefetch("school__inspections", queryset=Inspection.objects.order_by("-inspected_on")),
    )
    return get_object_or_404_for(user, Perm.SEF_VIEW, queryset, pk=pk)


@dataclass
class AreaBlock:
    """One area of a SEF page: the framework's area, the judgement and what others said."""

    area: Area
    judgement: AreaJudgement
    grade: GradeView | None
    validated: GradeView | None
    validated_source: str
    validations: list
    evidence: list
    previous: GradeView | None = None


def sef_area_blocks(sef: SelfEvaluation, previous: SelfEvaluation | None = None) -> list[AreaBlock]:
    spec = sef.framework.spec
    validated = validated_grades(sef)
    evidence = list(sef.evidence.all())
    prev_grades = {j.area_code: j.grade_code for j in previous.judgements.all()} if previous else {}
    blocks = []
    for judgement in sef.judgements.all():
        try:
            area = spec.area(judgement.area_code)
        except KeyError:
            continue
        other = validated.get(judgement.area_code)
        validations = list(judgement.validations.all())
        for v in validations:
            v.grade = grade_view(spec, judgement.area_code, v.grade_code)
        blocks.append(
            AreaBlock(
                area=area,
                judgement=judgement,
                grade=grade_view(spec, judgement.area_code, judgement.grade_code),
                validated=grade_view(spec, judgement.area_code, other.grade_code)
                if other
                else None,
                validated_source=other.source if other else "",
                validations=validations,
                evidence=[e for e in evidence if judgement.area_code in e.areas],
                previous=grade_view(
                    previous.framework.spec,
                    judgement.area_code,
                    prev_grades.get(judgement.area_code, ""),
                )
                if previous
                else None,
            )
        )
    return blocks


def previous_sef(sef: SelfEvaluation) -> SelfEvaluation | None:
    """Last year's SEF of the school on the same framework (same code), if any."""
    return (
        SelfEvaluation.objects.filter(
            school_id=sef.school_id,
            framework__code=sef.framework.code,
            academic_year__start_year=sef.academic_year.start_year - 1,
        )
        .select_related("framework", "academic_year")
        .prefetch_related("judgements")
        .first()
    )


# --------------------------------------------------------------------------- frameworks


def frameworks_for(*, trust: Trust, include_inactive: bool = False, kinds=None) -> QuerySet:
    frameworks = Framework.objects.available_to(trust.pk).select_related("trust", "copied_from")
    if not include_inactive:
        frameworks = frameworks.filter(is_active=True)
    if kinds:
        frameworks = frameworks.filter(kind__in=kinds)
    return frameworks.order_by("trust_id", "name", "-version")


def school_frameworks(*, trust: Trust) -> QuerySet:
    return frameworks_for(trust=trust, kinds=[FrameworkKind.INSPECTION, FrameworkKind.TRUST])


# --------------------------------------------------------------------------- trust view


@dataclass
class MatrixCell:
    applies: bool
    grade: GradeView | None = None
    previous: GradeView | None = None
    change: int | None = None  # ranks better than last year (+) or worse (-)
    inspected: GradeView | None = None
    vs_inspection: int | None = None  # ranks better (+) or worse (-) than the inspection


@dataclass
class MatrixRow:
    school: School
    sef: SelfEvaluation | None
    cells: list[MatrixCell]
    accuracy: SefAccuracy | None
    inspection: Inspection | None
    inspection_comparable: bool


@dataclass
class TrustMatrix:
    trust: Trust
    year: AcademicYear | None
    previous_year: AcademicYear | None
    framework: Framework | None
    areas: list[Area]
    rows: list[MatrixRow]
    accuracy: list[ScaleAccuracy] = field(default_factory=list)
    accuracy_by_school: dict = field(default_factory=dict)

    @property
    def spec(self):
        return self.framework.spec if self.framework else None


def _change(now: GradeView | None, before: GradeView | None) -> int | None:
    if now is None or before is None or now.scale != before.scale:
        return None
    return before.rank - now.rank


def matrix_framework_choices(*, trust: Trust) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for framework in school_frameworks(trust=trust):
        seen.setdefault(framework.code, framework.name)
    return list(seen.items())


def trust_matrix(
    *, user, trust: Trust, year: AcademicYear | None, framework_code: str, hub_id=None, phase=None
) -> TrustMatrix:
    """Schools x areas for one year and framework (by code: versions share area codes), with
    last year's grades, the last inspection on the same framework and SEF accuracy."""
    schools = restrict(School.objects.filter(trust=trust), user, Perm.SEF_VIEW)
    if (
        year is not None
    ):  # the schools in the trust during that year (trusts: School.objects.open_between)
        schools = schools.open_between(year.starts_on, year.ends_on)
    if hub_id:
        schools = schools.filter(hub_id=hub_id)
    if phase:
        schools = schools.filter(phase=phase)
    schools = list(
        schools.select_related("hub")
        .prefetch_related(
            Prefetch("inspections", queryset=Inspection.objects.order_by("-inspected_on"))
        )
        .order_by("name")
    )
    framework = (
        Framework.objects.available_to(trust.pk)
        .filter(code=framework_code)
        .order_by("-is_active", "-version")
        .first()
    )
    matrix = TrustMatrix(trust, year, None, framework, [], [])
    if framework is None or year is None:
        return matrix
    spec = framework.spec
    matrix.areas = [a for a in spec.all_areas()]
    by_school = {s.pk: s for s in schools}
    sefs = list(
        SelfEvaluation.objects.filter(
            school_id__in=list(by_school),
            framework__code=framework_code,
            academic_year__trust=trust,
            academic_year__start_year__in=[year.start_year, year.start_year - 1],
        )
        .select_related("framework", "academic_year")
        .prefetch_related(
            Prefetch("judgements", queryset=AreaJudgement.objects.prefetch_related("validations"))
        )
    )
    current = {s.school_id: s for s in sefs if s.academic_year.start_year == year.start_year}
    last = {s.school_id: s for s in sefs if s.academic_year.start_year == year.start_year - 1}
    matrix.previous_year = next((s.academic_year for s in last.values()), None)
    all_pairs = []
    for school in schools:
        sef = current.get(school.pk)
        if sef is not None:
            sef.school = school  # reuse the prefetched inspections
        applicable = {
            a.code
            for a in _flatten(
                spec.areas_for(
                    has_early_years=school.has_early_years, has_sixth_form=school.has_sixth_form
                )
            )
        }
        grades = {j.area_code: j.grade_code for j in sef.judgements.all()} if sef else {}
        previous = last.get(school.pk)
        prev_grades = (
            {j.area_code: j.grade_code for j in previous.judgements.all()} if previous else {}
        )
        inspection = latest_inspection_on(school, framework_code)
        inspected = inspection_grades(spec, inspection)
        cells = []
        for area in matrix.areas:
            if area.code not in applicable:
                cells.append(MatrixCell(applies=False))
                continue
            now = grade_view(spec, area.code, grades.get(area.code, ""))
            before = (
                grade_view(previous.framework.spec, area.code, prev_grades.get(area.code, ""))
                if previous
                else None
            )
            insp = grade_view(spec, area.code, inspected.get(area.code, ""))
            cells.append(
                MatrixCell(True, now, before, _change(now, before), insp, _change(now, insp))
            )
        pairs = sef_pairs(sef, school_label=school.name) if sef else []
        all_pairs.extend(pairs)
        main = [p for p in pairs if p.scale == main_scale(spec)]
        matrix.rows.append(
            MatrixRow(
                school=school,
                sef=sef,
                cells=cells,
                accuracy=sef_accuracy(main) if main else None,
                inspection=school.latest_inspection,
                inspection_comparable=inspection is not None,
            )
        )
    for scale in spec.scales:
        group = [p for p in all_pairs if p.scale == scale.code]
        if group:
            result = trust_sef_accuracy(group)
            matrix.accuracy.append(ScaleAccuracy(scale.code, scale.name, result.overall))
    matrix.accuracy.sort(key=lambda s: -s.accuracy.compared)
    return matrix


def _flatten(areas) -> list[Area]:
    out = []
    for area in areas:
        out.append(area)
        out.extend(_flatten(area.sub_areas))
    return out


# --------------------------------------------------------------------------- common themes

_STOPWORDS = set(
    """a an and are as at be been by for from has have in into is it its of on or our so that the
    their them there these this to too was we were which with within not all more most some than
    across through further ensure ensuring improve improving develop developing continue
    pupils pupil school schools staff""".split()
)
_WORD = re.compile(r"[a-z][a-z'-]+")


def _phrases(text: str) -> set[str]:
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 2]
    return {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}


@dataclass
class ThemeEntry:
    school: School
    grade: GradeView | None
    items: list[str]


@dataclass
class AreaTheme:
    area: Area
    entries: list[ThemeEntry]
    common_phrases: list[tuple[str, int]]  # phrase, number of schools


def development_themes(matrix: TrustMatrix) -> list[AreaTheme]:
    """Areas for development across the matrix's schools, grouped by area, with the phrases that
    recur in more than one school (a starting point for trust-wide work)."""
    if matrix.framework is None:
        return []
    spec = matrix.spec
    themes = []
    for area in matrix.areas:
        entries = []
        phrase_schools: Counter = Counter()
        for row in matrix.rows:
            if row.sef is None:
                continue
            judgement = next(
                (j for j in row.sef.judgements.all() if j.area_code == area.code), None
            )
            if judgement is None or not judgement.areas_for_development.strip():
                continue
            items = [
                line.strip(" -•*\t")
                for line in re.split(r"[\n;]+", judgement.areas_for_development)
                if line.strip(" -•*\t")
            ]
            entries.append(
                ThemeEntry(row.school, grade_view(spec, area.code, judgement.grade_code), items)
            )
            phrase_schools.update(_phrases(judgement.areas_for_development))
        common = [(p, n) for p, n in phrase_schools.most_common(6) if n > 1]
        if entries:
            themes.append(AreaTheme(area, entries, common))
    return themes


# --------------------------------------------------------------------------- trust self-review


def trust_self_reviews(*, trust: Trust) -> QuerySet:
    return (
        TrustSelfReview.objects.filter(trust=trust)
        .select_related("framework", "academic_year")
        .order_by("-academic_year__start_year")
    )


def trust_years(trust: Trust) -> list[AcademicYear]:
    return list(AcademicYear.objects.filter(trust=trust).order_by("-start_year"))


def sef_history(sef: SelfEvaluation) -> QuerySet:
    """Every audited change to the SEF, its judgements, evidence and validations, newest first.
    Callers have checked the user may read the SEF's history."""
    from django.db.models import Q

    from trustwide.audit.models import AuditEvent

    judgement_ids = [
        str(pk) for pk in AreaJudgement.objects.filter(sef=sef).values_list("pk", flat=True)
    ]
    evidence_ids = [str(pk) for pk in Evidence.objects.filter(sef=sef).values_list("pk", flat=True)]
    validation_ids = [
        str(pk) for pk in Validation.objects.filter(judgement__sef=sef).values_list("pk", flat=True)
    ]
    q = Q(object_type="evaluation.selfevaluation", object_id=str(sef.pk))
    q |= Q(object_type="evaluation.areajudgement", object_id__in=judgement_ids)
    q |= Q(object_type="evaluation.validation", object_id__in=validation_ids)
    # Deleted evidence keeps its history: match it by the SEF id in the snapshot.
    q |= Q(object_type="evaluation.evidence", object_id__in=evidence_ids)
    q |= Q(object_type="evaluation.evidence", before__sef_id=sef.pk)
    return AuditEvent.objects.filter(q, school_id=sef.school_id).select_related("actor")


# --------------------------------------------------------------------------- for planning


def development_areas_for_plan(
    *, school: School, academic_year: AcademicYear
) -> list[tuple[str, str]]:
    """(area code, label) of the school's SEF areas that name areas for development, from the
    SEF of the plan's year or, failing that, the year before (plans are written from last
    year's evaluation). Every area of that SEF is offered; those with development points first."""
    sefs = (
        SelfEvaluation.objects.filter(
            school=school,
            academic_year__start_year__in=[academic_year.start_year, academic_year.start_year - 1],
            framework__kind__in=[FrameworkKind.INSPECTION, FrameworkKind.TRUST],
        )
        .select_related("framework", "academic_year")
        .prefetch_related("judgements")
        .order_by("-academic_year__start_year", "-updated_at")
    )
    sef = sefs.first()
    if sef is None:
        return []
    spec = sef.framework.spec
    with_points, without = [], []
    for judgement in sef.judgements.all():
        try:
            name = spec.area(judgement.area_code).name
        except KeyError:
            continue
        points = " ".join(judgement.areas_for_development.split())
        if points:
            with_points.append(
                (judgement.area_code, f"{name}: {points[:90]}{'…' if len(points) > 90 else ''}")
            )
        else:
            without.append((judgement.area_code, name))
    return with_points + without
