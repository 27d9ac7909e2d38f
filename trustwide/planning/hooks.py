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
