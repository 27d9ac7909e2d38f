"""Home-page items: policies overdue or due for review within review_dates.ATTENTION_DAYS, for the
people who may review them (policy.edit on the school; at trust level for trust-wide ones).
Two queries at most, however many policies are due."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from trustwide.accounts.attention import Attention

from . import review_dates
from .selectors import due_for_editor

LIMIT = 8


def items(user) -> list[Attention]:
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    rows, total = due_for_editor(user, today=today, limit=LIMIT)
    found = []
    for policy in rows:
        late = policy.next_review_on < today
        where = policy.school.name if policy.school_id else "Trust-wide"
        found.append(
            Attention(
                title=f"Policy review {'overdue' if late else 'due'}: {policy.title[:80]}",
                detail=f"{where}, {'was due' if late else 'due'} {policy.next_review_on:%d/%m/%Y}",
                url=reverse("policies:policy-detail", args=[policy.pk]),
                severity="overdue" if late else "due",
            )
        )
    if total > len(rows):
        found.append(
            Attention(
                title=f"{total - len(rows)} more policies due for review within {review_dates.ATTENTION_DAYS} days",
                detail="See the policy register.",
                severity="info",
                url=reverse("policies:trust-register", args=[rows[-1].trust.slug]),
            )
        )
    return found
