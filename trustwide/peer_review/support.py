"""The trust's support-category rule: pure functions, no Django.

Four signals are scored into points; the points give the category (universal, targeted,
intensive), and the signals also mark a school as a capacity giver, taker, both or neither.
Every point and mark comes with its reason in words, so leaders can check the outcome.

Signals
-------
* KPIs against national: how many of the headline KPIs are rated red (and green) against the
  national figure.
* Inspection, read through trustwide.trusts.inspections (both frameworks): EIF 2019 as the
  overall (or worst judgement) rank, 1 outstanding .. 4 inadequate; a report card area by area
  (points per area graded urgent improvement or needs attention); safeguarding not met (or
  not effective) is the most serious signal and makes the school intensive whatever the points.
* SEF accuracy: the percentage of validated areas where the school's own grade was agreed.
* Plan RAG: the share of the school's plan priorities rated red at the latest termly review.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from trustwide.trusts.inspections import read_grades

UNIVERSAL = "universal"
TARGETED = "targeted"
INTENSIVE = "intensive"
CATEGORY_LABELS = {UNIVERSAL: "Universal", TARGETED: "Targeted", INTENSIVE: "Intensive"}

GIVER = "giver"
TAKER = "taker"
BOTH = "both"
NEITHER = "neither"
CAPACITY_LABELS = {
    GIVER: "Capacity giver",
    TAKER: "Capacity taker",
    BOTH: "Giver and taker",
    NEITHER: "Neither",
}

INSPECTION_LABELS = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}


@dataclass(frozen=True)
class Signals:
    kpi_red: int = 0
    kpi_green: int = 0
    kpi_rated: int = 0
    inspection_rank: int | None = None  # EIF 2019 only
    urgent_areas: tuple[str, ...] = ()  # report card areas graded urgent improvement
    attention_areas: tuple[str, ...] = ()  # report card areas graded needs attention
    safeguarding_not_met: bool = False
    inspection_good_or_better: bool | None = None  # None: decide from inspection_rank
    sef_agreement_percent: float | None = None
    sef_compared: int = 0
    plan_red: int = 0
    plan_rated: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Rule:
    """The trust's rule. Defaults are a starting point; the trust edits them."""

    points_kpi_red: int = 1  # per headline KPI red against national
    kpi_red_cap: int = 3
    points_inspection_ri: int = 2
    points_inspection_inadequate: int = 4
    points_urgent_improvement_area: int = 4  # report card, per area graded urgent improvement
    points_needs_attention_area: int = 1  # report card, per area graded needs attention
    needs_attention_cap: int = 3  # at most this many needs-attention areas count
    points_sef_inaccurate: int = 1
    sef_accurate_percent: int = 60  # agreement below this scores points_sef_inaccurate
    points_plan_red: int = 2
    plan_red_percent: int = 30  # share of priorities red at or above this scores points_plan_red
    targeted_from: int = 2
    intensive_from: int = 5
    giver_min_green_kpis: int = 2  # green against national, with a good or better inspection

    @classmethod
    def from_dict(cls, data: dict | None) -> Rule:
        known = {k: int(v) for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def as_dict(self) -> dict:
        return asdict(self)

    def problems(self) -> list[str]:
        out = [
            f"{name.replace('_', ' ')} cannot be negative."
            for name, value in self.as_dict().items()
            if value < 0
        ]
        if self.intensive_from <= self.targeted_from:
            out.append("Intensive must start at more points than targeted.")
        if self.targeted_from < 1:
            out.append(
                "Targeted must start at one point or more, or every school would be targeted."
            )
        for name in ("sef_accurate_percent", "plan_red_percent"):
            if getattr(self, name) > 100:
                out.append(f"{name.replace('_', ' ')} is a percentage: 100 or less.")
        return out

    def describe(self) -> list[str]:
        return [
            f"{self.points_kpi_red} point(s) per headline KPI red against national (at most {self.kpi_red_cap} KPIs count).",
            f"Inspection: {self.points_inspection_ri} points for requires improvement, "
            f"{self.points_inspection_inadequate} for inadequate (2019 framework). Report card: "
            f"{self.points_urgent_improvement_area} points per area graded urgent improvement, "
            f"{self.points_needs_attention_area} per area needing attention (at most {self.needs_attention_cap} count). "
            "Safeguarding not met (or not effective): intensive, whatever the points.",
            f"SEF accuracy: {self.points_sef_inaccurate} point(s) when fewer than {self.sef_accurate_percent}% of "
            "validated areas agree with the school's grade.",
            f"Plan RAG: {self.points_plan_red} points when {self.plan_red_percent}% or more of plan priorities are red.",
            f"Category: targeted from {self.targeted_from} points, intensive from {self.intensive_from}; "
            "otherwise universal.",
            f"Capacity giver: universal, inspected good or better and at least {self.giver_min_green_kpis} headline "
            "KPIs green against national. Taker: targeted or intensive. Both: a taker that meets the giver test.",
        ]


@dataclass(frozen=True)
class Outcome:
    category: str
    capacity: str
    points: int
    reasons: list[str] = field(default_factory=list)

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]

    @property
    def capacity_label(self) -> str:
        return CAPACITY_LABELS[self.capacity]


def categorise(signals: Signals, rule: Rule | None = None) -> Outcome:
    rule = rule or Rule()
    points = 0
    reasons: list[str] = []
    counted = min(signals.kpi_red, rule.kpi_red_cap)
    if counted and rule.points_kpi_red:
        gained = counted * rule.points_kpi_red
        points += gained
        reasons.append(
            f"{signals.kpi_red} of {signals.kpi_rated} headline KPIs red against national (+{gained})."
        )
    elif signals.kpi_rated:
        reasons.append(
            f"No headline KPI red against national ({signals.kpi_green} of {signals.kpi_rated} green)."
        )
    else:
        reasons.append("No KPI figures against national yet.")
    rank = signals.inspection_rank
    if signals.safeguarding_not_met:
        reasons.append("Latest inspection: safeguarding not met (intensive, whatever the points).")
    if signals.urgent_areas or signals.attention_areas:
        if signals.urgent_areas:
            gained = len(signals.urgent_areas) * rule.points_urgent_improvement_area
            points += gained
            reasons.append(
                f"Latest inspection: urgent improvement in {', '.join(signals.urgent_areas)} (+{gained})."
            )
        if signals.attention_areas:
            gained = (
                min(len(signals.attention_areas), rule.needs_attention_cap)
                * rule.points_needs_attention_area
            )
            points += gained
            reasons.append(
                f"Latest inspection: needs attention in {', '.join(signals.attention_areas)} (+{gained})."
            )
    elif signals.inspection_good_or_better is not None and rank is None:
        reasons.append(
            "Latest inspection: every area at expected standard or above."
            if signals.inspection_good_or_better
            else "Latest inspection recorded."
        )
    elif rank == 4:
        points += rule.points_inspection_inadequate
        reasons.append(f"Latest inspection inadequate (+{rule.points_inspection_inadequate}).")
    elif rank == 3:
        points += rule.points_inspection_ri
        reasons.append(f"Latest inspection requires improvement (+{rule.points_inspection_ri}).")
    elif rank in (1, 2):
        reasons.append(f"Latest inspection {INSPECTION_LABELS[rank].lower()}.")
    elif not signals.safeguarding_not_met:
        reasons.append("No inspection grade recorded.")
    pct = signals.sef_agreement_percent
    if pct is None:
        reasons.append("SEF not yet validated: accuracy unknown.")
    elif pct < rule.sef_accurate_percent:
        points += rule.points_sef_inaccurate
        reasons.append(
            f"SEF accuracy {pct:.0f}% of {signals.sef_compared} validated areas agreed, below "
            f"{rule.sef_accurate_percent}% (+{rule.points_sef_inaccurate})."
        )
    else:
        reasons.append(f"SEF accuracy {pct:.0f}% of {signals.sef_compared} validated areas agreed.")
    if signals.plan_rated:
        share = 100 * signals.plan_red / signals.plan_rated
        if share >= rule.plan_red_percent:
            points += rule.points_plan_red
            reasons.append(
                f"{signals.plan_red} of {signals.plan_rated} plan priorities red ({share:.0f}%) "
                f"(+{rule.points_plan_red})."
            )
        else:
            reasons.append(
                f"{signals.plan_red} of {signals.plan_rated} plan priorities red ({share:.0f}%)."
            )
    else:
        reasons.append("No termly plan RAG yet.")
    if points >= rule.intensive_from or signals.safeguarding_not_met:
        category = INTENSIVE
    elif points >= rule.targeted_from:
        category = TARGETED
    else:
        category = UNIVERSAL
    reasons.append(f"{points} point(s): {CATEGORY_LABELS[category].lower()}.")
    good = signals.inspection_good_or_better
    if good is None:
        good = rank in (1, 2) and not signals.safeguarding_not_met
    strong = good and signals.kpi_green >= rule.giver_min_green_kpis
    if category == UNIVERSAL and strong:
        capacity = GIVER
        reasons.append("Gives capacity: universal, good or better, and strong headline KPIs.")
    elif category != UNIVERSAL and strong:
        capacity = BOTH
        reasons.append(
            "Takes support overall but has strengths to share (good or better, strong KPIs)."
        )
    elif category != UNIVERSAL:
        capacity = TAKER
        reasons.append("Takes capacity: in a support category.")
    else:
        capacity = NEITHER
    return Outcome(category, capacity, points, reasons)


def inspection_signals(framework: str, grades: dict | None) -> dict:
    """The inspection part of Signals, read through the one inspection reader."""
    if not grades:
        return {}
    reading = read_grades(framework, grades)
    if not reading.areas:
        return {}
    return {
        "inspection_rank": reading.rank_2019,
        "urgent_areas": reading.urgent_areas,
        "attention_areas": reading.attention_areas,
        "safeguarding_not_met": reading.safeguarding_not_met,
        "inspection_good_or_better": reading.good_or_better,
    }


def inspection_rank(grades: dict | None, framework: str = "ofsted-eif-2019") -> int | None:
    """EIF 2019's overall (or worst judgement) rank; None for report cards, which have no overall grade."""
    return read_grades(framework, grades).rank_2019
