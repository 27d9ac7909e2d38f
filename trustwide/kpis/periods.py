"""Reporting periods: each term (dates supplied by the trust), year to date and full year."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

TERM_CODES = ("autumn", "spring", "summer")
PERIOD_CODES = (*TERM_CODES, "ytd", "year")
TERM_ORDER = {code: i + 1 for i, code in enumerate(TERM_CODES)}


@dataclass(frozen=True)
class Period:
    code: str
    start: date
    end: date  # inclusive; end < start means an empty period (ytd before the year starts)


def year_bounds(academic_year: int) -> tuple[date, date]:
    """Academic year 2025 is 1 Sep 2025 to 31 Aug 2026 (the store's year partition)."""
    return date(academic_year, 9, 1), date(academic_year + 1, 8, 31)


def resolve_as_of(academic_year: int, as_of: date | None, *, today: date | None = None) -> date:
    """Year-to-date cut-off: the given date, else today, clipped to the academic year."""
    start, end = year_bounds(academic_year)
    chosen = as_of or today or date.today()
    return min(max(chosen, start - timedelta(days=1)), end)


def normalise_terms(academic_year: int, terms: Iterable[tuple[str, date, date]]) -> list[Period]:
    """Validate (code, start, end) triples: known codes, in order, inside the year, disjoint."""
    start, end = year_bounds(academic_year)
    out = [Period(code, s, e) for code, s, e in terms]
    seen = set()
    for p in out:
        if p.code not in TERM_CODES:
            raise ValueError(f"term code {p.code!r} is not one of {TERM_CODES}")
        if p.code in seen:
            raise ValueError(f"term {p.code!r} given twice")
        seen.add(p.code)
        if p.start > p.end or p.start < start or p.end > end:
            raise ValueError(f"term {p.code!r} dates {p.start}..{p.end} not inside {start}..{end}")
    out.sort(key=lambda p: p.start)
    for a, b in zip(out, out[1:], strict=False):
        if b.start <= a.end:
            raise ValueError(f"terms {a.code!r} and {b.code!r} overlap")
    return out


def build_periods(*, academic_year: int, terms: list[Period], as_of: date) -> list[Period]:
    start, end = year_bounds(academic_year)
    return [*terms, Period("ytd", start, as_of), Period("year", start, end)]


def mark_buckets(terms: list[Period]) -> list[tuple[int, bool, str]]:
    """Map a mark's bucket (term index or -1, on/before as_of) to the periods it belongs to.

    Marks are aggregated once per pupil and bucket; the periods are sums of buckets. A mark
    outside every term (e.g. an INSET day) still belongs to 'ytd' and 'year'.
    """
    rows = []
    for idx in [-1, *range(len(terms))]:
        for pre in (False, True):
            if idx >= 0:
                rows.append((idx, pre, terms[idx].code))
            if pre:
                rows.append((idx, pre, "ytd"))
            rows.append((idx, pre, "year"))
    return rows


def assessment_terms(terms: list[Period], as_of: date) -> list[tuple[str, str, bool]]:
    """(assessment term, period, term is inside the period) rows.

    A term's judgements belong to that term, to 'year', and to 'ytd' when the term has
    started by as_of; a term code the trust gave no dates for still counts in 'year'. Rows
    with False carry the earlier terms of a term period: they can hold a pupil's starting
    point for progress, never their latest judgement.
    """
    started = {p.code for p in terms if p.start <= as_of}
    given = {p.code for p in terms}
    rows = []
    for code in TERM_CODES:
        rows.append((code, "year", True))
        if code in started:
            rows.append((code, "ytd", True))
        for period in given:
            if TERM_ORDER[code] < TERM_ORDER[period]:
                rows.append((code, period, False))
            elif code == period:
                rows.append((code, period, True))
    return rows
