"""DfE's Attainment 8 estimates (and minimum pupil Progress 8 scores) by KS2 prior attainment:
the importer (`trustwide a8estimates import`), and the year's rows the KPI refresh gives the
engine (engine/ks4.estimates_table). See docs/KPIS.md "Progress 8".

A CSV in the shape DfE publishes its table, one header row (title lines above it are skipped)
and one row per KS2 prior-attainment score or range:

- the KS2 prior attainment, either one score per row (e.g. "KS2 prior attainment",
  "KS2 average scaled score", "KS2 fine level"; a row covers its score up to the next row's,
  the last row its score to the next tenth) or a range per row ("KS2 lower" and "KS2 upper",
  or ks2_low and ks2_high: [lower, upper), upper excluded); in tenths of a point;
- the overall Attainment 8 estimate ("Attainment 8 estimate", "A8 estimate", a8_estimate);
- optional: the prior attainment group ("Prior attainment group", "PAG") and DfE's minimum
  pupil Progress 8 score for the row ("Minimum Progress 8 score", "P8 limit", p8_limit), the
  cap on extreme negative scores.

Every other column (the element estimates, slots filled, ...) is ignored and named in the
result. All or nothing: any bad row refuses the file, naming file, row, column and the value
expected; importing a year again replaces that year's table, audited.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from trustwide.audit.models import AuditAction
from trustwide.audit.services import record_event, snapshot
from trustwide.trusts.utils import year_label

from .models import A8Estimate, A8EstimateTable

MAX_ERRORS = 20
HEADER_SEARCH_ROWS = 20
KS2_MAX = Decimal(120)
TENTH = Decimal("0.1")


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


# Normalised header (lower case, letters and digits only) -> role.
ALIASES = {
    "point": {
        "ks2priorattainment",
        "ks2priorattainmentscore",
        "ks2averagescaledscore",
        "ks2averagescore",
        "ks2averagelevel",
        "ks2finelevel",
        "ks2finescore",
        "ks2score",
        "priorattainmentscore",
        "priorattainment",
    },
    "low": {"ks2low", "ks2lower", "ks2lowerbound", "ks2from", "lowerbound", "from"},
    "high": {"ks2high", "ks2upper", "ks2upperbound", "ks2to", "upperbound", "to"},
    "estimate": {
        "a8estimate",
        "attainment8estimate",
        "estimatedattainment8",
        "estimatedattainment8score",
        "overalla8estimate",
        "overallattainment8estimate",
        "attainment8estimateoverall",
    },
    "group": {"priorattainmentgroup", "pag"},
    "limit": {
        "p8limit",
        "progress8limit",
        "minimumprogress8score",
        "minimump8score",
        "p8minimumscore",
        "minimumpupilprogress8score",
        "minimumscore",
    },
}
ROLE_OF = {alias: role for role, aliases in ALIASES.items() for alias in aliases}
EXPECTED = {
    "point": "a KS2 score in tenths of a point, from 0 to 120",
    "low": "a KS2 score in tenths of a point, from 0 to 120",
    "high": "a KS2 score in tenths of a point above the lower one, up to 120.1",
    "estimate": "an Attainment 8 estimate from 0 to 90",
    "limit": "a minimum Progress 8 score from -10 to 0, or blank",
}


class EstimatesFileError(ValueError):
    """The file is refused; the message names file, row, column and the value expected."""


@dataclass
class ParsedEstimates:
    rows: list[tuple[str, Decimal, Decimal, float, float | None]]  # group, low, high, a8, limit
    columns: dict[str, str]  # role -> the file's header
    ignored: list[str] = field(default_factory=list)

    @property
    def has_limits(self) -> bool:
        return any(r[4] is not None for r in self.rows)


def _header(lines: list[tuple[int, list[str]]], name: str) -> tuple[int, dict[str, int], list]:
    for index, (_line, cells) in enumerate(lines[:HEADER_SEARCH_ROWS]):
        roles: dict[str, int] = {}
        for col, cell in enumerate(cells):
            role = ROLE_OF.get(_key(cell))
            if role and role not in roles:
                roles[role] = col
        ranged = "low" in roles and "high" in roles
        if "estimate" in roles and ("point" in roles or ranged):
            if "point" in roles and ranged:
                raise EstimatesFileError(
                    f"{name} row {lines[index][0]}: give the KS2 prior attainment either as one "
                    "score per row or as a lower and upper column, not both"
                )
            return index, roles, cells
    raise EstimatesFileError(
        f"{name}: no header row with an Attainment 8 estimate column (e.g. 'Attainment 8 "
        "estimate') and a KS2 prior-attainment column (e.g. 'KS2 prior attainment', or "
        "'KS2 lower' and 'KS2 upper') in its first 20 rows"
    )


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_estimates(path: str | Path) -> ParsedEstimates:
    """Read DfE's published estimates table; raise EstimatesFileError listing every bad row."""
    path = Path(path)
    name = path.name
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise EstimatesFileError(
            f"{name} row {row}: not UTF-8 text (byte {exc.start} of the file); save the table "
            "as 'CSV UTF-8'"
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    lines = [(reader.line_num, cells) for cells in reader]
    start, roles, header = _header(lines, name)
    errors: list[str] = []

    def bad(line: int, role: str, value: str, expected: str | None = None) -> None:
        column = header[roles[role]].strip()
        errors.append(
            f"{name} row {line}, column '{column}': expected {expected or EXPECTED[role]}, "
            f"got '{value}'"
        )

    def cell(cells: list[str], role: str) -> str:
        col = roles.get(role)
        return cells[col].strip() if col is not None and col < len(cells) else ""

    ranged = "point" not in roles
    parsed = []  # (line, group, low, high or None, estimate, limit)
    last = None  # the last good KS2 score (one score per row: they must go up)
    for line, cells in lines[start + 1 :]:
        if not any(c.strip() for c in cells):
            continue
        ok = True
        if ranged:
            low, high = _number(cell(cells, "low")), _number(cell(cells, "high"))
            if low is None or not 0 <= low <= KS2_MAX or low % TENTH:
                bad(line, "low", cell(cells, "low"))
                ok = False
            if high is None or high % TENTH or not (low or 0) < high <= KS2_MAX + TENTH:
                bad(line, "high", cell(cells, "high"))
                ok = False
        else:
            low, high = _number(cell(cells, "point")), None
            if low is None or not 0 <= low <= KS2_MAX or low % TENTH:
                bad(line, "point", cell(cells, "point"))
                ok = False
            elif last is not None and low <= last:
                bad(line, "point", cell(cells, "point"), f"a KS2 score above {last}")
                ok = False
            else:
                last = low
        estimate = _number(cell(cells, "estimate"))
        if estimate is None or not 0 <= estimate <= 90:
            bad(line, "estimate", cell(cells, "estimate"))
            ok = False
        limit = None
        if cell(cells, "limit"):
            limit = _number(cell(cells, "limit"))
            if limit is None or not -10 <= limit <= 0:
                bad(line, "limit", cell(cells, "limit"))
                ok = False
        parsed.append(
            (
                line,
                cell(cells, "group")[:30],
                low if ok else None,
                high,
                float(estimate) if ok else 0.0,
                None if limit is None else float(limit),
            )
        )
    if not parsed and not errors:
        errors.append(f"{name}: no estimates below the header row")
    rows = []
    if not errors:
        if ranged:
            ordered = sorted(parsed, key=lambda r: r[2])
            for prev, cur in zip(ordered, ordered[1:], strict=False):
                if cur[2] < prev[3]:
                    bad(cur[0], "low", str(cur[2]), f"a range not overlapping row {prev[0]}'s")
                elif cur[2] > prev[3]:
                    # A gap would leave pupils whose KS2 score falls in it out of Progress 8.
                    bad(
                        cur[0],
                        "low",
                        str(cur[2]),
                        f"{prev[3]}, where row {prev[0]}'s range ends (no gap between ranges)",
                    )
            rows = [(g, lo, hi, e, lim) for _line, g, lo, hi, e, lim in parsed]
        else:
            for i, (_line, g, lo, _hi, e, lim) in enumerate(parsed):
                hi = parsed[i + 1][2] if i + 1 < len(parsed) else lo + TENTH
                rows.append((g, lo, hi, e, lim))
    if errors:
        more = len(errors) - MAX_ERRORS
        shown = errors[:MAX_ERRORS] + ([f"... and {more} more"] if more > 0 else [])
        raise EstimatesFileError("Nothing imported:\n" + "\n".join(shown))
    used = {roles[r] for r in roles}
    return ParsedEstimates(
        rows=rows,
        columns={role: header[col].strip() for role, col in roles.items()},
        ignored=[h.strip() for i, h in enumerate(header) if i not in used and h.strip()],
    )


@transaction.atomic
def import_estimates(
    *,
    path: str | Path,
    ks4_year: int,
    source: str,
    verified: bool,
    actor=None,
    actor_label: str | None = None,
) -> tuple[A8EstimateTable, ParsedEstimates]:
    """Replace the KS4 year's estimates with the file's; all or nothing, audited."""
    if not source.strip():
        raise EstimatesFileError("Give the estimates' source (DfE's page or document).")
    if not 2015 <= ks4_year <= 2100:
        raise EstimatesFileError(f"{ks4_year}: expected the KS4 year's start year, e.g. 2023.")
    parsed = parse_estimates(path)
    old = A8EstimateTable.objects.filter(ks4_year=ks4_year).first()
    before = None
    if old is not None:
        before = {**snapshot(old), "rows": old.rows.count()}
        old.delete()
    table = A8EstimateTable.objects.create(
        ks4_year=ks4_year,
        source=source.strip()[:500],
        verified=verified,
        source_file=Path(path).name[:200],
        has_limits=parsed.has_limits,
    )
    A8Estimate.objects.bulk_create(
        A8Estimate(
            table=table,
            prior_attainment_group=group,
            ks2_low=low,
            ks2_high=high,
            a8_estimate=estimate,
            p8_limit=limit,
        )
        for group, low, high, estimate, limit in parsed.rows
    )
    record_event(
        actor=actor,
        action=AuditAction.IMPORT,
        instance=table,
        before=before,
        after={**snapshot(table), "rows": len(parsed.rows)},
        actor_label=actor_label,
    )
    transaction.on_commit(lambda: _recompute(ks4_year, table.pk))
    return table, parsed


def _recompute(ks4_year: int, table_id: int) -> None:
    """Progress 8 changes for every trust with that year: recompute each in the background."""
    from trustwide.trusts.models import AcademicYear

    from .tasks import refresh_kpis

    trusts = AcademicYear.objects.filter(start_year=ks4_year).values_list("trust_id", flat=True)
    for trust_id in sorted(set(trusts)):
        refresh_kpis.enqueue(trust_id, ks4_year, f"A8 estimates {table_id}")


def describe(table: A8EstimateTable, parsed: ParsedEstimates) -> str:
    state = "verified" if table.verified else "NOT verified (Progress 8 ignores it)"
    limits = (
        "with DfE's minimum pupil scores (the cap)"
        if table.has_limits
        else "without minimum pupil scores: Progress 8 is not capped"
    )
    lines = [
        f"Attainment 8 estimates for KS4 {year_label(table.ks4_year)}: {len(parsed.rows)} "
        f"KS2 ranges from {table.source_file}, {limits}; {state}; source: {table.source}.",
        "Columns read: " + ", ".join(f"'{h}'" for h in parsed.columns.values()) + ".",
    ]
    if parsed.ignored:
        lines.append("Ignored: " + ", ".join(f"'{h}'" for h in parsed.ignored) + ".")
    lines.append(
        f"The KPIs of every trust with {year_label(table.ks4_year)} are being recomputed "
        "in the background (`trustwide kpis refresh` does it at once)."
    )
    return "\n".join(lines)


def estimate_rows(ks4_year: int) -> list[tuple[float, float, float, float | None]]:
    """The year's verified estimates for the engine: (ks2_low, ks2_high, a8, p8_limit)."""
    return [
        (float(low), float(high), estimate, limit)
        for low, high, estimate, limit in A8Estimate.objects.filter(
            table__ks4_year=ks4_year, table__verified=True
        ).values_list("ks2_low", "ks2_high", "a8_estimate", "p8_limit")
    ]
