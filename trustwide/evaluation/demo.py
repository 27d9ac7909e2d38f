"""Demo self-evaluations: every demo school has a SEF on the 2025 report card for last year and
this year, with schools that improve, decline, or grade themselves more generously than their
validators; some schools also evaluate against the trust's four characteristics; a few have a
report-card inspection; the trust reviews itself against the "10 ways" statements.

Written through the services (actor=None) so every row has its audit trail, as real data would.
"""

from __future__ import annotations

import datetime

from trustwide.trusts.services import inspection_record

from . import services
from .models import Framework, SefStatus, ValidatorRole

REPORT_CARD = "ofsted-report-card-2025"
FOUR_CHARACTERISTICS = "trust-four-characteristics"
TEN_WAYS = "trust-self-review-10-ways"

STRENGTHS = {
    "inclusion": [
        "Early identification of SEND through the termly pupil progress meetings",
        "Pupil premium spending is tracked against impact each term",
        "Strong partnership with the local family support service",
    ],
    "curriculum-and-teaching": [
        "Well-sequenced curriculum maps in every subject",
        "Phonics taught consistently from Reception",
        "Subject leaders have time to check teaching in their subject",
    ],
    "achievement": [
        "Reading outcomes at the end of key stage 2 above national",
        "Disadvantaged pupils' progress in maths improving for three years",
        "Pupils' books show secure knowledge over time",
    ],
    "attendance-and-behaviour": [
        "Calm corridors and orderly lunchtimes",
        "Clear, consistently applied behaviour policy",
        "First-day calling and home visits for absent pupils",
    ],
    "personal-development-and-well-being": [
        "Wide take-up of clubs, including by disadvantaged pupils",
        "Strong pupil leadership roles (school council, eco team)",
        "Well-planned relationships and health education",
    ],
    "leadership-and-governance": [
        "Accurate self-evaluation shared with governors",
        "Staff workload survey acted on",
        "Governors visit with a clear focus linked to the plan",
    ],
    "early-years": [
        "Rich talk and vocabulary in Reception",
        "Smooth transition from nursery into Reception",
    ],
    "sixth-form": [
        "Ambitious post-16 destinations",
        "Strong tutoring programme for resit students",
    ],
    "safeguarding": ["Single central record checked termly", "Staff know how to report concerns"],
}
DEVELOPMENT = {
    "inclusion": [
        "Persistent absence of disadvantaged pupils",
        "Consistency of adaptive teaching for pupils with SEND",
        "Tracking the impact of interventions",
    ],
    "curriculum-and-teaching": [
        "Consistency of adaptive teaching for pupils with SEND",
        "Retrieval practice in foundation subjects",
        "Reading fluency in key stage 2",
    ],
    "achievement": [
        "Writing at greater depth",
        "Reading fluency in key stage 2",
        "Gap between disadvantaged pupils and others in maths",
    ],
    "attendance-and-behaviour": [
        "Persistent absence of disadvantaged pupils",
        "Lateness in the morning",
        "Suspensions in Year 9",
    ],
    "personal-development-and-well-being": [
        "Careers guidance in key stage 3",
        "Pupils' knowledge of online safety",
    ],
    "leadership-and-governance": [
        "Middle leaders' checking of the quality of teaching",
        "Governors' challenge on attendance",
    ],
    "early-years": ["Reading fluency in Reception", "Outdoor provision for maths"],
    "sixth-form": ["Retention from Year 12 to Year 13", "Work experience for every student"],
    "safeguarding": ["Online safety training for parents"],
}
FOUR_TEXT = {
    "leadership-and-management": (
        "Leaders at every level share the trust's ambition.",
        "Middle leaders' checking of the quality of teaching",
    ),
    "teaching": (
        "Teaching is consistently strong in English and maths.",
        "Consistency of adaptive teaching for pupils with SEND",
    ),
    "assessment": (
        "Assessment information is used well in pupil progress meetings.",
        "Moderation of writing with other trust schools",
    ),
    "safe-and-happy-schools": (
        "Pupils say they feel safe and happy.",
        "Persistent absence of disadvantaged pupils",
    ),
}
STATEMENT_POSITIONS = [
    (
        "we-do-this",
        "Our school improvement model is published and every head can describe it.",
        "Review the model with heads each summer.",
    ),
    (
        "we-talk-about-doing-this",
        "Central finance and HR exist, but heads still spend time on premises.",
        "Move estates work to the central team by spring.",
    ),
    (
        "we-do-this",
        "Termly data packs hold heads to account on the big five KPIs.",
        "Cut the data collection to three points a year.",
    ),
    (
        "we-talk-about-doing-this",
        "Quality assurance varies between hubs.",
        "One QA calendar and template for every school.",
    ),
    (
        "we-should-do-this",
        "We compare results but rarely dig into causes together.",
        "Termly performance review meetings with heads in triads.",
    ),
    (
        "we-do-this",
        "Triads pair every school to give and receive support.",
        "Record support given and received in Trustwide.",
    ),
    (
        "we-talk-about-doing-this",
        "Support levels are agreed informally.",
        "Agree a published support ladder ('tighten to improve, loosen to be great').",
    ),
    (
        "we-dont-do-this",
        "Collaboration is mostly at heads' meetings.",
        "Subject hub leads for English, maths and SEND.",
    ),
    (
        "we-should-do-this",
        "Appraisal objectives exist but development plans are patchy.",
        "A personal development plan for every member of staff.",
    ),
    (
        "never-thought-about-this",
        "We have not looked outside the trust systematically.",
        "Visit two strong trusts this year.",
    ),
]


def _rank_to_code(spec, area_code: str, rank: int) -> str:
    scale = spec.scale_for(area_code)
    rank = max(1, min(scale.worst_rank, rank))
    return scale.grade_for_rank(rank).code


def _pick(rng, pool: list[str], n: int) -> str:
    return "\n".join(rng.sample(pool, min(n, len(pool))))


def _write_sef(ctx, sef, ranks: dict[str, int], *, year_note: str) -> None:
    spec = sef.framework.spec
    rng = ctx.rng
    for judgement in sef.judgements.all():
        code = judgement.area_code
        if code == "safeguarding":
            grade = _rank_to_code(spec, code, 1 if rng.random() < 0.95 else 2)
        else:
            grade = _rank_to_code(spec, code, ranks[code])
        label = spec.scale_for(code).grade(grade).label
        area_name = spec.area(code).name.lower()
        if sef.framework.code == FOUR_CHARACTERISTICS:
            lead, development = FOUR_TEXT[code]
            strengths, afd = lead, development
        else:
            strengths = _pick(rng, STRENGTHS.get(code, ["Secure practice"]), 2)
            afd = _pick(rng, DEVELOPMENT.get(code, ["Consistency across classes"]), 2)
        summary = (
            f"We judge {area_name} at {sef.school.name} to be {label.lower()} ({year_note}). "
            f"Our evidence comes from monitoring, pupil voice and our data; the strengths and areas "
            f"for development below are agreed with governors."
        )
        services.judgement_update(
            actor=None,
            actor_label=ctx.actor_label,
            judgement=judgement,
            grade_code=grade,
            summary=summary,
            strengths=strengths,
            areas_for_development=afd,
        )


def _validate(
    ctx, sef, *, generosity: int, role: str, on: datetime.date, name: str, share: float = 1.0
) -> None:
    spec = sef.framework.spec
    for judgement in sef.judgements.all():
        if ctx.rng.random() > share:
            continue
        scale = spec.scale_for(judgement.area_code)
        rank = scale.grade(judgement.grade_code).rank
        shift = generosity if judgement.area_code != "safeguarding" else 0
        if shift and ctx.rng.random() < 0.35:
            shift = 0  # even generous schools get some areas right
        validated = _rank_to_code(spec, judgement.area_code, rank + shift)
        harsher = scale.grade(validated).rank > rank
        agrees = validated == judgement.grade_code
        services.validation_record(
            actor=None,
            actor_label=ctx.actor_label,
            judgement=judgement,
            role=role,
            agrees=agrees,
            grade_code="" if agrees else validated,
            validator_name=name,
            validated_on=on,
            rationale=""
            if agrees
            else (
                "The evidence seen (work scrutiny, learning walk and the latest data) supports a "
                "lower grade than the school's: strengths are not yet consistent across classes."
                if harsher
                else "The school undersells itself: the evidence is consistently strong."
            ),
        )


def build(ctx) -> None:
    rng = ctx.rng
    report = Framework.objects.get(trust__isnull=True, code=REPORT_CARD, is_active=True)
    four = Framework.objects.get(trust__isnull=True, code=FOUR_CHARACTERISTICS, is_active=True)
    ten = Framework.objects.get(trust__isnull=True, code=TEN_WAYS, is_active=True)
    spec = report.spec
    label = ctx.actor_label
    prev_year, this_year = ctx.previous_year, ctx.current_year
    areas = [a.code for a in spec.all_areas() if a.code != "safeguarding"]
    ceo = ctx.users.get("director") or ctx.users.get("ceo")
    ceo_name = str(ceo) if ceo else "Director of education"

    for i, school in enumerate(ctx.schools):
        # Profiles: 0 improving, 1 steady, 2 generous (validators grade lower), 3 declining.
        profile = i % 4
        base = rng.choice([2, 3, 3, 3, 3, 4])
        last_ranks = {a: max(1, min(5, base + rng.choice([-1, 0, 0, 0, 1]))) for a in areas}
        sef_prev = services.sef_create(
            actor=None, actor_label=label, school=school, academic_year=prev_year, framework=report
        )
        _write_sef(ctx, sef_prev, last_ranks, year_note=f"summer {prev_year.start_year + 1}")
        services.sef_submit(actor=None, actor_label=label, sef=sef_prev)
        _validate(
            ctx,
            sef_prev,
            generosity=1 if profile == 2 else 0,
            role=ValidatorRole.TRUST_LEADER,
            on=datetime.date(prev_year.start_year + 1, 6, 20),
            name=ceo_name,
        )
        services.sef_validate(actor=None, actor_label=label, sef=sef_prev)

        shift = {0: -1, 1: 0, 2: -1, 3: 1}[profile]
        now_ranks = {a: r + (shift if rng.random() < 0.6 else 0) for a, r in last_ranks.items()}
        sef_now = services.sef_start_next_year(actor=None, actor_label=label, sef=sef_prev)
        _write_sef(ctx, sef_now, now_ranks, year_note=f"autumn {this_year.start_year}")
        services.evidence_add(
            actor=None,
            actor_label=label,
            sef=sef_now,
            kind="text",
            title="Learning walk, October",
            areas=["curriculum-and-teaching", "inclusion"],
            text="Learning walk with the trust's school improvement lead: adaptive teaching seen in most "
            "classes; pupils with SEND supported well in English, less consistently in maths.",
        )
        services.evidence_add(
            actor=None,
            actor_label=label,
            sef=sef_now,
            kind="link",
            title="Attendance dashboard (autumn term)",
            areas=["attendance-and-behaviour"],
            url="https://example.org/larkspur/attendance",
        )
        if i % 3 != 2:  # two in three schools have submitted this year's SEF
            services.sef_submit(actor=None, actor_label=label, sef=sef_now)
            if i % 3 == 0:
                _validate(
                    ctx,
                    sef_now,
                    generosity=1 if profile == 2 else 0,
                    role=ValidatorRole.PEER_REVIEWER,
                    on=datetime.date(this_year.start_year, 11, 5),
                    name="Peer review triad",
                    share=0.6,
                )
        sef_now.refresh_from_db()
        assert sef_now.status in (SefStatus.DRAFT, SefStatus.SUBMITTED)

        if i < 4:
            sef_four = services.sef_create(
                actor=None,
                actor_label=label,
                school=school,
                academic_year=this_year,
                framework=four,
            )
            four_ranks = {
                a.code: max(1, min(4, base - 1 + rng.choice([0, 0, 1])))
                for a in four.spec.all_areas()
            }
            _write_sef(ctx, sef_four, four_ranks, year_note=f"autumn {this_year.start_year}")

        if i in (1, 4, 7):
            # A report-card inspection last year: external validation on the same framework.
            grades = {}
            for judgement in sef_prev.judgements.all():
                rank = spec.scale_for(judgement.area_code).grade(judgement.grade_code).rank
                if judgement.area_code != "safeguarding":
                    rank += rng.choice([0, 0, 1])
                grades[judgement.area_code] = (
                    spec.scale_for(judgement.area_code)
                    .grade_for_rank(
                        max(1, min(spec.scale_for(judgement.area_code).worst_rank, rank))
                    )
                    .label
                )
            inspection_record(
                actor=None,
                actor_label=label,
                school=school,
                framework=REPORT_CARD,
                inspected_on=datetime.date(prev_year.start_year + 1, 3, 10 + i),
                grades=grades,
            )

    # The trust's self-review, last year and this year (started from last year's).
    last = services.trust_self_review_create(
        actor=None, actor_label=label, trust=ctx.trust, academic_year=prev_year, framework=ten
    )
    for rating, (grade, position, actions) in zip(
        last.ratings.all(), STATEMENT_POSITIONS, strict=False
    ):
        worse = ten.spec.scale_for(rating.area_code).grade(grade).rank
        worse = (
            ten.spec.scale_for(rating.area_code)
            .grade_for_rank(min(5, worse + (1 if rng.random() < 0.5 else 0)))
            .code
        )
        services.trust_statement_rate(
            actor=None,
            actor_label=label,
            rating=rating,
            grade_code=worse,
            current_position=position,
            actions=actions,
        )
    now = services.trust_self_review_create(
        actor=None,
        actor_label=label,
        trust=ctx.trust,
        academic_year=this_year,
        framework=ten,
        start_from=last,
    )
    for rating, (grade, position, actions) in zip(
        now.ratings.all(), STATEMENT_POSITIONS, strict=False
    ):
        services.trust_statement_rate(
            actor=None,
            actor_label=label,
            rating=rating,
            grade_code=grade,
            current_position=position,
            actions=actions,
        )
