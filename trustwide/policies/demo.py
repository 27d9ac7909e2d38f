"""Demo policy register: the trust-wide policies a typical academy trust keeps (statutory ones
flagged, the usual review cycles), two or three school-specific ones per school, and earlier
reviews so the history shows. A few are overdue and a few due soon, for the home page and the
governance agendas. No randomness: dates follow from today and the list position."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.text import slugify

from . import services
from .models import PolicyCategory as C

BOARD = "Trust board"
LGC = "Local governing committee"
HEAD = "Headteacher"

# title, category, statutory, months between reviews, approver, days since last approved
TRUST_POLICIES = [
    ("Safeguarding and child protection", C.SAFEGUARDING, True, 12, BOARD, 372),  # overdue
    ("Behaviour", C.BEHAVIOUR, True, 12, BOARD, 330),  # due soon
    ("Special educational needs and disabilities (SEND)", C.SEND, True, 12, BOARD, 200),
    ("Complaints procedure", C.GOVERNANCE, True, 36, BOARD, 500),
    ("Charging and remissions", C.FINANCE, True, 24, BOARD, 700),  # due soon
    ("Health and safety", C.HEALTH_AND_SAFETY, True, 12, BOARD, 390),  # overdue
    ("Data protection (UK GDPR)", C.DATA_PROTECTION, True, 24, BOARD, 150),
    ("Whistleblowing", C.HR, False, 24, BOARD, 400),
    ("Pay", C.HR, True, 12, BOARD, 60),
    ("Appraisal", C.HR, True, 12, BOARD, 340),  # due soon
    ("Teachers' capability", C.HR, True, 36, BOARD, 800),
    ("Accessibility plan", C.SEND, True, 36, BOARD, 1000),
    ("Admissions", C.ADMISSIONS, True, 12, BOARD, 120),
    ("Supporting pupils with medical conditions", C.HEALTH_AND_SAFETY, True, 12, BOARD, 280),
    (
        "Freedom of information publication scheme",
        C.DATA_PROTECTION,
        True,
        36,
        BOARD,
        1150,
    ),  # overdue
]

# Per school, by phase: title, category, statutory, months, approver.
SCHOOL_POLICIES = {
    "primary": [
        ("Relationships education and health education", C.CURRICULUM, True, 12, LGC),
        ("Early years foundation stage", C.CURRICULUM, True, 12, LGC),
        ("Attendance", C.BEHAVIOUR, True, 12, LGC),
    ],
    "secondary": [
        ("Relationships, sex and health education (RSHE)", C.CURRICULUM, True, 12, LGC),
        ("Careers guidance and provider access", C.CURRICULUM, True, 12, LGC),
        ("Attendance", C.BEHAVIOUR, True, 12, LGC),
    ],
    "special": [
        ("Relationships, sex and health education (RSHE)", C.CURRICULUM, True, 12, LGC),
        ("Intimate care", C.SAFEGUARDING, False, 24, HEAD),
        ("Positive handling and restraint", C.BEHAVIOUR, False, 12, LGC),
    ],
}


def _policy(
    ctx, *, school, title, category, statutory, months, approver, owner, today, days_ago, earlier
):
    label = ctx.actor_label
    approved_on = today - datetime.timedelta(days=days_ago)
    first = approved_on - datetime.timedelta(days=30 * months) if earlier else approved_on
    policy = services.policy_create(
        actor=None,
        actor_label=label,
        trust=ctx.trust,
        school=school,
        title=title,
        category=category,
        statutory=statutory,
        owner=owner,
        approver=approver,
        approved_on=first,
        review_every_months=months,
        document_url=f"https://policies.larkspur.example/{'trust' if school is None else school.urn}/{slugify(title)}.pdf",
        status="current",
    )
    if earlier:
        services.policy_record_review(
            actor=None,
            actor_label=label,
            policy=policy,
            reviewed_on=approved_on - datetime.timedelta(days=14),
            approved_on=approved_on,
            approver=approver,
            changes="Updated for the latest statutory guidance; contacts and roles refreshed.",
        )
    return policy


def build(ctx) -> None:
    today = timezone.localdate()
    ceo = ctx.users.get("ceo")
    admin = ctx.users.get("trust_admin") or ceo
    for n, (title, category, statutory, months, approver, days_ago) in enumerate(TRUST_POLICIES):
        _policy(
            ctx,
            school=None,
            title=title,
            category=category,
            statutory=statutory,
            months=months,
            approver=approver,
            owner=ceo if n % 3 else admin,
            today=today,
            days_ago=days_ago,
            earlier=n % 2 == 0,
        )
    for i, school in enumerate(ctx.schools):
        head = ctx.users.get(f"head_{i}")
        items = SCHOOL_POLICIES.get(school.phase, SCHOOL_POLICIES["primary"])
        for k, (title, category, statutory, months, approver) in enumerate(items[: 2 + (i % 2)]):
            # Spread the approval dates so that some schools have one overdue or due soon.
            days_ago = (40 + 47 * i + 131 * k) % 400
            _policy(
                ctx,
                school=school,
                title=title,
                category=category,
                statutory=statutory,
                months=months,
                approver=approver,
                owner=head,
                today=today,
                days_ago=days_ago,
                earlier=k == 0,
            )
    # One school policy being rewritten, and one draft not yet approved.
    if ctx.schools:
        school = ctx.schools[0]
        services.policy_create(
            actor=None,
            actor_label=ctx.actor_label,
            trust=ctx.trust,
            school=school,
            title="Remote education",
            category=C.CURRICULUM,
            statutory=False,
            owner=ctx.users.get("head_0"),
            approver=LGC,
            status="draft",
            notes="Draft for the spring LGC meeting.",
        )
