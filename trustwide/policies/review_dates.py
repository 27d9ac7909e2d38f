"""Review dates of policies: plain date arithmetic, no Django, so it is easy to test.

A policy approved on a date is next reviewed the given number of months later, on the same
day of the month or the month's last day when that month is shorter (31 January + 1 month =
28 or 29 February). A policy is overdue once that date has passed, due when it falls within
the next DUE_SOON_DAYS days, and in date after that.
"""

from __future__ import annotations

import calendar
import datetime

DUE_SOON_DAYS = 60  # "due" on the register
ATTENTION_DAYS = 30  # shown on the home page of the people who may review it

OVERDUE = "overdue"
DUE = "due"
IN_DATE = "current"
NOT_APPROVED = "not_approved"
RETIRED = "retired"

DUE_STATE_LABELS = {
    OVERDUE: "Overdue",
    DUE: f"Due within {DUE_SOON_DAYS} days",
    IN_DATE: "In date",
    NOT_APPROVED: "Not yet approved",
    RETIRED: "Retired",
}


def add_months(on: datetime.date, months: int) -> datetime.date:
    """`on` plus whole months, clamped to the end of a shorter month."""
    index = on.month - 1 + months
    year, month = on.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(on.day, calendar.monthrange(year, month)[1]))


def due_state(next_review_on: datetime.date | None, *, retired: bool, today: datetime.date) -> str:
    if retired:
        return RETIRED
    if next_review_on is None:
        return NOT_APPROVED
    if next_review_on < today:
        return OVERDUE
    if next_review_on <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return DUE
    return IN_DATE
