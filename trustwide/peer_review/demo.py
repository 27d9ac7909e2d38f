"""Demo data: four triads over the demo trust with last year's and this year's rota, review
findings (fed to SEF accuracy), actions (some in the schools' plans), support categories with
history, non-negotiables, the expertise register, deployments and a collaboration plan.

Everything is written through the services with actor=None and the demo's actor label."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from . import rota as rota_rules
from . import services
from .models import Review, ReviewStatus

FINDINGS = [
    "Leaders know the strengths and gaps well; the evidence seen matches the school's account.",
    "Lessons seen were consistent in structure; adaptation for pupils with SEND was less secure.",
    "Reading is prioritised from Reception; fluency in Year 3 lags behind the rest of key stage 2.",
    "Behaviour around the site is calm; low-level disruption in two lessons was not followed up.",
]
STRENGTHS = [
    "Phonics training model and daily keep-up sessions.",
    "Curriculum maps that show the sequence of knowledge clearly.",
    "Use of precise feedback in mathematics.",
]
ACTIONS = [
    "Coach Year 3 staff in fluency teaching with the trust English lead",
    "Review the SEND adaptations in foundation subjects",
    "Share the phonics keep-up model with the triad",
    "Tighten follow-up of low-level disruption in the behaviour policy",
]
NON_NEGOTIABLES = [
    ("targeted", "strategy", "Daily phonics keep-up for every pupil below the expected standard"),
    ("targeted", "monitoring", "Half-termly learning walks with the hub executive headteacher"),
    ("intensive", "strategy", "Trust English and maths leads deployed one day a week"),
    (
        "intensive",
        "monitoring",
        "Fortnightly school improvement board chaired by the director of education",
    ),
    ("universal", "monitoring", "Termly RAG review of the SIP"),
]
SUBJECTS = [
    "reading, phonics",
    "maths",
    "science",
    "English",
    "SEND, inclusion",
    "behaviour",
    "curriculum",
]


def build(ctx) -> None:
    label = ctx.actor_label
    trust = ctx.trust
    today = timezone.localdate()
    schools = list(ctx.schools)
    infos = [
        rota_rules.SchoolInfo(s.pk, s.hub_id, s.phase, -float(i % 4), s.name)
        for i, s in enumerate(schools)
    ]
    by_id = {s.pk: s for s in schools}

    services.support_rule_save(actor=None, actor_label=label, trust=trust, settings={})
    for category, kind, text in NON_NEGOTIABLES:
        services.non_negotiable_create(
            actor=None, actor_label=label, trust=trust, category=category, kind=kind, text=text
        )
    # History: categories at the start of last year (rule applied to today's signals, back-dated).
    services.support_assess(
        actor=None,
        actor_label=label,
        trust=trust,
        on=ctx.previous_year.starts_on,
        note="Start of year review",
    )

    last_groups = rota_rules.propose_triads(infos, hubs=rota_rules.MIX, seed=ctx.seed, restarts=3)
    _year(ctx, ctx.previous_year, [[by_id[i] for i in g] for g in last_groups], today, label)
    groups = rota_rules.propose_triads(
        infos, hubs=rota_rules.MIX, last_year=last_groups, seed=ctx.seed + 1, restarts=3
    )
    _year(ctx, ctx.current_year, [[by_id[i] for i in g] for g in groups], today, label)

    services.support_assess(
        actor=None, actor_label=label, trust=trust, on=today, note="Autumn review"
    )
    external_school = schools[3 % len(schools)]
    services.external_review_create(
        actor=None,
        actor_label=label,
        school=external_school,
        academic_year=ctx.current_year,
        visit_on=ctx.current_year.starts_on + datetime.timedelta(days=150),
        focus="Quality of education: curriculum",
        partners=[{"name": "Morgan Ellis", "organisation": "Northern Schools Audit Partnership"}],
    )
    _expertise_and_deployments(ctx, schools, today, label)


def _year(ctx, year, groups, today, label) -> None:
    reviews = services.rota_create(
        actor=None, actor_label=label, trust=ctx.trust, academic_year=year, groups=groups
    )
    rng = ctx.rng
    for n, review in enumerate(reviews):
        if review.visit_on >= today:
            continue
        _write_up(
            ctx,
            review,
            n,
            today,
            label,
            rng,
            agreed=review.visit_on < today - datetime.timedelta(days=10),
        )


def _write_up(ctx, review: Review, n: int, today, label, rng, *, agreed: bool) -> None:
    sef = services.review_sef(review)
    judgements = []
    if sef is not None:
        judgements = [j for j in sef.judgements.all() if j.grade_code][:6]
        rng.shuffle(judgements)
    for k in range(2):
        judgement = judgements[k] if k < len(judgements) else None
        agrees = None
        grade = ""
        if judgement is not None:
            agrees = rng.random() < 0.7
            if not agrees:
                grades = [g.code for g in sef.framework.spec.scale_for(judgement.area_code).grades]
                at = grades.index(judgement.grade_code) if judgement.grade_code in grades else 0
                grade = (
                    grades[min(at + 1, len(grades) - 1)] if at + 1 < len(grades) else grades[at - 1]
                )
        services.finding_record(
            actor=None,
            actor_label=label,
            review=review,
            area_code=judgement.area_code if judgement else "",
            area_name="" if judgement else "Reading",
            findings=FINDINGS[(n + k) % len(FINDINGS)],
            strengths=STRENGTHS[(n + k) % len(STRENGTHS)] if k == 0 else "",
            agrees=agrees,
            grade_code=grade,
        )
    head = ctx.users.get(f"head_{ctx.schools.index(review.school)}")
    for k in range(1 + n % 2):
        item = services.review_action_create(
            actor=None,
            actor_label=label,
            review=review,
            what=ACTIONS[(n + k) % len(ACTIONS)],
            owner=head if k == 0 else None,
            owner_name="" if k == 0 else "English lead",
            due_on=review.visit_on + datetime.timedelta(days=45 + 20 * k),
        )
        if k == 0 and review.academic_year_id == ctx.current_year.pk:
            _into_plan(review, item, label)
    services.review_report_save(
        actor=None,
        actor_label=label,
        review=review,
        summary=f"The triad found {review.school.name} an improving school with an accurate view of itself in most "
        "areas; the actions below were agreed with the headteacher.",
        strengths_to_share=STRENGTHS[n % len(STRENGTHS)],
    )
    if agreed:
        services.review_agree(actor=None, actor_label=label, review=review)
    assert review.status in (ReviewStatus.DRAFTED, ReviewStatus.AGREED)


def _into_plan(review, item, label) -> None:
    priorities = list(services_plan_priorities(review))
    if priorities:
        services.review_action_to_plan(
            actor=None, actor_label=label, review_action=item, priority=priorities[0]
        )


def services_plan_priorities(review):
    from .selectors import plan_priority_choices

    return plan_priority_choices(review).filter(plan__kind="sip")[:1]


def _expertise_and_deployments(ctx, schools, today, label) -> None:
    from .models import SupportAssessment

    register = []
    for i, school in enumerate(schools):
        head = ctx.users.get(f"head_{i}")
        if head is None:
            continue
        register.append(
            services.expertise_save(
                actor=None,
                actor_label=label,
                trust=ctx.trust,
                user=head,
                home_school=school,
                subjects=SUBJECTS[i % len(SUBJECTS)],
                phases=school.phase,
                send=i % 3 == 0,
                leadership=True,
                qualifications="NPQH" if i % 2 else "NPQH, NPQEL",
                designations="Specialist leader of education"
                if i % 3 == 1
                else ("Accredited moderator" if i % 3 == 2 else ""),
                days_per_term=Decimal(3 + i % 3),
            )
        )
    for key, subjects in (("senior", "maths, assessment"), ("middle", "English, reading")):
        user = ctx.users.get(key)
        if user is not None:
            register.append(
                services.expertise_save(
                    actor=None,
                    actor_label=label,
                    trust=ctx.trust,
                    user=user,
                    home_school=schools[0],
                    subjects=subjects,
                    phases="primary",
                    designations="Specialist leader of education",
                    days_per_term=Decimal(4),
                )
            )
    latest = {}
    for a in SupportAssessment.objects.filter(school__trust=ctx.trust).order_by(
        "school_id", "-assessed_on", "-pk"
    ):
        latest.setdefault(a.school_id, a)
    takers = [
        s for s in schools if s.pk in latest and latest[s.pk].category != "universal"
    ] or schools[-3:]
    givers = [e for e in register if e.home_school_id not in {t.pk for t in takers}] or register
    autumn_done = today > ctx.current_year.starts_on + datetime.timedelta(days=60)
    for n, school in enumerate(takers[:6]):
        expert = givers[n % len(givers)]
        if expert.home_school_id == school.pk:
            continue
        services.deployment_create(
            actor=None,
            actor_label=label,
            expertise=expert,
            to_school=school,
            academic_year=ctx.current_year,
            term=0 if n % 2 == 0 else 1,
            days=Decimal(2 + n % 3),
            purpose=f"Support {school.name} with {expert.subjects.split(',')[0].strip()} leadership",
            outcome="Coaching sessions done; follow-up learning walk shows consistent practice."
            if n % 2 == 0 and autumn_done
            else "",
            status="complete" if n % 2 == 0 and autumn_done else "agreed",
        )
    if len(schools) >= 2 and takers and givers:
        services.collaboration_plan_create(
            actor=None,
            actor_label=label,
            trust=ctx.trust,
            title="Reading fluency in key stage 2",
            schools=[takers[0], givers[0].home_school or schools[0]],
            purpose="Raise fluency in Years 3 and 4 so pupils read at the expected standard by Year 6.",
            mutuality="The supporting school tests its coaching model; the supported school gains trained staff.",
            change="Daily fluency practice in every Year 3 and 4 class, checked by termly reading-age tests.",
            pace="Training in the autumn, coaching in the spring, impact review in the summer.",
            prioritisation="Reading is the first priority of both schools' SIPs and the trust's pocket guide.",
        )
