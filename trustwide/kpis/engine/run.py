"""A run: bind the plan to a trust's files, batch by batch; then groups, roll-up, suppression and gaps in numpy."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from trustwide.data import derived
from trustwide.data.store import AnalyticsStore
from trustwide.kpis import definitions as d
from trustwide.kpis.groups import GROUPS, membership
from trustwide.kpis.periods import (
    Period,
    build_periods,
    normalise_terms,
    resolve_as_of,
)

from . import ks4
from .backends import (
    _Backend,
)
from .plan import (
    _PLACEHOLDER,
    PACK_BITS,
    PACK_LIMIT,
    SUM_UNITS,
    _plan,
    _Step,
)
from .schema import (
    _LEVELS,
    BATCH_SCHOOLS,
    FAMILY_DATASETS,
    RESULT_SCHEMA,
    StaleDerivedData,
)

# ----------------------------------------------------------------------------------------
# A run: bind the plan to this trust's files, batch by batch; then groups, roll-up,
# suppression and gaps in numpy
# ----------------------------------------------------------------------------------------


@dataclass
class _Block:
    """Result rows of one KPI and level (or batch of schools), in sorted order."""

    kpi: int  # index into _Run.kpi_codes (sorted)
    level: int  # index into _LEVELS
    scope: np.ndarray  # index into _Run.scope_names
    period: np.ndarray  # index into _Run.period_names (sorted)
    group: np.ndarray  # index into _Run.group_names (sorted)
    value: np.ndarray
    value_null: np.ndarray
    numerator: np.ndarray
    count_null: np.ndarray  # numerator and denominator hidden
    denominator: np.ndarray
    pupils: np.ndarray
    suppressed: np.ndarray


def _unpacked(table: pa.Table, step: _Step, cols: list[str], rows: np.ndarray) -> np.ndarray:
    """The step's quantities for these rows of its cells table, unpacked: (periods x cols,
    rows), period-major, in row order."""
    field = {
        name: (packed, slot) for packed, names in step.packed for slot, name in enumerate(names)
    }
    values = np.empty((len(step.periods) * len(cols), len(rows)))
    cache: dict[str, np.ndarray] = {}
    for i, (p, c) in enumerate((p, c) for p in step.periods for c in cols):
        if c in field:
            packed, slot = field[c]
            key = f"{packed}__{p}"
            if key not in cache:
                cache[key] = table[key].to_numpy()[rows].astype(np.int64)  # exact below 2**53
            values[i] = (cache[key] >> (PACK_BITS * slot)) & (PACK_LIMIT - 1)
        else:
            values[i] = table[f"{c}__{p}"].to_numpy()[rows]
    return values


def _group_sums(
    school: np.ndarray,
    cell: np.ndarray,
    values: np.ndarray,
    n_schools: int,
    member: np.ndarray,
    chunk: int = 128,
) -> np.ndarray:
    """(schools, groups, columns) sums. `school` and `cell` are sorted by school; `values`
    (columns x rows) are in the same order. Each row (one school and cell code) counts in
    every group its cell is in: a stacked matrix product per chunk of schools,
    (groups x cells) @ (cells x columns), cells padded to the widest school of the chunk."""
    n_cols, n_groups = values.shape[0], member.shape[1]
    out = np.zeros((n_schools, n_groups, n_cols))
    if not len(school):
        return out
    starts = np.flatnonzero(np.r_[True, school[1:] != school[:-1]])
    seg = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(school)]))
    pos = np.arange(len(school)) - starts[seg]
    bounds = np.r_[starts, len(school)]
    for first in range(0, len(starts), chunk):
        last = min(first + chunk, len(starts))
        part = slice(bounds[first], bounds[last])
        local, at = seg[part] - first, pos[part]
        width = int(at.max()) + 1  # the widest school of this chunk (cells present)
        stacked = np.zeros((n_cols, last - first, width))
        stacked[:, local, at] = values[:, part]
        groups = np.zeros((last - first, width, n_groups))
        groups[local, at] = member[cell[part]]
        # (schools, groups, cells) @ (schools, cells, columns)
        out[school[starts[first:last]]] = np.matmul(
            groups.transpose(0, 2, 1), stacked.transpose(1, 2, 0)
        )
    return out


class _Run:
    @classmethod
    def create(
        cls,
        *,
        store_root,
        trust_id,
        academic_year,
        school_hubs,
        terms,
        backend="duckdb",
        as_of=None,
        kpis=None,
        connection=None,
        batch_schools=None,
        a8_estimates=None,
    ):
        selected = d.engine_kpis(kpis)
        term_periods = normalise_terms(academic_year, terms)
        cut = resolve_as_of(academic_year, as_of)
        names = {"characteristics"} | {ds for k in selected for ds in FAMILY_DATASETS[k.family]}
        stale = AnalyticsStore(store_root).stale_derived(
            trust_id, academic_year, school_hubs, names=sorted(names)
        )
        if stale:
            raise StaleDerivedData(
                f"the store's shards of trust {trust_id}, {academic_year}/{academic_year + 1}, "
                f"are missing or older than the school files they come from {stale}; "
                "AnalyticsStore.ensure_derived rebuilds them (the KPI refresh calls it)"
            )
        return cls(
            store_root=Path(store_root),
            trust_id=str(trust_id),
            academic_year=academic_year,
            school_hubs=school_hubs,
            terms=term_periods,
            as_of=cut,
            kpis=selected,
            backend=_Backend(backend, connection),
            batch_schools=batch_schools or BATCH_SCHOOLS,
            estimates=ks4.estimates_table(a8_estimates or ()),
        )

    def __init__(
        self,
        *,
        store_root,
        trust_id,
        academic_year,
        school_hubs,
        terms,
        as_of,
        kpis,
        backend,
        batch_schools,
        estimates=None,
    ):
        self.root = store_root
        self.trust_id = trust_id
        self.year = academic_year
        self.terms: list[Period] = terms
        self.as_of = as_of
        self.backend = backend
        self.batch_schools = max(1, int(batch_schools))
        self.periods = build_periods(academic_year=academic_year, terms=terms, as_of=as_of)
        self.kpis = sorted(kpis, key=lambda k: k.code)  # the result's order
        self.kpi_codes = [k.code for k in self.kpis]

        # Scopes in result order: hubs, schools, the trust; each sorted as text.
        urns = sorted({int(u) for u in school_hubs}, key=str)
        hub_of = {int(u): (None if h is None else str(h)) for u, h in school_hubs.items()}
        hubs = sorted({h for h in hub_of.values() if h is not None})
        self.scope_names = pa.array([*hubs, *map(str, urns), self.trust_id], pa.string())
        self.school_offset = len(hubs)
        self.urns = urns  # in text order: batches and school rows follow it
        hub_index = {h: i for i, h in enumerate(hubs)}
        self.school_hub = np.array([hub_index.get(hub_of[u], -1) for u in urns], np.int64)
        self.n_hubs = len(hubs)

        # Periods and groups: computed in build order, emitted in text order.
        names = [p.code for p in self.periods]
        self.period_perm = np.array(sorted(range(len(names)), key=lambda i: names[i]))
        self.period_names = pa.array([names[i] for i in self.period_perm], pa.string())
        all_groups = [*GROUPS, *d.GAPS]
        self.group_perm = np.array(sorted(range(len(all_groups)), key=lambda i: all_groups[i]))
        self.group_names = pa.array([all_groups[i] for i in self.group_perm], pa.string())
        self.gaps = [(GROUPS.index(a), GROUPS.index(b)) for a, b in d.GAPS.values()]

        self.plan = _plan(
            backend,
            year=academic_year,
            terms=tuple(terms),
            as_of=as_of,
            kpis=tuple(d.engine_kpis(self.kpi_codes)),
            estimates=estimates,
        )
        # Hub and trust sums, per family: (hubs or 1, periods, groups, value columns).
        self.hub_sums: dict[str, np.ndarray] = {}
        self.trust_sums: dict[str, np.ndarray] = {}
        self.columns: dict[str, list[str]] = {}
        # Per family, what each column's sums are divided by (SUM_UNITS or 1) at the end.
        self.units: dict[str, np.ndarray] = {}
        self.store = AnalyticsStore(store_root)

    def close(self) -> None:
        self.backend.close()

    # -- the backend's part, batch by batch ---------------------------------------------------

    def files(self, dataset: str, urns: list[int]) -> list[str]:
        """The store's shard files of `dataset` holding these schools (trustwide.data.derived:
        a few files per batch, not one per school)."""
        return self.store.shard_paths(dataset, self.trust_id, urns, self.year)

    def batch_slices(self) -> list[slice]:
        """Consecutive runs of self.urns of at most batch_schools schools, cut where a shard
        of the derived attendance counts ends when possible, so a shard is read once."""
        out, start = [], 0
        n = len(self.urns)
        while start < n:
            end = min(start + self.batch_schools, n)
            if end < n:
                # Back off to the last shard boundary inside the batch, if there is one.
                cut = end
                while cut > start + 1 and (
                    derived.shard_of(self.urns[cut - 1]) == derived.shard_of(self.urns[cut])
                ):
                    cut -= 1
                if cut > start + 1:
                    end = cut
            out.append(slice(start, end))
            start = end
        return out

    def batches(self) -> Iterator[list[_Block]]:
        """Run the plan for each batch of schools; yield the batch's school-level blocks."""
        for batch in self.batch_slices():
            cells = self._run_batch(self.urns[batch])
            yield self._school_level(batch, cells)

    def _run_batch(self, urns: list[int]) -> dict[str, pa.Table]:
        be = self.backend
        run = uuid.uuid4().hex[:12]
        names = {}

        def bind(sql: str) -> str:
            return _PLACEHOLDER.sub(lambda m: names[m.group(1)], sql)

        for dataset, columns in self.plan.datasets.items():
            names[dataset] = f"kpi_{dataset}_{run}"
            # A shard holds other schools of the trust too: keep the batch's.
            be.register_files(
                names[dataset],
                self.files(dataset, urns),
                self.root / derived.SHARDS_DIR / dataset,
                columns,
                schools=urns,
            )
        for role, table in self.plan.lookups.items():
            names[role] = f"kpi_{role}_{run}"
            be.register_table(names[role], table)
        cells = {}
        try:
            for step in self.plan.steps:
                if step.materialize:
                    names[step.materialize] = f"kpi_{step.materialize}_{run}"
                    be.materialize(names[step.materialize], bind(step.sql))
                else:
                    cells[step.family] = (be.query(bind(step.sql), step.schema), step)
        finally:
            be.drop_batch()
        return cells

    # -- numpy: groups, roll-up, suppression, gaps -------------------------------------------

    def _school_level(self, batch: slice, cells: dict) -> list[_Block]:
        urns = self.urns[batch]
        n_s, n_p = len(urns), len(self.periods)
        order = np.argsort(np.array(urns, np.int64))
        urn_sorted = np.array(urns, np.int64)[order]
        member = membership().astype(np.float64)
        blocks = []
        for family, (table, step) in cells.items():
            cols = sorted({c for trio in step.layout for c in trio})
            self.columns[family] = cols
            self.units[family] = np.array(
                [SUM_UNITS if c in step.in_units else 1 for c in cols], np.float64
            )
            periods = np.array(step.periods, np.int64)
            sums = np.zeros((n_s, n_p, len(GROUPS), len(cols)))
            if table.num_rows:
                urn = table["school_urn"].to_numpy()
                pos = np.minimum(np.searchsorted(urn_sorted, urn), len(urn_sorted) - 1)
                # The views keep only the batch's schools (shards hold others too; rows filed
                # under another school's URN never reach a shard): this is a safety net.
                ok = urn_sorted[pos] == urn
                school = order[pos[ok]]
                cell = table["cell"].to_numpy()[ok].astype(np.int64)
                # Each (school, cell) row adds to every group its cell code is in: per school,
                # (groups x cells) @ (cells x periods.columns), as one stacked matrix product
                # over schools. Rows are taken in school and cell order, so float sums do not
                # depend on the backend's row order (sorting here is cheaper than ORDER BY).
                by = np.lexsort((cell, school))
                school, cell, rows = school[by], cell[by], np.flatnonzero(ok)[by]
                if len(rows) and table["pupil_rows"].to_numpy()[rows].max() >= PACK_LIMIT:
                    raise ValueError("a school has 65,536 or more pupils in one cell")
                values = _unpacked(table, step, cols, rows)
                sums[:, periods] = (
                    _group_sums(school, cell, values, n_s, member)
                    .reshape(n_s, len(GROUPS), len(periods), len(cols))
                    .transpose(0, 2, 1, 3)
                )
            self._accumulate(family, batch, sums)
            offset = self.school_offset + batch.start
            blocks += self._blocks(family, "school", sums, offset)
        return blocks

    def _accumulate(self, family: str, batch: slice, sums: np.ndarray) -> None:
        if family not in self.trust_sums:
            self.hub_sums[family] = np.zeros((self.n_hubs, *sums.shape[1:]))
            self.trust_sums[family] = np.zeros((1, *sums.shape[1:]))
        hub = self.school_hub[batch]
        has = np.flatnonzero(hub >= 0)
        if len(has):
            by_hub = has[np.argsort(hub[has], kind="stable")]
            starts = np.flatnonzero(np.r_[True, np.diff(hub[by_hub]) != 0])
            self.hub_sums[family][hub[by_hub[starts]]] += np.add.reduceat(
                sums[by_hub], starts, axis=0
            )
        self.trust_sums[family] += sums.sum(axis=0, keepdims=True)

    def rollup_blocks(self) -> list[_Block]:
        blocks = []
        for family in self.trust_sums:
            blocks += self._blocks(family, "hub", self.hub_sums[family], 0)
            blocks += self._blocks(
                family, "trust", self.trust_sums[family], len(self.scope_names) - 1
            )
        return blocks

    def _blocks(self, family: str, level: str, sums: np.ndarray, scope_offset: int):
        """One block per KPI of the family from (scopes, periods, groups, columns) sums.

        The rows are found first (every KPI x scope x period x group with at least one pupil,
        and the gap groups where both groups have pupils), in result order; values, ratings of
        size and suppression are then computed for those rows only."""
        cols = {c: i for i, c in enumerate(self.columns[family])}
        fam = [k for k in d.engine_kpis(self.kpi_codes) if k.family == family]
        layout = self._layout(family)
        # The sums so far are exact integers (any order gives the same); one division each.
        sums = sums / self.units[family]
        n_sc, n_p, n_g, n_c = sums.shape
        ni, si, ci = (np.array([cols[trio[j]] for trio in layout]) for j in range(3))
        ga = np.array([a for a, _b in self.gaps])
        gb = np.array([b for _a, b in self.gaps])

        present = sums[..., ci] > 0  # (scopes, periods, groups, KPIs)
        present = np.concatenate([present, present[:, :, ga] & present[:, :, gb]], axis=2)
        order = present.transpose(3, 0, 1, 2)[:, :, self.period_perm][:, :, :, self.group_perm]
        kpi, scope, p_out, g_out = np.unravel_index(np.flatnonzero(order), order.shape)
        period = self.period_perm[p_out]
        group = self.group_perm[g_out]  # >= n_g: a gap group

        flat = sums.reshape(-1)
        base = (scope * n_p + period) * n_g

        def quantities(rows, groups):
            k = kpi[rows]
            at = (base[rows] + groups) * n_c
            num, den, cnt = flat[at + ni[k]], flat[at + si[k]], flat[at + ci[k]]
            sup = cnt < mins[k]
            with np.errstate(divide="ignore", invalid="ignore"):
                value = num / den * scales[k]
            return num, den, cnt, sup, sup | (den == 0), value

        mins = np.array([k.min_group_size for k in fam])
        scales = np.array([k.scale for k in fam])
        n = len(kpi)
        gap = group >= n_g
        plain = np.flatnonzero(~gap)
        num, den, cnt, sup, bad, value = (
            np.zeros(n),
            np.zeros(n),
            np.zeros(n),
            np.ones(n, bool),
            np.ones(n, bool),
            np.zeros(n),
        )
        hidden = np.ones(n, bool)
        (num[plain], den[plain], cnt[plain], sup[plain], bad[plain], value[plain]) = quantities(
            plain, group[plain]
        )
        hidden[plain] = sup[plain]
        gaps = np.flatnonzero(gap)
        if len(gaps):
            which = group[gaps] - n_g
            _n, _d, cnt_a, sup_a, bad_a, val_a = quantities(gaps, ga[which])
            _n, _d, cnt_b, sup_b, bad_b, val_b = quantities(gaps, gb[which])
            value[gaps] = val_a - val_b
            bad[gaps] = bad_a | bad_b
            cnt[gaps] = cnt_a + cnt_b
            sup[gaps] = sup_a | sup_b
        bounds = np.searchsorted(kpi, np.arange(len(fam) + 1))
        out = []
        for j, k in enumerate(fam):
            part = slice(bounds[j], bounds[j + 1])
            out.append(
                _Block(
                    kpi=self.kpi_codes.index(k.code),
                    level=_LEVELS.index(level),
                    scope=scope[part] + scope_offset,
                    period=p_out[part],
                    group=g_out[part],
                    value=value[part],
                    value_null=bad[part],
                    numerator=num[part],
                    denominator=den[part],
                    count_null=hidden[part],
                    pupils=cnt[part].astype(np.int64),
                    suppressed=sup[part],
                )
            )
        return out

    def _layout(self, family: str):
        return next(s.layout for s in self.plan.steps if s.family == family and s.schema)

    def table(self, blocks: list[_Block]) -> pa.Table:
        """Blocks -> a RESULT_SCHEMA table, sorted (blocks are ordered by KPI and level; the
        rows within a block are already in scope, period, group order)."""
        if not blocks:
            return RESULT_SCHEMA.empty_table()
        blocks = sorted(blocks, key=lambda b: (b.kpi, b.level))  # stable: batch order kept

        def cat(attr, dtype=None):
            parts = [getattr(b, attr) for b in blocks]
            out = np.concatenate(parts)
            return out if dtype is None else out.astype(dtype)

        sizes = [len(b.scope) for b in blocks]
        kpi = np.repeat([b.kpi for b in blocks], sizes)
        level = np.repeat([b.level for b in blocks], sizes)
        count_null = cat("count_null")
        return pa.table(
            {
                "kpi_code": pa.array(self.kpi_codes, pa.string()).take(kpi),
                "level": pa.array(_LEVELS, pa.string()).take(level),
                "scope_id": self.scope_names.take(cat("scope")),
                "period": self.period_names.take(cat("period")),
                "group": self.group_names.take(cat("group")),
                "value": pa.array(cat("value"), pa.float64(), mask=cat("value_null")),
                "numerator": pa.array(cat("numerator"), pa.float64(), mask=count_null),
                "denominator": pa.array(cat("denominator"), pa.float64(), mask=count_null),
                "pupils": pa.array(cat("pupils"), pa.int64()),
                "suppressed": pa.array(cat("suppressed"), pa.bool_()),
            },
            schema=RESULT_SCHEMA,
        )
