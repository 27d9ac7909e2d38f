"""A school's calendar for an academic year, read in one place: its terms (the trust's dates, or
the school's own where it keeps them), the half-terms when the year has six, and the days it is
closed to pupils (INSET days, bank holidays, closures). Everything that asks "which term is it"
or "is the school open" asks `term_dates_for(school, year)`; writes are in trusts.years.

The unit of termly reporting stays the trust's Term row: a school on its own dates has the same
three terms with other dates, and a half-term belongs to its term."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from .models import AcademicYear, ClosureDay, SchoolTerm, Term


@dataclass(frozen=True)
class HalfTerm:
    code: str  # "autumn_1"
    label: str  # "Autumn 1"
    term_name: str
    starts_on: datetime.date
    ends_on: datetime.date

    def contains(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class TermDates:
    """One of the trust's terms with the dates that hold at a school. Reads like the Term
    (pk, name, number, str) so termly consumers keep keying on the trust's term."""

    term: Term
    starts_on: datetime.date
    ends_on: datetime.date
    first_half_ends_on: datetime.date | None = None
    second_half_starts_on: datetime.date | None = None

    @property
    def pk(self) -> int:
        return self.term.pk

    @property
    def name(self) -> str:
        return self.term.name

    @property
    def number(self) -> int:
        return self.term.number

    def get_name_display(self) -> str:
        return self.term.get_name_display()

    def __str__(self) -> str:
        return str(self.term)

    @property
    def halves(self) -> tuple[HalfTerm, ...]:
        """The two half-terms, when the half-term break is recorded; else none."""
        if self.first_half_ends_on is None or self.second_half_starts_on is None:
            return ()
        label = self.get_name_display()
        return (
            HalfTerm(
                f"{self.name}_1", f"{label} 1", self.name, self.starts_on, self.first_half_ends_on
            ),
            HalfTerm(
                f"{self.name}_2", f"{label} 2", self.name, self.second_half_starts_on, self.ends_on
            ),
        )

    def contains(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def in_break(self, day: datetime.date) -> bool:
        """In the half-term break (inside the term's span, between its halves)."""
        halves = self.halves
        return bool(halves) and halves[0].ends_on < day < halves[1].starts_on


@dataclass
class Calendar:
    year: AcademicYear
    school: object | None
    own_dates: bool  # the school keeps its own term dates
    terms: list[TermDates]
    closures: dict[datetime.date, ClosureDay] = field(default_factory=dict)

    @property
    def half_terms(self) -> list[HalfTerm]:
        """The six half-terms of a year that has them (those recorded so far), else none."""
        if not self.year.half_terms:
            return []
        return [half for term in self.terms for half in term.halves]

    def term_on(self, day: datetime.date) -> TermDates | None:
        return next((t for t in self.terms if t.contains(day)), None)

    def half_term_on(self, day: datetime.date) -> HalfTerm | None:
        return next((h for h in self.half_terms if h.contains(day)), None)

    @property
    def closure_days(self) -> list[ClosureDay]:
        return sorted(self.closures.values(), key=lambda d: d.on)

    def closure_on(self, day: datetime.date) -> ClosureDay | None:
        return self.closures.get(day)

    def is_school_day(self, day: datetime.date) -> bool:
        """Open to pupils: a weekday in a term, not in its half-term break, not a closure day."""
        term = self.term_on(day)
        return (
            day.weekday() < 5
            and term is not None
            and not term.in_break(day)
            and day not in self.closures
        )

    def as_periods(self) -> list[tuple[str, datetime.date, datetime.date]]:
        """(term name, first day, last day): the KPI engine's term periods."""
        return [(t.name, t.starts_on, t.ends_on) for t in self.terms]


def _dates(row) -> dict:
    return {
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
        "first_half_ends_on": row.first_half_ends_on,
        "second_half_starts_on": row.second_half_starts_on,
    }


def calendars_for(year: AcademicYear, schools) -> dict[int | None, Calendar]:
    """The trust's calendar (key None) and each school's, in three queries whatever the number
    of schools: each school falls back to the trust's term dates where it keeps none, and has
    the trust's closure days and its own."""
    terms = sorted(year.terms.all(), key=lambda t: t.number)  # prefetched terms: no query
    schools = list(schools)
    own: dict[int, dict[int, SchoolTerm]] = {}
    closures: dict[int | None, dict[datetime.date, ClosureDay]] = {None: {}}
    ids = [s.pk for s in schools]
    if ids:
        for row in SchoolTerm.objects.filter(term__academic_year=year, school_id__in=ids):
            own.setdefault(row.school_id, {})[row.term_id] = row
    for day in ClosureDay.objects.filter(
        Q(school__isnull=True) | Q(school_id__in=ids), academic_year=year
    ):
        closures.setdefault(day.school_id, {})[day.on] = day
    trust_terms = [TermDates(t, **_dates(t)) for t in terms]
    out = {None: Calendar(year, None, False, trust_terms, dict(closures[None]))}
    for school in schools:
        mine = own.get(school.pk, {})
        dated = [
            TermDates(t, **_dates(mine[t.pk])) if t.pk in mine else d
            for t, d in zip(terms, trust_terms, strict=True)
        ]
        out[school.pk] = Calendar(
            year, school, bool(mine), dated, {**closures[None], **closures.get(school.pk, {})}
        )
    return out


def term_dates_for(school, year: AcademicYear) -> Calendar:
    """The calendar of `school` in `year` (the trust's, when school is None): its own term
    dates where it keeps them, else the trust's; the trust's closure days and its own."""
    return calendars_for(year, [school] if school is not None else [])[
        school.pk if school is not None else None
    ]


def year_of(trust, start_year: int) -> AcademicYear | None:
    return AcademicYear.objects.filter(trust=trust, start_year=start_year).first()
