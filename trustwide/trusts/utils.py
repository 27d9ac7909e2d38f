"""The academic calendar, in one place: which academic year a date falls in, how a year is
written, which of a trust's years is current and which term is under way. Every app asks here
rather than recomputing "September starts the year" or "2025/26" itself."""

import datetime

from django.utils import timezone


def academic_start_year(day: datetime.date) -> int:
    """The academic year runs 1 September to 31 August."""
    return day.year if day.month >= 9 else day.year - 1


def current_academic_start_year() -> int:
    return academic_start_year(timezone.localdate())


def calendar_year_of(month: int, start_year: int) -> int:
    """The calendar year in which `month` falls within the academic year starting `start_year`."""
    return start_year if month >= 9 else start_year + 1


def year_label(start_year: int) -> str:
    """2025 -> "2025/26"."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def ordinal(n: int) -> str:
    """English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 43rd, 111th."""
    n = int(n)
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def default_year(years):
    """Of a trust's academic years (newest first): the current one, else the newest; None if none."""
    years = list(years)
    return next((y for y in years if y.is_current), years[0] if years else None)


def chosen_year(years, start_year):
    """The year whose start_year matches the request's value (int or string), else the default."""
    years = list(years)
    wanted = str(start_year or "")
    return next((y for y in years if str(y.start_year) == wanted), None) or default_year(years)


def current_year(trust):
    """The trust's current academic year (terms prefetched), else its newest; None if none."""
    return default_year(trust.academic_years.prefetch_related("terms").order_by("-start_year"))


def current_term(terms, today: datetime.date | None = None):
    """Of a year's terms: the latest that has started by today (so the one under way), else the
    first; None when there are none."""
    terms = sorted(terms, key=lambda t: t.number)
    if not terms:
        return None
    today = today or timezone.localdate()
    started = [t for t in terms if t.starts_on <= today]
    return started[-1] if started else terms[0]
