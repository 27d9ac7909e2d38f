"""Demo STAR projects, through the services: last year's projects in every school evaluated in
October (some published as exemplars by the headteacher or the CEO), and this year's running
or in draft. Each school gets a class teacher who leads a project; the first school's staff run
theirs as teams, one linked to the lead's appraisal objective."""

from __future__ import annotations

import datetime
import random

from trustwide.accounts.roles import Role
from trustwide.accounts.services import membership_create, user_get_or_create
from trustwide.trusts.demo import DEMO_EMAIL_DOMAIN

from . import services
from .models import ImpactRating

PROJECTS = [
    (
        "Retrieval quizzes at the start of maths lessons",
        "Do five-minute retrieval quizzes improve Year 5 pupils' recall of times tables?",
        "Autumn check: 58% of Year 5 recall all tables facts within 6 seconds.",
        "Daily five-question quiz, low stakes, self-marked; spaced facts for six weeks.",
        "Recall check before and after; pupil confidence survey.",
    ),
    (
        "Pre-teaching vocabulary for disadvantaged readers",
        "Does pre-teaching topic vocabulary help disadvantaged pupils read class texts fluently?",
        "12 disadvantaged pupils read class texts at 78 words per minute on average.",
        "Ten-minute pre-teaching sessions with a TA twice a week before the class text.",
        "Words per minute and comprehension score on unseen texts.",
    ),
    (
        "Whole-class feedback in writing",
        "Does whole-class feedback cut marking time while keeping the quality of redrafts?",
        "Teachers report 4 hours a week marking; 40% of redrafts improve one band.",
        "Feedback sheet per lesson replaces individual marking in two year groups.",
        "Time logs; proportion of redrafts improving one band or more.",
    ),
    (
        "Meet-and-greet to improve punctuality",
        "Does a daily meet-and-greet at the gate reduce late arrivals?",
        "Late marks: 3.1% of sessions last half term.",
        "Senior leader and family support worker at the gate every morning for a term.",
        "Late marks per half term; attendance of the pupils most often late.",
    ),
    (
        "Structured talk partners in science",
        "Do talk frames raise the quality of explanations in science?",
        "Book look: 30% of explanations use scientific vocabulary correctly.",
        "Sentence stems and talk partners in every science lesson for Years 3 and 4.",
        "Book looks each half term against the same criteria.",
    ),
]
FINDINGS = {
    ImpactRating.STRONG: (
        "Every measure moved: the target group closed most of the gap to their peers.",
        "Strong gains on the baseline; the approach is now used across the phase.",
    ),
    ImpactRating.MODERATE: (
        "Gains in two of the three measures; the survey showed more confidence.",
        "Some improvement on the baseline; refining the timing next year.",
    ),
    ImpactRating.LIMITED: (
        "Little change in the main measure; staff found the routine hard to keep.",
        "Limited impact so far: what we learnt shapes next year's approach.",
    ),
}


def _class_teacher(ctx, i, school):
    if i == 0 and ctx.users.get("teacher"):
        return ctx.users["teacher"]
    user = user_get_or_create(
        actor=None,
        actor_label=ctx.actor_label,
        trust=ctx.trust,
        email=f"star-teacher-{i + 1}@{DEMO_EMAIL_DOMAIN}",
        full_name=f"Class Teacher {i + 1}",
        job_title="Class teacher",
    )
    membership_create(
        actor=None,
        actor_label=ctx.actor_label,
        user=user,
        role=Role.TEACHER,
        trust=ctx.trust,
        school=school,
        starts_on=ctx.current_year.starts_on - datetime.timedelta(days=365),
    )
    ctx.logins.append(("Class teacher", school.name, user.email))
    return user


def _priority(school, year):
    from trustwide.planning.models import Priority

    return (
        Priority.objects.filter(plan__school=school, plan__academic_year=year, plan__kind="sip")
        .select_related("plan__academic_year", "plan__school")
        .order_by("number")
        .first()
    )


def _objective(lead, school, year):
    from trustwide.planning.models import StaffObjective

    return StaffObjective.objects.filter(user=lead, school=school, academic_year=year).first()


def _create(ctx, school, lead, members, spec, priority, objective=None):
    title, question, baseline, method, measures = spec
    return services.star_project_create(
        actor=None,
        actor_label=ctx.actor_label,
        school=school,
        lead=lead,
        members=members,
        title=title,
        priority=priority,
        objective=objective,
        question=question,
        baseline=baseline,
        method=method,
        measures=measures,
    )


def build(ctx) -> None:
    rng = random.Random(ctx.seed + 17)  # its own generator: other apps' demo data stays as was
    label = ctx.actor_label
    for i, school in enumerate(ctx.schools):
        head = ctx.users.get(f"head_{i}")
        teacher = _class_teacher(ctx, i, school)
        team = (
            [ctx.users[k] for k in ("middle", "senior") if ctx.users.get(k)] if i == 0 else [head]
        )
        specs = rng.sample(PROJECTS, 3)
        last = _priority(school, ctx.previous_year)
        now = _priority(school, ctx.current_year)
        if last is not None:
            done = _create(ctx, school, teacher, team, specs[0], last)
            services.star_project_start(actor=None, actor_label=label, project=done)
            rating = [ImpactRating.STRONG, ImpactRating.MODERATE, ImpactRating.LIMITED][i % 3]
            findings, impact = FINDINGS[rating]
            services.star_project_evaluate(
                actor=None,
                actor_label=label,
                project=done,
                findings=findings,
                impact=impact,
                impact_rating=rating,
            )
            if rating == ImpactRating.STRONG:
                services.star_project_mark_exemplary(
                    actor=None,
                    actor_label=label,
                    project=done,
                    note="Clear question, honest baseline and measures that show the change; "
                    "simple for any school to adopt.",
                )
        if now is not None:
            lead = ctx.users.get("middle") if i == 0 else head
            running = _create(
                ctx,
                school,
                lead,
                [teacher],
                specs[1],
                now,
                _objective(lead, school, now.plan.academic_year),
            )
            services.star_project_start(actor=None, actor_label=label, project=running)
            # Still being planned: no measures yet.
            _create(ctx, school, teacher, [], (*specs[2][:4], ""), now)
