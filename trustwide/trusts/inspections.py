"""Ofsted inspection outcomes, read one way for both frameworks.

Every consumer of inspection grades (support levels, schools of concern, the school page,
the board report, rota balancing) calls :func:`read_inspection`; nothing else interprets
``Inspection.grades``. Pure Python: no Django, so the peer-review rule can use it too.

* Ofsted EIF 2019: four grades (outstanding .. inadequate) per judgement, an overall
  effectiveness grade, safeguarding effective / not effective.
* Ofsted report cards (from 10 November 2025): a five-point scale per evaluation area
  (exceptional, strong standard, expected standard, needs attention, urgent improvement),
  early years and sixth form only where the school has them, safeguarding met / not met.
  There is no overall grade, so the two frameworks' grades are never compared rank for rank.

Rows store grade labels keyed by area code (older rows may use codes or older area codes:
both are recognised when reading).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

EIF_2019 = "ofsted-eif-2019"
REPORT_CARD_2025 = "ofsted-report-card-2025"
REPORT_CARDS_FROM = datetime.date(2025, 11, 10)

FULL_INSPECTION = "inspection"
MONITORING_VISIT = "monitoring"

EARLY_YEARS = "early_years"
SIXTH_FORM = "sixth_form"


@dataclass(frozen=True)
class GradeDef:
    code: str
    label: str
    rank: int


@dataclass(frozen=True)
class AreaDef:
    code: str
    name: str
    scale: tuple[GradeDef, ...]
    provision: str = ""  # EARLY_YEARS / SIXTH_FORM: graded only where the school has it
    aliases: tuple[str, ...] = ()
    required: bool = True

    def grade(self, value) -> GradeDef | None:
        text = str(value or "").strip().casefold()
        for g in self.scale:
            if text in (g.code, g.label.casefold()):
                return g
        return None


@dataclass(frozen=True)
class FrameworkDef:
    code: str
    name: str
    areas: tuple[AreaDef, ...]

    def area(self, code: str) -> AreaDef | None:
        for a in self.areas:
            if code == a.code or code in a.aliases:
                return a
        return None


def _scale(*labels: str) -> tuple[GradeDef, ...]:
    return tuple(
        GradeDef(label.lower().replace(" ", "-"), label, rank)
        for rank, label in enumerate(labels, 1)
    )


FOUR_POINT = _scale("Outstanding", "Good", "Requires improvement", "Inadequate")
EFFECTIVE = _scale("Effective", "Not effective")
FIVE_POINT = _scale(
    "Exceptional", "Strong standard", "Expected standard", "Needs attention", "Urgent improvement"
)
MET = _scale("Met", "Not met")

NEEDS_ATTENTION = "needs-attention"
URGENT_IMPROVEMENT = "urgent-improvement"

FRAMEWORKS: dict[str, FrameworkDef] = {
    EIF_2019: FrameworkDef(
        EIF_2019,
        "Ofsted education inspection framework (2019)",
        (
            AreaDef(
                "overall-effectiveness",
                "Overall effectiveness",
                FOUR_POINT,
                aliases=("overall",),
                required=False,
            ),
            AreaDef("quality-of-education", "Quality of education", FOUR_POINT),
            AreaDef("behaviour-and-attitudes", "Behaviour and attitudes", FOUR_POINT),
            AreaDef("personal-development", "Personal development", FOUR_POINT),
            AreaDef("leadership-and-management", "Leadership and management", FOUR_POINT),
            AreaDef(
                "early-years-provision",
                "Early years provision",
                FOUR_POINT,
                EARLY_YEARS,
                ("early-years",),
            ),
            AreaDef(
                "sixth-form-provision",
                "Sixth-form provision",
                FOUR_POINT,
                SIXTH_FORM,
                ("sixth-form",),
            ),
            AreaDef("safeguarding", "Safeguarding", EFFECTIVE, required=False),
        ),
    ),
    REPORT_CARD_2025: FrameworkDef(
        REPORT_CARD_2025,
        "Ofsted report card (from November 2025)",
        (
            AreaDef("inclusion", "Inclusion", FIVE_POINT),
            AreaDef("curriculum-and-teaching", "Curriculum and teaching", FIVE_POINT),
            AreaDef("achievement", "Achievement", FIVE_POINT),
            AreaDef("attendance-and-behaviour", "Attendance and behaviour", FIVE_POINT),
            AreaDef(
                "personal-development-and-well-being",
                "Personal development and well-being",
                FIVE_POINT,
            ),
            AreaDef("leadership-and-governance", "Leadership and governance", FIVE_POINT),
            AreaDef("early-years", "Early years", FIVE_POINT, EARLY_YEARS),
            AreaDef("sixth-form", "Sixth form", FIVE_POINT, SIXTH_FORM),
            AreaDef("safeguarding", "Safeguarding", MET),
        ),
    ),
}
FRAMEWORK_CHOICES = [(f.code, f.name) for f in FRAMEWORKS.values()]
KIND_CHOICES = [(FULL_INSPECTION, "Inspection"), (MONITORING_VISIT, "Monitoring visit")]


@dataclass(frozen=True)
class AreaGrade:
    area_code: str
    area_name: str
    grade_code: str
    grade_label: str
    rank: int


@dataclass(frozen=True)
class InspectionReading:
    """What an inspection says, in words, whichever framework it was under."""

    framework: str
    framework_name: str
    inspected_on: datetime.date | None
    areas: tuple[AreaGrade, ...]
    rank_2019: int | None = None  # EIF 2019: overall grade, else the worst judgement (1 best .. 4)
    urgent_areas: tuple[str, ...] = ()  # report card: area names graded urgent improvement
    attention_areas: tuple[str, ...] = ()  # report card: area names graded needs attention
    safeguarding_not_met: bool = False  # report card "not met" or 2019 "not effective"

    @property
    def is_report_card(self) -> bool:
        return self.framework == REPORT_CARD_2025

    @property
    def good_or_better(self) -> bool:
        """Strong enough to give capacity: 2019 good or better; report card with every graded
        area at expected standard or above and safeguarding met."""
        if self.safeguarding_not_met:
            return False
        if self.is_report_card:
            return bool(self.areas) and not (self.urgent_areas or self.attention_areas)
        return self.rank_2019 in (1, 2)

    @property
    def strength(self) -> float | None:
        """For balancing groups (lower is stronger), on a rough common 1..4 line."""
        if self.safeguarding_not_met:
            return 4.0
        if self.is_report_card:
            ranks = [a.rank for a in self.areas if a.area_code != "safeguarding"]
            return (max(ranks) - 1) * 0.75 + 1 if ranks else None
        return float(self.rank_2019) if self.rank_2019 else None

    @property
    def summary(self) -> str:
        if not self.areas:
            return "No grades recorded"
        parts = []
        if self.safeguarding_not_met:
            parts.append(
                "safeguarding not met" if self.is_report_card else "safeguarding not effective"
            )
        if self.is_report_card:
            if self.urgent_areas:
                parts.append("urgent improvement: " + ", ".join(self.urgent_areas))
            if self.attention_areas:
                parts.append("needs attention: " + ", ".join(self.attention_areas))
            if not parts:
                parts.append("all areas at expected standard or above")
            return "; ".join(parts).capitalize()
        label = FOUR_POINT[self.rank_2019 - 1].label if self.rank_2019 else "No overall grade"
        return "; ".join([label, *parts])


def read_grades(framework: str, grades: dict | None, inspected_on=None) -> InspectionReading:
    spec = FRAMEWORKS.get(framework)
    if spec is None:
        return InspectionReading(framework, framework, inspected_on, ())
    areas: list[AreaGrade] = []
    overall = None
    for key, value in (grades or {}).items():
        area = spec.area(key)
        grade = area.grade(value) if area else None
        if grade is None:
            continue  # an unknown area or grade is not guessed at
        if area.code == "overall-effectiveness":
            overall = grade.rank
        areas.append(AreaGrade(area.code, area.name, grade.code, grade.label, grade.rank))
    order = {a.code: i for i, a in enumerate(spec.areas)}
    areas.sort(key=lambda a: order[a.area_code])
    safeguarding_not_met = any(a.area_code == "safeguarding" and a.rank == 2 for a in areas)
    if framework == EIF_2019:
        judged = [
            a.rank for a in areas if a.area_code not in ("overall-effectiveness", "safeguarding")
        ]
        rank = overall or (max(judged) if judged else None)
        return InspectionReading(
            framework,
            spec.name,
            inspected_on,
            tuple(areas),
            rank_2019=rank,
            safeguarding_not_met=safeguarding_not_met,
        )
    return InspectionReading(
        framework,
        spec.name,
        inspected_on,
        tuple(areas),
        urgent_areas=tuple(a.area_name for a in areas if a.grade_code == URGENT_IMPROVEMENT),
        attention_areas=tuple(a.area_name for a in areas if a.grade_code == NEEDS_ATTENTION),
        safeguarding_not_met=safeguarding_not_met,
    )


def read_inspection(inspection) -> InspectionReading | None:
    """The one reading of an Inspection row (or None when there is none)."""
    if inspection is None:
        return None
    return read_grades(inspection.framework, inspection.grades, inspection.inspected_on)


def grade_problems(
    framework: str,
    grades: dict,
    *,
    inspected_on: datetime.date | None,
    kind: str,
    has_early_years: bool,
    has_sixth_form: bool,
    partial: bool = False,
) -> dict[str, str]:
    """Field -> message for a recorded inspection; empty when it is valid. ``partial`` allows
    a full inspection with some areas missing (a GIAS import carries only the overall grade)."""
    spec = FRAMEWORKS.get(framework)
    if spec is None:
        return {
            "framework": f"Unknown framework {framework!r}: expected one of {', '.join(FRAMEWORKS)}."
        }
    problems: dict[str, str] = {}
    if inspected_on is not None:
        if framework == REPORT_CARD_2025 and inspected_on < REPORT_CARDS_FROM:
            problems["inspected_on"] = (
                f"Report cards started on {REPORT_CARDS_FROM:%d/%m/%Y}: choose the 2019 framework."
            )
    has = {EARLY_YEARS: has_early_years, SIXTH_FORM: has_sixth_form}
    for key, value in grades.items():
        area = spec.area(key)
        if area is None:
            problems[key] = f"{key!r} is not an area of the {spec.name}."
        elif value and area.grade(value) is None:
            allowed = ", ".join(g.label for g in area.scale)
            problems[area.code] = (
                f"{area.name}: {value!r} is not a grade; expected one of {allowed}."
            )
        elif value and area.provision and not has[area.provision]:
            problems[area.code] = f"{area.name}: the school has no {area.name.lower()} provision."
    if kind == FULL_INSPECTION and not partial:
        for area in spec.areas:
            if not area.required or (area.provision and not has[area.provision]):
                continue
            if not any(grades.get(k) for k in (area.code, *area.aliases)):
                problems.setdefault(
                    area.code, f"{area.name}: a grade is needed for a full inspection."
                )
    return problems


def applicable_areas(
    framework: str, *, has_early_years: bool, has_sixth_form: bool
) -> list[AreaDef]:
    has = {EARLY_YEARS: has_early_years, SIXTH_FORM: has_sixth_form}
    return [a for a in FRAMEWORKS[framework].areas if not a.provision or has[a.provision]]
