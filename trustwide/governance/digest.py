"""The weekly email digest: overdue and due annual-cycle tasks, governance actions the user
owns and risk reviews due. Sent by `trustwide digest` through the configured email backend
(console by default)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail

from . import selectors

HORIZON_DAYS = 7


@dataclass
class Digest:
    subject: str
    body: str
    overdue: int
    due: int


def digest_for(user, today: datetime.date) -> Digest | None:
    from trustwide.risks.selectors import due_reviews_for

    overdue, due = selectors.due_tasks(user, today, HORIZON_DAYS)
    actions = selectors.open_actions_owned(user, today, HORIZON_DAYS)
    reviews = list(
        due_reviews_for(user, today, today + datetime.timedelta(days=HORIZON_DAYS)).order_by(
            "review_on"
        )[:20]
    )
    if not (overdue or due or actions or reviews):
        return None
    lines = [
        f"Hello {user.full_name or user.email},",
        "",
        f"Your Trustwide week from {today:%d/%m/%Y}.",
        "",
    ]

    def section(title, rows):
        if rows:
            lines.append(title)
            lines.extend(f"  - {r}" for r in rows)
            lines.append("")

    section(
        "Overdue tasks:",
        [
            f"{t.title} ({t.school.name if t.school_id else 'trust'}), was due {t.due_on:%d/%m/%Y}"
            for t in overdue
        ],
    )
    section(
        "Due in the next 7 days:",
        [
            f"{t.title} ({t.school.name if t.school_id else 'trust'}), due {t.due_on:%d/%m/%Y}"
            for t in due
        ],
    )
    n_actions_overdue = sum(1 for a in actions if a.due_on < today)
    section(
        "Governance actions you own:",
        [
            f"{a.description} ({a.meeting.body.name}), "
            f"{'overdue since' if a.due_on < today else 'due'} {a.due_on:%d/%m/%Y}"
            for a in actions
        ],
    )
    section(
        "Risk reviews:",
        [
            f"{r.title}, review {'overdue since' if r.review_on < today else 'due'} {r.review_on:%d/%m/%Y}"
            for r in reviews
        ],
    )
    lines.append("Sign in to Trustwide to see and complete them.")
    n_overdue = len(overdue) + n_actions_overdue + sum(1 for r in reviews if r.review_on < today)
    n_due = (
        len(due)
        + len(actions)
        - n_actions_overdue
        + sum(1 for r in reviews if r.review_on >= today)
    )
    subject = f"Trustwide weekly digest: {n_overdue} overdue, {n_due} due this week"
    return Digest(subject=subject, body="\n".join(lines), overdue=n_overdue, due=n_due)


def send_digests(users, today: datetime.date) -> int:
    sent = 0
    for user in users:
        digest = digest_for(user, today)
        if digest is None or not user.email:
            continue
        send_mail(digest.subject, digest.body, settings.DEFAULT_FROM_EMAIL, [user.email])
        sent += 1
    return sent
