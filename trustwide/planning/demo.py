"""Demo planning data: the trust strategic plan (MSP1-MSP12 after seed 004), pocket guides,
last year's evaluated SIP per school (monitoring and RAG in its summer term), and this
year's SIP copied from it (open actions carried forward; monitoring and RAG in each term
started so far), so every school has two terms of history, a BDP for some schools, in varied
states: most in progress, one awaiting governors, one draft with criteria that are not SMART;
and the trust's year-end review of last year's strategic plan, presented to an autumn board.

Everything is written through the services with actor=None and the demo's actor label."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from . import rag, services
from .demo_content import (
    BUSINESS_PRIORITIES,
    FINDINGS,
    INDICATORS,
    MONITORING,
    MSP,
    SCHOOL_PRIORITIES,
)
from .models import ActionStatus, ActivityKind, PlanKind


def _through_the_trust(ctx, plan, on: datetime.date) -> None:
    """The trust's sign-off and the board's agreement at a held board meeting on `on`."""
    # governance imports planning, so it is imported here, where the demo needs the board.
    from trustwide.governance import services as governance
    from trustwide.governance.models import GoverningBody, Meeting

    label = ctx.actor_label
    on = min(on, timezone.localdate())
    board = GoverningBody.objects.filter(
        trust=ctx.trust, kind="board"
    ).first() or governance.body_create(
        actor=None, actor_label=label, trust=ctx.trust, kind="board", name="Trust board"
    )
    meeting = Meeting.objects.filter(
        body=board, held_on=on, status="held"
    ).first() or governance.meeting_create(
        actor=None,
        actor_label=label,
        body=board,
        held_on=on,
        title="Trust board: school plans",
        status="held",
    )
    services.plan_sign_off(actor=None, actor_label=label, plan=plan)
    services.plan_board_agree(actor=None, actor_label=label, plan=plan, meeting=meeting)


# Each school's story: how its plan is going.
PROFILES = ["on_track", "mixed", "on_track", "struggling", "mixed", "on_track"]


def build(ctx) -> None:
    label = ctx.actor_label
    today = timezone.localdate()
    trust = ctx.trust
    strategic = services.strategic_plan_create(
        actor=None,
        actor_label=label,
        trust=trust,
        title=f"Trust strategic plan {ctx.previous_year.start_year}-"
        f"{ctx.previous_year.start_year + 5}",
        first_year=ctx.previous_year.start_year,
        years=5,
        vision="Smart learners, smart leaders, smart communities: every child and adult striving for excellence, "
        "with leadership opportunities for all, in inclusive local schools.",
    )
    msp = {}
    for number, title, theme, narrative, goal, strategies, leads, _, _ in MSP:
        msp[number] = services.trust_priority_create(
            actor=None,
            actor_label=label,
            strategic_plan=strategic,
            number=number,
            code=f"MSP{number}",
            title=title,
            theme=theme,
            narrative=narrative,
            long_term_goal=goal,
            key_strategies="\n".join(strategies),
            lead_officers=leads,
            indicators=INDICATORS,
        )
    for year in (ctx.previous_year, ctx.current_year):
        services.pocket_guide_save(
            actor=None,
            actor_label=label,
            strategic_plan=strategic,
            academic_year=year,
            introduction="Core priorities agreed by all senior leaders at the annual leadership forum; "
            "written into every school's SIP and BDP alongside its own priorities.",
            items=[
                {
                    "priority": msp[n],
                    "headline": headline,
                    "focus_learning": f[0],
                    "focus_leadership": f[1],
                    "focus_parental": f[2],
                    "plan_kind": PlanKind.BDP if theme == "Business improvement" else PlanKind.SIP,
                }
                for n, _, theme, _, _, _, _, headline, f in MSP
            ],
        )
    for i, school in enumerate(ctx.schools):
        _school(ctx, i, school, msp, today)
    _rate_strategic_plan(ctx, strategic, today)
    _review_last_year(ctx, strategic, today)


# Outcome and impact by the priority's last rating of the year, for last year's MSP review.
YEAR_OUTCOMES = {
    "green": (
        "Success indicators for the year met in most schools; the measures moved as planned.",
        "Pupils in the schools that needed it most caught up: keep the approach, widen it.",
    ),
    "amber": (
        "Some success indicators met; others slipped in the schools rated amber or red.",
        "Gains where the work was led well; uneven elsewhere. Sharper central support needed.",
    ),
    "red": (
        "Most success indicators not met this year.",
        "Little change for pupils yet: the approach is rethought in the next draft.",
    ),
}


def _review_last_year(ctx, strategic, today) -> None:
    """October's year-end review of last year's MSP, written by the trust and presented to a
    trust board meeting held that autumn; a written draft while the autumn meeting is still to
    come, so the page always has content."""
    from trustwide.governance import services as governance
    from trustwide.governance.models import GoverningBody

    from .models import MspRating

    label, last_year = ctx.actor_label, ctx.previous_year
    review = services.msp_year_review_start(
        actor=None, actor_label=label, strategic_plan=strategic, academic_year=last_year
    )
    final = {
        r.trust_priority_id: r.rating
        for r in MspRating.objects.filter(
            trust_priority__strategic_plan=strategic, term__academic_year=last_year
        ).order_by("term__starts_on")
    }
    entries = {}
    for p in strategic.priorities.all():
        outcome, impact = YEAR_OUTCOMES.get(final.get(p.pk, ""), YEAR_OUTCOMES["amber"])
        entries[p.pk] = {"outcome": f"{p.code}: {outcome}", "impact": impact}
    services.msp_year_review_update(
        actor=None,
        actor_label=label,
        review=review,
        entries=entries,
        conclusions="Keep the priorities whose indicators were met and widen what worked; "
        "rethink those rated amber or red with the headteachers before the April draft.",
    )
    held_on = datetime.date(ctx.current_year.start_year, 10, 14)
    if held_on >= today:
        return
    board = GoverningBody.objects.filter(
        trust=ctx.trust, kind="board"
    ).first() or governance.body_create(
        actor=None, actor_label=label, trust=ctx.trust, kind="board", name="Trust board"
    )
    meeting = governance.meeting_create(
        actor=None,
        actor_label=label,
        body=board,
        held_on=held_on,
        title=f"Trust board: review of {last_year.label}",
        status="held",
    )
    services.msp_year_review_present(actor=None, actor_label=label, review=review, meeting=meeting)


def _rate_strategic_plan(ctx, strategic, today) -> None:
    """The trust rates its strategic plan for every term that has started, after the schools:
    derived from their priorities, the central team's actions green (amber on every fourth)."""
    priorities = list(strategic.priorities.prefetch_related("indicators"))
    for year in (ctx.previous_year, ctx.current_year):
        for term in year.terms.select_related("academic_year").order_by("number"):
            if term.starts_on > today:
                continue
            services.msp_termly_review_save(
                actor=None,
                actor_label=ctx.actor_label,
                strategic_plan=strategic,
                term=term,
                entries=[
                    services.MspRatingInput(
                        p, central_rating="amber" if p.number % 4 == 0 else "green"
                    )
                    for p in priorities
                ],
            )


def _people(ctx, i):
    head = ctx.users.get(f"head_{i}")
    staff = [head]
    if i == 0:
        staff += [ctx.users.get("senior"), ctx.users.get("middle"), ctx.users.get("teacher")]
    return head, [u for u in staff if u is not None]


def _school(ctx, i, school, msp, today) -> None:
    rng = ctx.rng
    label = ctx.actor_label
    profile = PROFILES[i % len(PROFILES)]
    head, staff = _people(ctx, i)
    picks = rng.sample(range(len(SCHOOL_PRIORITIES)), 3 + (i % 3 == 0))
    if i == 0 and 0 not in picks:
        picks[0] = 0

    # Last year: agreed, run, rated in its last two terms, evaluated.
    prev = ctx.previous_year
    last = services.plan_create(
        actor=None,
        actor_label=label,
        school=school,
        academic_year=prev,
        kind=PlanKind.SIP,
        title=f"SIP {prev.label} {school.name}",
        prefill=False,
    )
    _fill(ctx, last, [SCHOOL_PRIORITIES[k] for k in picks], msp, staff, prev, smart=True)
    services.plan_submit(actor=None, actor_label=label, plan=last)
    services.plan_agree(
        actor=None,
        actor_label=label,
        plan=last,
        meeting="Local governing committee, autumn 1",
        agreed_on=prev.starts_on + datetime.timedelta(days=40),
    )
    _through_the_trust(ctx, last, prev.starts_on + datetime.timedelta(days=50))
    summer = list(prev.terms.all())[-1]
    for term in [summer]:
        _progress_actions(ctx, last, term, profile, final=True)
        _monitoring(ctx, last, term, profile, staff, today)
        _rate(ctx, last, term, profile, today)
    services.plan_evaluate(
        actor=None,
        actor_label=label,
        plan=last,
        impact_statements={p.pk: _impact(profile) for p in last.priorities.all()},
    )

    # This year: copied forward (open actions carried), new actions added, in varied states.
    plan = services.plan_copy_to_next_year(actor=None, actor_label=label, plan=last, prefill=False)
    services.plan_update(
        actor=None,
        actor_label=label,
        plan=plan,
        title=f"SIP {ctx.current_year.label} {school.name}",
    )
    year = ctx.current_year
    for priority in plan.priorities.all():
        _actions(ctx, priority, staff, year, count=2, profile=profile)
    state = _state_for(i)
    if state == "draft":
        services.criterion_create(
            actor=None,
            actor_label=label,
            priority=plan.priorities.first(),
            description="Improve reading for pleasure across the school",
            measure="",
            measure_kind="descriptive",
        )
        services.criterion_create(
            actor=None,
            actor_label=label,
            priority=plan.priorities.last(),
            description="More parents engage with homework",
            measure="Parents attending workshops",
            measure_kind="percentage",
            target="",
            owner=None,
        )
        return
    if state == "override":
        services.criterion_create(
            actor=None,
            actor_label=label,
            priority=plan.priorities.first(),
            description="Develop a love of reading",
            measure="Pupil voice survey",
            measure_kind="descriptive",
            target="Most pupils say they enjoy reading",
            target_date=year.ends_on,
            owner=head,
        )
        services.plan_smart_override(
            actor=None,
            actor_label=label,
            plan=plan,
            reason="Reading for pleasure is measured by the spring pupil voice survey; "
            "the measure will be finalised then.",
        )
    services.plan_submit(actor=None, actor_label=label, plan=plan)
    if state in ("submitted", "override"):
        return
    services.plan_agree(
        actor=None,
        actor_label=label,
        plan=plan,
        meeting="Local governing committee, autumn 1",
        agreed_on=min(today, year.starts_on + datetime.timedelta(days=35)),
    )
    if state == "agreed":
        return
    _through_the_trust(ctx, plan, year.starts_on + datetime.timedelta(days=42))
    started = [t for t in year.terms.all() if t.starts_on <= today]
    for term in started:
        _progress_actions(ctx, plan, term, profile, final=False, today=today)
        _monitoring(ctx, plan, term, profile, staff, today)
        _rate(ctx, plan, term, profile, today)
    if i % 3 == 0:
        _bdp(ctx, school, msp, staff, year, profile, today)
    if i == 0:
        _objectives(ctx, school, plan, year)


def _state_for(i: int) -> str:
    return {2: "submitted", 4: "draft", 6: "agreed", 8: "override"}.get(i, "in_progress")


def _impact(profile: str) -> str:
    return {
        "on_track": "Targets met: the measures moved as planned and the work is now embedded.",
        "mixed": "Partly met: good progress in most classes; the priority continues next year.",
        "struggling": "Not met: staffing changes slowed the work; carried forward with trust support.",
    }[profile]


def _fill(ctx, plan, chosen, msp, staff, year, *, smart: bool) -> None:
    label = ctx.actor_label
    rng = ctx.rng
    terms = list(year.terms.all())
    for n, (title, links, rationale, outcomes, actions, criteria) in enumerate(chosen, start=1):
        priority = services.priority_create(
            actor=None,
            actor_label=label,
            plan=plan,
            number=n,
            title=title,
            rationale=rationale,
            intended_outcomes=outcomes,
            lead=staff[n % len(staff)],
            trust_priorities=[msp[k] for k in links],
            sef_area_codes=["quality-of-education"] if n % 2 else ["leadership-and-management"],
        )
        for what, line, cost, days in actions:
            start = year.starts_on + datetime.timedelta(days=rng.randint(5, 40))
            services.action_create(
                actor=None,
                actor_label=label,
                priority=priority,
                what=what,
                owner=rng.choice(staff),
                supporters="Phase leaders" if rng.random() < 0.5 else "",
                starts_on=start,
                due_on=start + datetime.timedelta(days=rng.randint(60, 240)),
                cost=Decimal(cost),
                budget_line=line,
                staff_days=Decimal(days),
            )
        for description, measure, kind, baseline, target in criteria:
            b = baseline + rng.randint(-4, 4)
            t = target + rng.randint(-3, 3)
            services.criterion_create(
                actor=None,
                actor_label=label,
                priority=priority,
                description=description.format(b=b, t=t),
                measure=measure,
                measure_kind=kind,
                baseline=str(b),
                target=str(t),
                target_date=year.ends_on - datetime.timedelta(days=40),
                owner=staff[0],
            )
        for term, text in zip(
            terms,
            (
                "Training and baselines complete",
                "Mid-point review shows movement",
                "Targets checked against summer data",
            ),
            strict=True,
        ):
            services.milestone_create(
                actor=None, actor_label=label, priority=priority, term=term, description=text
            )


def _actions(ctx, priority, staff, year, *, count: int, profile: str) -> None:
    rng = ctx.rng
    pool = [a for p in SCHOOL_PRIORITIES if p[0] == priority.title for a in p[4]] or [
        ("Review the priority with the trust school-improvement partner", "CPD", 300, 1)
    ]
    for what, line, cost, days in rng.sample(pool, min(count, len(pool))):
        start = year.starts_on + datetime.timedelta(days=rng.randint(3, 20))
        due = start + datetime.timedelta(
            days=rng.randint(30, 60) if profile == "struggling" else rng.randint(40, 250)
        )
        services.action_create(
            actor=None,
            actor_label=ctx.actor_label,
            priority=priority,
            what=f"{what} ({year.label})",
            owner=rng.choice(staff),
            starts_on=start,
            due_on=due,
            cost=Decimal(cost),
            budget_line=line,
            staff_days=Decimal(days),
            status=ActionStatus.IN_PROGRESS,
        )


def _progress_actions(ctx, plan, term, profile, *, final: bool, today=None) -> None:
    """Move actions along as the term ends: complete what is due (mostly), spend money."""
    rng = ctx.rng
    on = rag.review_date(term.ends_on, today or term.ends_on)
    done_rate = {"on_track": 0.9, "mixed": 0.7, "struggling": 0.35}[profile]
    for priority in plan.priorities.prefetch_related("actions"):
        for action in priority.actions.all():
            if action.status in (ActionStatus.COMPLETE, ActionStatus.DROPPED):
                continue
            due = action.due_on and action.due_on <= on
            if due and rng.random() < done_rate:
                status, spent = (
                    ActionStatus.COMPLETE,
                    action.cost * Decimal(str(rng.choice([0.8, 0.95, 1.0, 1.1]))),
                )
            elif action.starts_on and action.starts_on <= on:
                status, spent = (
                    ActionStatus.IN_PROGRESS,
                    (action.cost * Decimal("0.4")).quantize(Decimal("1")),
                )
            else:
                continue
            services.action_progress_update(
                actor=None,
                actor_label=ctx.actor_label,
                action=action,
                status=status,
                spent=spent.quantize(Decimal("0.01")),
            )


def _rate(ctx, plan, term, profile, today) -> None:
    rng = ctx.rng
    on = rag.review_date(term.ends_on, today)
    weights = {
        "on_track": [0.05, 0.2, 0.75],
        "mixed": [0.15, 0.5, 0.35],
        "struggling": [0.45, 0.45, 0.1],
    }[profile]
    entries = []
    for priority in plan.priorities.prefetch_related("actions", "criteria"):
        for action in priority.actions.all():
            if action.starts_on and action.starts_on > on:
                continue
            if action.status == ActionStatus.COMPLETE:
                rating = rag.BLUE
            else:
                rating = rng.choices([rag.RED, rag.AMBER, rag.GREEN], weights)[0]
                if action.is_overdue(on) and rating == rag.GREEN:
                    rating = rag.AMBER
            entries.append(
                services.RatingInput(subject=action, rating=rating, commentary=_comment(rating))
            )
        for criterion in priority.criteria.all():
            rating = rng.choices([rag.RED, rag.AMBER, rag.GREEN], weights)[0]
            entries.append(
                services.RatingInput(
                    subject=criterion,
                    rating=rating,
                    commentary=_comment(rating),
                    evidence="Termly assessment data",
                )
            )
        override = profile == "mixed" and priority.number == 1 and rng.random() < 0.5
        entries.append(
            services.RatingInput(
                subject=priority,
                rating=rag.AMBER if override else None,
                override_reason="Data from the autumn assessment is not yet moderated."
                if override
                else "",
                commentary="Reviewed with the headteacher and link governor.",
            )
        )
    services.termly_review_save(
        actor=None, actor_label=ctx.actor_label, plan=plan, term=term, entries=entries, today=today
    )


def _comment(rating: str) -> str:
    return {
        rag.RED: "Behind schedule; support agreed.",
        rag.AMBER: "Started; some slippage.",
        rag.GREEN: "On track.",
        rag.BLUE: "Complete.",
    }[rating]


def _monitoring(ctx, plan, term, profile, staff, today) -> None:
    rng = ctx.rng
    label = ctx.actor_label
    priorities = list(plan.priorities.all())
    good_rate = {"on_track": 0.85, "mixed": 0.65, "struggling": 0.4}[profile]
    scale = services.scale_for_trust(plan.school.trust_id)
    span = (term.ends_on - term.starts_on).days
    kinds = [MONITORING[0]] + rng.sample(MONITORING[1:], 2)
    for n, (kind, focus) in enumerate(kinds):
        planned = term.starts_on + datetime.timedelta(days=int(span * (0.25 + 0.3 * n)))
        while planned.weekday() >= 5:
            planned += datetime.timedelta(days=1)
        activity = services.activity_create(
            actor=None,
            actor_label=label,
            plan=plan,
            kind=kind,
            focus=focus,
            term=term,
            planned_on=planned if n < 2 else None,
            lead=staff[n % len(staff)],
            priority=priorities[n % len(priorities)],
        )
        if activity.due_by >= today or (
            profile == "struggling" and n == 1 and term.ends_on >= today
        ):
            continue  # still to come, or overdue for a struggling school
        records = 3 if kind == ActivityKind.LESSON_OBSERVATION else 1
        for _ in range(records):
            judgement = ""
            if kind == ActivityKind.LESSON_OBSERVATION:
                good = rng.random() < good_rate
                judgement = (
                    scale.grades[rng.randint(0, scale.good_or_better_count - 1)]
                    if good
                    else scale.grades[
                        rng.randint(scale.good_or_better_count, len(scale.grades) - 1)
                    ]
                )
            findings, next_steps = FINDINGS[
                "good" if profile == "on_track" else "mixed" if profile == "mixed" else "weak"
            ]
            services.record_create(
                actor=None,
                actor_label=label,
                activity=activity,
                carried_out_on=min(activity.due_by, today),
                findings=findings,
                judgement=judgement,
                next_steps=next_steps,
                evidence_note="Notes in the monitoring folder",
            )


def _bdp(ctx, school, msp, staff, year, profile, today) -> None:
    label = ctx.actor_label
    plan = services.plan_create(
        actor=None,
        actor_label=label,
        school=school,
        academic_year=year,
        kind=PlanKind.BDP,
        title=f"BDP {year.label} {school.name}",
        prefill=False,
    )
    _fill(ctx, plan, BUSINESS_PRIORITIES, msp, staff, year, smart=True)
    services.plan_submit(actor=None, actor_label=label, plan=plan)
    services.plan_agree(
        actor=None,
        actor_label=label,
        plan=plan,
        meeting="Finance and resources committee",
        agreed_on=min(today, year.starts_on + datetime.timedelta(days=30)),
    )
    _through_the_trust(ctx, plan, year.starts_on + datetime.timedelta(days=42))
    for term in [t for t in year.terms.all() if t.starts_on <= today]:
        _rate(ctx, plan, term, profile, today)


def _objectives(ctx, school, plan, year) -> None:
    people = [ctx.users.get(k) for k in ("middle", "teacher", "senior")]
    priority = plan.priorities.first()
    criteria = list(priority.criteria.all())
    for n, user in enumerate(p for p in people if p is not None):
        criterion = criteria[n % len(criteria)] if criteria else None
        services.staff_objective_create(
            actor=None,
            actor_label=ctx.actor_label,
            school=school,
            academic_year=year,
            user=user,
            text=f"Lead my team's contribution to '{priority.title}', measured by the criterion cited.",
            priority=priority,
            criterion=criterion,
        )


__all__ = ["build"]
