"""RAG (red / amber / green, blue for complete): the rules, as pure functions.

A priority's rating is derived from the ratings of its actions and success criteria:
  - nothing rated yet: no derived rating;
  - every rated item blue (complete): blue;
  - any red: red;
  - otherwise any amber: amber;
  - otherwise green (a mix of green and blue is green: work remains).
Leaders may override the derived rating with a reason. An overdue action (due date passed,
not complete) cannot be rated green or blue.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable

RED, AMBER, GREEN, BLUE = "red", "amber", "green", "blue"
SCALE = (RED, AMBER, GREEN, BLUE)
ORDER = {RED: 0, AMBER: 1, GREEN: 2, BLUE: 3}

DERIVATION_RULE = (
    "A priority's rating is derived from its actions and success criteria: red if any is red; "
    "otherwise amber if any is amber; blue when all are blue (complete); otherwise green. "
    "A leader may override it with a reason. An overdue action cannot be green."
)


def is_valid(rating: str) -> bool:
    return rating in ORDER


OVERRIDE_REASON_MISSING = (
    "Give a reason for overriding the derived rating, or leave it to be derived."
)


def override_problem(rating: str | None, reason: str) -> str | None:
    """The one override rule, for school priorities and strategic plan priorities alike: an
    empty rating means "use the derived one"; any other must be on the scale and give a reason."""
    if rating in (None, ""):
        return None
    if not is_valid(rating):
        return f"'{rating}' is not on the RAG scale (red, amber, green, blue)."
    if not (reason or "").strip():
        return OVERRIDE_REASON_MISSING
    return None


def rating_values(override: str | None, reason: str, derived: str | None) -> dict | None:
    """What a priority's stored rating becomes: the override with its reason, else the derived
    rating; None when there is neither (nothing rated under it yet). Check the override with
    `override_problem` first."""
    if override:
        return {"rating": override, "is_derived": False, "override_reason": reason.strip()}
    if derived:
        return {"rating": derived, "is_derived": True, "override_reason": ""}
    return None


def derive(child_ratings: Iterable[str | None]) -> str | None:
    ratings = [r for r in child_ratings if r]
    for r in ratings:
        if r not in ORDER:
            raise ValueError(f"'{r}' is not a RAG rating.")
    if not ratings:
        return None
    if all(r == BLUE for r in ratings):
        return BLUE
    if RED in ratings:
        return RED
    if AMBER in ratings:
        return AMBER
    return GREEN


def review_date(term_ends_on: datetime.date, today: datetime.date) -> datetime.date:
    """The day against which 'overdue' is judged for a term's review."""
    return min(term_ends_on, today)


def action_rating_problem(
    rating: str, *, due_on: datetime.date | None, complete: bool, on: datetime.date
) -> str | None:
    if not is_valid(rating):
        return f"'{rating}' is not on the RAG scale (red, amber, green, blue)."
    overdue = bool(due_on and due_on < on and not complete)
    if overdue and rating in (GREEN, BLUE):
        return (
            f"This action was due on {due_on:%d/%m/%Y} and is not complete: it cannot be {rating}."
        )
    return None


def counts(ratings: Iterable[str]) -> dict[str, int]:
    tally = Counter(r for r in ratings if r in ORDER)
    return {colour: tally.get(colour, 0) for colour in SCALE}


def add_counts(*many: dict[str, int]) -> dict[str, int]:
    total = dict.fromkeys(SCALE, 0)
    for c in many:
        for colour in SCALE:
            total[colour] += c.get(colour, 0)
    return total


def change(previous: dict[str, int], current: dict[str, int]) -> dict[str, int]:
    """Change in the count of each colour since the previous term."""
    return {colour: current.get(colour, 0) - previous.get(colour, 0) for colour in SCALE}


def movement(previous: dict, current: dict) -> dict[str, int]:
    """For items rated in both terms (key -> rating): how many improved, declined, held."""
    result = {"improved": 0, "declined": 0, "same": 0}
    for key, now in current.items():
        before = previous.get(key)
        if before is None:
            continue
        if ORDER[now] > ORDER[before]:
            result["improved"] += 1
        elif ORDER[now] < ORDER[before]:
            result["declined"] += 1
        else:
            result["same"] += 1
    return result
