"""Pupil groups a KPI is broken down by.

The engine aggregates pupils into cells (school, period and the pupil's characteristics) and
adds the groups up from the cells: each group is a predicate over the characteristics. To keep
the big GROUP BY narrow, a pupil's characteristics are packed into one small integer, the
*cell code* (``cell_code``, an Ibis expression run by the backend); ``membership()`` gives,
for every cell code, the groups a pupil with that code belongs to. Pupils with no
characteristics row have a null cell code (``NO_CELL`` here) and so count in 'all' only.
"""

from __future__ import annotations

import functools
import itertools

import ibis
import ibis.expr.types as ir
import numpy as np

# The characteristics that define the groups (columns of the characteristics dataset).
CELL_COLUMNS = ("year_group", "sex", "disadvantaged", "sen", "eal")

YEAR_GROUPS = {"year_R": 0, **{f"year_{n}": n for n in range(1, 14)}}

# Each characteristic as a small code: the values a group can test for, in order, and one
# last code for anything else (null, nursery, year 14, an unexpected value). No group
# distinguishes between the values folded into that last code, so nothing is lost.
_FIELDS: tuple[tuple[str, tuple], ...] = (
    ("year_group", tuple(range(0, 14))),
    ("sex", ("F", "M")),
    ("disadvantaged", (False, True)),
    ("sen", ("N", "K", "E")),
    ("eal", (True,)),
)
_SIZES = tuple(len(values) + 1 for _, values in _FIELDS)
N_CELLS = int(np.prod(_SIZES))
NO_CELL = N_CELLS  # the cell code of a pupil with no characteristics row


def _eq(col, value):
    return lambda c: c[col] == value


# group code -> predicate over a dict of characteristics (None = unknown: not in the group)
_PREDICATES = {
    "disadvantaged": _eq("disadvantaged", True),
    "not_disadvantaged": _eq("disadvantaged", False),
    "sen_support": _eq("sen", "K"),
    "ehc_plan": _eq("sen", "E"),
    # 'sen' (support or EHC plan) exists so the SEN gap can be computed; shown as a group too.
    "sen": lambda c: c["sen"] in ("K", "E"),
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


def cell_code(t: ir.Table) -> ir.IntegerValue:
    """The cell code of each row of a table with CELL_COLUMNS (an Ibis expression).

    Mixed radix over the fields' codes; a null or unexpected value takes the field's last
    code (SQL CASE: a comparison with null is not true).
    """
    code = None
    for (col, values), size in zip(_FIELDS, _SIZES, strict=True):
        field = ibis.cases(
            *[(t[col] == v, i) for i, v in enumerate(values)], else_=len(values)
        ).cast("int16")
        code = field if code is None else code * size + field
    return code.cast("int16")


@functools.cache
def membership() -> np.ndarray:
    """Boolean matrix (N_CELLS + 1) x len(GROUPS): may a pupil with this cell code count in
    the group? Row NO_CELL (no characteristics row) is in 'all' only."""
    out = np.zeros((N_CELLS + 1, len(GROUPS)), dtype=bool)
    out[:, 0] = True  # 'all'
    ranges = [range(s) for s in _SIZES]
    for code, digits in enumerate(itertools.product(*ranges)):
        chars = {
            col: (values[i] if i < len(values) else None)
            for (col, values), i in zip(_FIELDS, digits, strict=True)
        }
        for g, pred in enumerate(_PREDICATES.values(), start=1):
            out[code, g] = pred(chars)
    out.setflags(write=False)
    return out
