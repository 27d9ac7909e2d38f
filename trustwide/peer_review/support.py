"""The trust's support-category rule: pure functions, no Django.

Four signals are scored into points; the points give the category (universal, targeted,
intensive), and the signals also mark a school as a capacity giver, taker, both or neither.
Every point and mark comes with its reason in words, so leaders can check the outcome.

Signals
-------
* KPIs against national: how many of the headline KPIs are rated red (and green) against the
  national figure.
* Inspection: the latest overall (or worst area) grade, as a rank: 1 outstanding, 2 good,
  3 requires improvement, 4 inadequate.
* SEF accuracy: the percentage of validated areas where the school's own grade was agreed.
* Plan RAG: the share of the school's plan priorities rated red at the latest termly review.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

UNIVERSAL = "universal"
TARGETED = "targeted"
INTENSIVE = "intensive"
CATEGORY_LABELS = {UNIVERSAL: "Universal", TARGETED: "Targeted", INTENSIVE: "Intensive"}

GIVER = "giver"
TAKER = "taker"
BOTH = "both"
NEITHER = "neither"
CAPACITY_LABELS = {GIVER: "Capacity giver", TAKER: "Capacity taker", BOTH: "Giver and taker", NEITHER: "Neither"}

INSPECTION_LABELS = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}


@dataclass(frozen=True)
class Signals:
    kpi_red: int = 0
    kpi_green: int = 0
    kpi_rated: int = 0
    inspection_rank: int | None = None
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
        out = [f"{name.replace('_', ' ')} cannot be negative." for name, value in self.as_dict().items() if value < 0]
        if self.intensive_from <= self.targeted_from:
            out.append("Intensive must start at more points than targeted.")
        if self.targeted_from < 1:
            out.append("Targeted must start at one point or more, or every school would be targeted.")
        for name in ("sef_accurate_percent", "plan_red_percent"):
            if getattr(self, name) > 100:
                out.append(f"{name.replace('_', ' ')} is a percentage: 100 or less.")
        return out

    def describe(self) -> list[str]:
        return [
            f"{self.points_kpi_red} point(s) per headline KPI red against national (at most {self.kpi_red_cap} KPIs count).",
            f"Inspection: {self.points_inspection_ri} points for requires improvement, "
            f"{self.points_inspection_inadequate} for inadequate.",
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
        reasons.append(f"{signals.kpi_red} of {signals.kpi_rated} headline KPIs red against national (+{gained}).")
    elif signals.kpi_rated:
        reasons.append(f"No headline KPI red against national ({signals.kpi_green} of {signals.kpi_rated} green).")
    else:
        reasons.append("No KPI figures against national yet.")
    rank = signals.inspection_rank
    if rank == 4:
        points += rule.points_inspection_inadequate
        reasons.append(f"Latest inspection inadequate (+{rule.points_inspection_inadequate}).")
    elif rank == 3:
        points += rule.points_inspection_ri
        reasons.append(f"Latest inspection requires improvement (+{rule.points_inspection_ri}).")
    elif rank in (1, 2):
        reasons.append(f"Latest inspection {INSPECTION_LABELS[rank].lower()}.")
    else:
        reasons.append("No inspection grade recorded.")
    pct = signals.sef_agreement_percent
    if pct is None:
        reasons.append("SEF not yet validated: accuracy unknown.")
    elif pct < rule.sef_accurate_percent:
        points += rule.points_sef_inaccurate
        reasons.append(f"SEF accuracy {pct:.0f}% of {signals.sef_compared} validated areas agreed, below "
                       f"{rule.sef_accurate_percent}% (+{rule.points_sef_inaccurate}).")
    else:
        reasons.append(f"SEF accuracy {pct:.0f}% of {signals.sef_compared} validated areas agreed.")
    if signals.plan_rated:
        share = 100 * signals.plan_red / signals.plan_rated
        if share >= rule.plan_red_percent:
            points += rule.points_plan_red
            reasons.append(f"{signals.plan_red} of {signals.plan_rated} plan priorities red ({share:.0f}%) "
                           f"(+{rule.points_plan_red}).")
        else:
            reasons.append(f"{signals.plan_red} of {signals.plan_rated} plan priorities red ({share:.0f}%).")
    else:
        reasons.append("No termly plan RAG yet.")
    if points >= rule.intensive_from:
        category = INTENSIVE
    elif points >= rule.targeted_from:
        category = TARGETED
    else:
        category = UNIVERSAL
    reasons.append(f"{points} point(s): {CATEGORY_LABELS[category].lower()}.")
    strong = rank in (1, 2) and signals.kpi_green >= rule.giver_min_green_kpis
    if category == UNIVERSAL and strong:
        capacity = GIVER
        reasons.append("Gives capacity: universal, good or better, and strong headline KPIs.")
    elif category != UNIVERSAL and strong:
        capacity = BOTH
        reasons.append("Takes support overall but has strengths to share (good or better, strong KPIs).")
    elif category != UNIVERSAL:
        capacity = TAKER
        reasons.append("Takes capacity: in a support category.")
    else:
        capacity = NEITHER
    return Outcome(category, capacity, points, reasons)


def inspection_rank(grades: dict | None) -> int | None:
    """The worst recognised grade of an inspection's areas (an overall grade if recorded)."""
    by_label = {label.lower(): rank for rank, label in INSPECTION_LABELS.items()}
    by_label.update({"ri": 3, "requires-improvement": 3, "outstanding": 1, "good": 2, "inadequate": 4})
    ranks = []
    for area, value in (grades or {}).items():
        rank = by_label.get(str(value).strip().lower())
        if rank is None:
            continue
        if area in ("overall", "overall-effectiveness"):
            return rank
        ranks.append(rank)
    return max(ranks) if ranks else None
