"""Extension points other apps plug into, so planning never imports them.

`criterion_status_providers`: callables (plan, criteria) -> {criterion pk: DataStatus}; the KPI
app registers one that reads computed KPI values for criteria bound to a KPI (and pupil group).
`criterion_group_labels`: the pupil groups such a criterion may name (filled by the KPI app).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DataStatus:
    label: str  # e.g. "Met from data", "Not yet met", "No data yet"
    detail: str  # the figures behind it
    met: bool | None  # None: cannot tell (no data, suppressed, target not a number)


criterion_status_providers: list[Callable] = []

# Pupil groups (and gaps) a KPI-bound criterion may name: code -> label. The KPI app fills it
# from kpis.groups.GROUP_LABELS; blank on a criterion means all pupils.
criterion_group_labels: dict[str, str] = {}


def criterion_data_statuses(plan, criteria) -> dict[int, DataStatus]:
    statuses: dict[int, DataStatus] = {}
    for provider in criterion_status_providers:
        statuses.update(provider(plan, criteria))
    return statuses


@dataclass(frozen=True)
class ResultLine:
    label: str  # e.g. "KS2 reading, writing and maths at the expected standard"
    school: str  # the school's figure as shown, e.g. "62.0%" or "fewer than 5 pupils"
    national: str  # the national figure as shown, or "" when there is none


# Callables (school, start_year) -> [ResultLine]: the statutory results of a school's academic
# year against national, for the year-end review. The KPI app registers one.
review_results_providers: list[Callable] = []

# Callables (school, start_year) -> [(heading, text)]: more evidence for a school's mid-year
# review, e.g. STAR project impacts once a STAR app exists (it registers here; none does yet).
review_evidence_providers: list[Callable] = []


def review_results(school, start_year: int) -> list[ResultLine]:
    return [line for p in review_results_providers for line in p(school, start_year)]


def review_evidence(school, start_year: int) -> list[tuple[str, str]]:
    return [item for p in review_evidence_providers for item in p(school, start_year)]


@dataclass(frozen=True)
class TrustResultRow:
    who: str  # "Trust" or the school's name
    figure: str  # as shown, e.g. "62.0%" or "fewer than 5 pupils"
    target: str  # the target as shown, or "" when none is set
    national: str  # the national figure with its year, e.g. "61.0% (2025/26)", or ""
    national_note: str  # which national figure was used (year, phase, source)
    rating: str  # against national: "Green", "Amber", "Red" or ""
    rating_rule: str  # the rule behind the rating, for the reader to check


@dataclass(frozen=True)
class TrustResults:
    label: str  # the measure, e.g. "KS2 expected standard in reading, writing and maths"
    rows: tuple[TrustResultRow, ...]  # the trust first (when the reader sees it), then schools


# Callables (user, trust, start_year) -> [TrustResults]: the trust's statutory results and
# attendance of an academic year against national, trust-wide and per school, as far as the user
# may see them, for the strategic plan's year-end review. The KPI app registers one.
trust_results_providers: list[Callable] = []


def trust_results(user, trust, start_year: int) -> list[TrustResults]:
    return [r for p in trust_results_providers for r in p(user, trust, start_year)]
