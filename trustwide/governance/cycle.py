"""Expanding the annual cycle into dated tasks for an academic year.

Once-a-year items fall in their month (September-December in the first calendar year of the
academic year, January-August in the second); monthly items in every month September to
August; termly items a number of days before each term ends. A day past the month's end is
the month's last day; a date on a weekend moves back to the Friday before, unless that leaves
the month (or, for termly items, the term): then it moves on to the Monday after."""

from __future__ import annotations

import calendar
import datetime

from trustwide.trusts.utils import calendar_year_of

from .models import CycleItem, Frequency


def _clamp(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def weekday_on_or_before(
    day: datetime.date, floor: datetime.date | None = None, closed=frozenset()
) -> datetime.date:
    """The day, or the last working day before it (not a weekend, not a closure day); the
    first after it when that would fall before `floor`."""

    def shut(d):
        return d.weekday() >= 5 or d in closed

    moved = day
    while shut(moved):
        moved -= datetime.timedelta(days=1)
    if floor is not None and moved < floor:
        moved = day
        while shut(moved):
            moved += datetime.timedelta(days=1)
    return moved


ACADEMIC_MONTHS = [9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8]


def due_dates(item: CycleItem, academic_year, terms, closed=frozenset()) -> list[datetime.date]:
    """The dates an item falls on in an academic year (terms: that year's terms as the school
    has them; closed: its closure days, which are passed over like weekends)."""
    start = academic_year.start_year
    if item.frequency == Frequency.ONCE:
        day = _clamp(calendar_year_of(item.month, start), item.month, item.day)
        return [weekday_on_or_before(day, floor=day.replace(day=1), closed=closed)]
    if item.frequency == Frequency.MONTHLY:
        days = [_clamp(calendar_year_of(m, start), m, item.day) for m in ACADEMIC_MONTHS]
        return [weekday_on_or_before(d, floor=d.replace(day=1), closed=closed) for d in days]
    dates = []
    for term in sorted(terms, key=lambda t: t.starts_on):
        day = max(term.starts_on, term.ends_on - datetime.timedelta(days=item.days_before_term_end))
        dates.append(weekday_on_or_before(day, floor=term.starts_on, closed=closed))
    return dates


def schedule(item: CycleItem, academic_year, calendars, schools):
    """(school or None, due date, occurrence) of each task of the item in the year. calendars:
    trusts.calendar.calendars_for(year, schools); a per-school item falls on each school's own
    calendar (its term dates, its closure days), a trust item on the trust's."""
    for school in schools if item.per_school else [None]:
        cal = calendars[school.pk if school else None]
        for due_on in due_dates(item, academic_year, cal.terms, closed=cal.closures):
            yield school, due_on, occurrence(item, due_on, cal.terms)


def task_occurrence(item: CycleItem, day: datetime.date, school_id, calendars) -> object:
    """occurrence() on the calendar of the task's school (the trust's for a trust task or a
    school no longer listed)."""
    cal = calendars.get(school_id) or calendars[None]
    return occurrence(item, day, cal.terms)


def occurrence(item: CycleItem, day: datetime.date, terms) -> object:
    """Which occurrence of the item a date belongs to: the year for a once-a-year item, the
    month for a monthly one, the term for a termly one. When an item's dates change, a task
    already completed covers its occurrence, so no second task is made for it."""
    if item.frequency == Frequency.ONCE:
        return "year"
    if item.frequency == Frequency.MONTHLY:
        return (day.year, day.month)
    for term in terms:
        if term.starts_on <= day <= term.ends_on:
            return term.pk
    return day
