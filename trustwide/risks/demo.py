"""Demo risk register: a handful of risks per school and for the trust, each with an earlier
review so the heatmap shows movement; some above the roll-up threshold, one review overdue."""

from __future__ import annotations

import datetime

from django.utils import timezone

from . import services

SCHOOL_RISKS = [
    ("Falling pupil numbers reduce funding", "financial", (5, 4), (4, 4)),
    ("Safeguarding records incomplete after staff changes", "safeguarding", (4, 5), (2, 5)),
    ("Recruitment of a SENCo", "people", (4, 5), (3, 5)),
    ("Roof and heating near end of life", "estates", (3, 4), (3, 3)),
    ("Reading outcomes below target for disadvantaged pupils", "educational", (4, 4), (3, 4)),
    ("Data protection breach by email", "compliance", (3, 4), (2, 3)),
]
TRUST_RISKS = [
    ("Trust-wide cash reserves fall below policy", "financial", (4, 5), (3, 4)),
    ("Cyber attack on shared systems", "compliance", (4, 5), (3, 5)),
    ("Executive leadership capacity", "people", (3, 4), (2, 4)),
    ("Reputational harm from an inspection outcome", "reputational", (3, 5), (2, 5)),
]


def _add(ctx, school, title, category, inherent, residual, owner, today, drift):
    label = ctx.actor_label
    earlier = (
        min(5, residual[0] + drift) if drift > 0 else max(1, residual[0] + drift),
        residual[1],
    )
    earlier = (
        min(earlier[0], inherent[0]) if earlier[1] == inherent[1] else earlier[0],
        earlier[1],
    )
    risk = services.risk_create(
        actor=None,
        actor_label=label,
        trust=ctx.trust,
        school=school,
        title=title,
        category=category,
        description=f"{title}. Assessed by the {'headteacher' if school else 'executive team'}.",
        owner=owner,
        inherent_likelihood=inherent[0],
        inherent_impact=inherent[1],
        residual_likelihood=max(1, min(earlier[0], inherent[0])),
        residual_impact=residual[1],
        controls="Termly monitoring; reported to governors.",
        mitigation="See the linked actions.",
        review_on=today + datetime.timedelta(days=ctx.rng.randint(10, 80)),
    )
    services.risk_review(
        actor=None,
        actor_label=label,
        risk=risk,
        likelihood=residual[0],
        impact=residual[1],
        next_review_on=today + datetime.timedelta(days=ctx.rng.randint(5, 90)),
        note="Termly review.",
    )
    return risk


def build(ctx) -> None:
    today = timezone.localdate()
    rng = ctx.rng
    for i, school in enumerate(ctx.schools):
        head = ctx.users.get(f"head_{i}")
        for title, category, inherent, residual in rng.sample(SCHOOL_RISKS, 4):
            _add(
                ctx,
                school,
                title,
                category,
                inherent,
                residual,
                head,
                today,
                rng.choice([-1, 0, 1]),
            )
    ceo = ctx.users.get("ceo")
    for n, (title, category, inherent, residual) in enumerate(TRUST_RISKS):
        risk = _add(ctx, None, title, category, inherent, residual, ceo, today, [1, 0, -1, 1][n])
        if n == 0:  # one review overdue, for the home page
            services.risk_update(
                actor=None,
                actor_label=ctx.actor_label,
                risk=risk,
                review_on=today - datetime.timedelta(days=3),
            )
