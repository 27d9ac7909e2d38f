"""The SMART check for success criteria: what is missing, in words a head would use.

Pure functions over anything with the criterion's attributes (a model instance, a form's
cleaned data wrapped in SimpleNamespace, a test double), so the check is cheap and testable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMERIC_KINDS = {"percentage", "number"}

# Words that promise change without saying how much. Flagged only when the text carries
# no number: "improve reading" is vague; "improve reading from 62% to 75%" is not.
VAGUE_WORDS = (
    "improve",
    "improved",
    "improves",
    "improving",
    "improvement",
    "better",
    "more",
    "increase",
    "increased",
    "increasing",
    "raise",
    "raised",
    "raising",
    "develop",
    "developed",
    "developing",
    "enhance",
    "enhanced",
    "continue",
    "continued",
    "ensure",
    "strengthen",
    "strengthened",
    "embed",
    "embedded",
    "greater",
    "further",
    "higher",
    "stronger",
    "good",
    "effective",
    "effectively",
    "consistent",
    "consistently",
    "robust",
    "high-quality",
    "high quality",
)
_VAGUE = re.compile(r"\b(" + "|".join(re.escape(w) for w in VAGUE_WORDS) + r")\b", re.IGNORECASE)

# Numbers that are not amounts: years, year groups, key stages, terms and dates.
_NOT_AMOUNTS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
        r"\b(19|20)\d{2}(/\d{2,4})?\b",
        r"\b(year|yr|y|key stage|ks|stage|term|phase)\s?\d{1,2}\b",
        r"\b\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b",
        r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{1,2}(st|nd|rd|th)?\b",
        r"\b(msp|sip|bdp|sdp)\s?\d+\b",
    )
]
_AMOUNT = re.compile(
    r"\d|%|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|half|quarter|third|double|all|every|none|zero)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


def has_amount(text: str) -> bool:
    """Does the text state an amount (a number, a percentage, "all", "half")?"""
    stripped = text or ""
    for pattern in _NOT_AMOUNTS:
        stripped = pattern.sub(" ", stripped)
    return bool(_AMOUNT.search(stripped))


def vague_words(text: str) -> list[str]:
    """The vague words in the text, if the text has no amount; otherwise none."""
    if not text or has_amount(text):
        return []
    found = []
    for match in _VAGUE.finditer(text):
        word = match.group(1).lower()
        if word not in found:
            found.append(word)
    return found


def _is_number(value: str) -> bool:
    text = (value or "").strip().replace(",", "").rstrip("%").strip()
    try:
        float(text)
    except ValueError:
        return False
    return text.lower() not in {"nan", "inf", "-inf", "infinity"}


def success_criterion_problems(criterion) -> list[Problem]:
    """What stops this success criterion being SMART. Empty list: it passes."""
    problems: list[Problem] = []
    description = (getattr(criterion, "description", "") or "").strip()
    measure = (getattr(criterion, "measure", "") or "").strip()
    target = (getattr(criterion, "target", "") or "").strip()
    kind = getattr(criterion, "measure_kind", "") or ""
    owner_id = getattr(criterion, "owner_id", None)
    if owner_id is None and getattr(criterion, "owner", None) is not None:
        owner_id = criterion.owner.pk
    if not measure:
        problems.append(Problem("no_measure", "No measure: say what will be counted or observed."))
    if not target:
        problems.append(Problem("no_target", "No target value: say what the measure should reach."))
    elif kind in NUMERIC_KINDS and not _is_number(target):
        problems.append(
            Problem(
                "target_not_number",
                f"The target '{target}' is not a number, but the measure is numeric.",
            )
        )
    if getattr(criterion, "target_date", None) is None:
        problems.append(Problem("no_date", "No date: say by when the target is met."))
    if not owner_id:
        problems.append(Problem("no_owner", "No owner: name the person accountable."))
    words = vague_words(description)
    if words:
        quoted = ", ".join(f"'{w}'" for w in words)
        problems.append(
            Problem(
                "vague_wording",
                f"Vague wording ({quoted}) with no number: say by how much, e.g. 'from 62% to 75%'.",
            )
        )
    return problems


def is_smart(criterion) -> bool:
    return not success_criterion_problems(criterion)


def priority_problems(priority) -> list[Problem]:
    """What the SMART check refuses about a priority itself: a priority with no success
    criterion at all cannot be judged, however well its other criteria are written."""
    criteria = getattr(priority, "criteria", None)
    # .all() so a prefetched plan costs no query per priority.
    has_any = bool(list(criteria.all())) if hasattr(criteria, "all") else bool(criteria)
    if has_any:
        return []
    return [
        Problem(
            "no_criteria", "No success criterion: say how you will know this priority has worked."
        )
    ]
