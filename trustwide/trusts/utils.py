import datetime

from django.utils import timezone


def academic_start_year(day: datetime.date) -> int:
    """The academic year runs 1 September to 31 August."""
    return day.year if day.month >= 9 else day.year - 1


def current_academic_start_year() -> int:
    return academic_start_year(timezone.localdate())
