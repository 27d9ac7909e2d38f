"""Pupil groups a KPI is broken down by.

The engine aggregates pupils into cells (school, period and the characteristics below) and
adds the groups up from the cells: each group is a predicate over the cell's
characteristics. Pupils with no characteristics row have nulls there and so count in 'all'
only.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc

# The characteristics that define the groups (columns of the characteristics dataset).
CELL_COLUMNS = ("year_group", "sex", "disadvantaged", "sen", "eal")

YEAR_GROUPS = {"year_R": 0, **{f"year_{n}": n for n in range(1, 14)}}


def _eq(col, value):
    return lambda t: pc.equal(t[col], value)


# group code -> predicate over a table with CELL_COLUMNS (null counts as not in the group)
_PREDICATES = {
    "disadvantaged": _eq("disadvantaged", True),
    "not_disadvantaged": _eq("disadvantaged", False),
    "sen_support": _eq("sen", "K"),
    "ehc_plan": _eq("sen", "E"),
    # 'sen' (support or EHC plan) exists so the SEN gap can be computed; shown as a group too.
    "sen": lambda t: pc.is_in(t["sen"], pa.array(["K", "E"])),
    "no_sen": _eq("sen", "N"),
    "eal": _eq("eal", True),
    "boys": _eq("sex", "M"),
    "girls": _eq("sex", "F"),
    **{code: _eq("year_group", n) for code, n in YEAR_GROUPS.items()},
}

GROUPS: tuple[str, ...] = ("all", *_PREDICATES)

GROUP_LABELS = {
    "all": "All pupils",
    "disadvantaged": "Disadvantaged",
    "not_disadvantaged": "Not disadvantaged",
    "sen_support": "SEN support",
    "ehc_plan": "EHC plan",
    "sen": "SEN support or EHC plan",
    "no_sen": "No identified SEN",
    "eal": "English as an additional language",
    "boys": "Boys",
    "girls": "Girls",
    "year_R": "Reception",
    **{f"year_{n}": f"Year {n}" for n in range(1, 14)},
    "disadvantaged_gap": "Disadvantaged gap (disadvantaged minus not disadvantaged)",
    "sen_gap": "SEN gap (SEN support or EHC plan minus no SEN)",
}


def group_masks(cells: pa.Table) -> Iterator[tuple[str, pa.ChunkedArray | None]]:
    """(group, boolean mask over cells) for every group; None for 'all'."""
    yield "all", None
    for code, pred in _PREDICATES.items():
        yield code, pc.fill_null(pred(cells), False)
