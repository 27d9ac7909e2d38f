"""The academic calendar every app reads (trustwide.trusts.utils): the year of a date, how a
year is written, which year and term are current."""

import datetime
from types import SimpleNamespace as NS

from trustwide.trusts.utils import (
    academic_start_year,
    calendar_year_of,
    chosen_year,
    current_term,
    default_year,
    year_label,
)


def test_september_starts_the_year_and_labels_read_2025_26():
    assert academic_start_year(datetime.date(2025, 8, 31)) == 2024
    assert academic_start_year(datetime.date(2025, 9, 1)) == 2025
    assert year_label(2025) == "2025/26"
    assert year_label(2099) == "2099/00"
    assert calendar_year_of(10, 2025) == 2025 and calendar_year_of(3, 2025) == 2026


def test_the_current_year_is_chosen_else_the_newest_and_a_request_may_pick_another():
    newest, current, old = (
        NS(start_year=2026, is_current=False),
        NS(start_year=2025, is_current=True),
        NS(start_year=2024, is_current=False),
    )
    assert default_year([newest, current, old]) is current
    assert default_year([newest, old]) is newest
    assert default_year([]) is None
    assert chosen_year([newest, current, old], "2024") is old
    assert chosen_year([newest, current, old], 2024) is old
    assert chosen_year([newest, current, old], "1999") is current
    assert chosen_year([newest, current, old], None) is current


def test_the_term_under_way_is_the_latest_started_else_the_first():
    autumn = NS(number=1, starts_on=datetime.date(2025, 9, 3))
    spring = NS(number=2, starts_on=datetime.date(2026, 1, 5))
    summer = NS(number=3, starts_on=datetime.date(2026, 4, 20))
    terms = [summer, autumn, spring]  # any order
    assert current_term(terms, datetime.date(2026, 2, 1)) is spring
    assert current_term(terms, datetime.date(2026, 1, 5)) is spring
    assert current_term(terms, datetime.date(2025, 8, 1)) is autumn  # before the year: the first
    assert current_term(terms, datetime.date(2026, 12, 1)) is summer
    assert current_term([], datetime.date(2026, 2, 1)) is None
