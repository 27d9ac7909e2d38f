"""Demo governance: the trust board, two committees and a local governing committee per
school, with members (the demo's governors, trustees and leaders, plus one more governor per
school), a year of meetings with agendas, attendance, minutes and actions, a skills audit,
governor visits linked to plan priorities, and the annual cycle for the current year."""

from __future__ import annotations

import datetime

from django.utils import timezone

from trustwide.accounts.roles import Role
from trustwide.accounts.services import membership_create, user_get_or_create
from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_update
from trustwide.common import steps

from . import services
from .cycle import weekday_on_or_before
from .models import STANDARD_ITEMS, AgendaKind, CycleCategory, Frequency, GoverningBody
from .skills import SKILLS

# Seed 004's review cycle ("Our Review Cycle" and "Roles and Responsibilities"). A line with an
# event (common/steps.py) completes when the step is done in the product; the others are ticked.
CYCLE = [
    # title, category, role, per school, frequency, month, day, event
    (
        "1st draft of the MSP for consultation with the board, LGCs and headteachers",
        CycleCategory.PLANNING,
        Role.TRUST_LEADER,
        False,
        Frequency.ONCE,
        4,
        15,
        steps.MSP_DRAFT_ISSUED,
    ),
    (
        "2nd draft of the MSP back to the board, LGCs and headteachers for final comment",
        CycleCategory.PLANNING,
        Role.TRUST_LEADER,
        False,
        Frequency.ONCE,
        5,
        10,
        steps.MSP_DRAFT_ISSUED,
    ),
    (
        "MSP pocket guide published and emailed to all staff",
        CycleCategory.PLANNING,
        Role.TRUST_LEADER,
        False,
        Frequency.ONCE,
        5,
        31,
        steps.MSP_GUIDE_PUBLISHED,
    ),
    (
        "Trust board approves the MSP (recorded against its meeting)",
        CycleCategory.GOVERNANCE,
        Role.TRUST_LEADER,
        False,
        Frequency.ONCE,
        7,
        15,
        steps.MSP_APPROVED,
    ),
    (
        "School improvement priorities pocket guide published",
        CycleCategory.PLANNING,
        Role.HEADTEACHER,
        True,
        Frequency.ONCE,
        7,
        10,
        steps.SIP_GUIDE_PUBLISHED,
    ),
    (
        "Business plan priorities pocket guide published",
        CycleCategory.PLANNING,
        Role.HEADTEACHER,
        True,
        Frequency.ONCE,
        7,
        10,
        steps.BDP_GUIDE_PUBLISHED,
    ),
    (
        "1st draft SDP and BDP sent to governors",
        CycleCategory.PLANNING,
        Role.HEADTEACHER,
        True,
        Frequency.ONCE,
        7,
        20,
        steps.PLAN_SUBMITTED,
    ),
    (
        "Staff reminded of the MAT and SDP priorities (pocket guides)",
        CycleCategory.PLANNING,
        Role.HEADTEACHER,
        True,
        Frequency.ONCE,
        9,
        10,
        "",
    ),
    (
        "Local governors agree the SDP and BDP (SMART check)",
        CycleCategory.GOVERNANCE,
        Role.LOCAL_GOVERNOR,
        True,
        Frequency.ONCE,
        9,
        30,
        steps.PLAN_AGREED_BY_GOVERNORS,
    ),
    (
        "CEO signs off the SDP and BDP",
        CycleCategory.GOVERNANCE,
        Role.TRUST_LEADER,
        True,
        Frequency.ONCE,
        9,
        30,
        steps.PLAN_SIGNED_OFF,
    ),
    (
        "Trust board agrees the SDP and BDP",
        CycleCategory.GOVERNANCE,
        Role.TRUST_LEADER,
        True,
        Frequency.ONCE,
        10,
        20,
        steps.PLAN_BOARD_AGREED,
    ),
    (
        "Appraisal targets linked to the SDP, BDP and MSP",
        CycleCategory.PEOPLE,
        Role.HEADTEACHER,
        True,
        Frequency.ONCE,
        10,
        31,
        "",
    ),
    (
        "Staff evaluate their STAR projects for appraisal",
        CycleCategory.PEOPLE,
        Role.HEADTEACHER,
        True,
        Frequency.ONCE,
        10,
        31,
        steps.STAR_PROJECTS_EVALUATED,
    ),
    (
        "Year-end review of last year's MSP presented to the trust board",
        CycleCategory.GOVERNANCE,
        Role.TRUST_LEADER,
        False,
        Frequency.ONCE,
        11,
        30,
        steps.MSP_YEAR_REVIEW_PRESENTED,
    ),
    (
        "Year-end review of last year's SDP sent to governors (exams analysis)",
        CycleCategory.GOVERNANCE,
        Role.HEADTEACHER,
        True,
        Frequency.ONCE,
        10,
        20,
        steps.YEAR_END_REVIEW_SUBMITTED,
    ),
    (
        "Governors scrutinise the year-end review, then on to the board",
        CycleCategory.GOVERNANCE,
        Role.LOCAL_GOVERNOR,
        True,
        Frequency.ONCE,
        11,
        15,
        steps.YEAR_END_REVIEW_SCRUTINISED,
    ),
    (
        "Monthly compliance check (single central record, health and safety)",
        CycleCategory.COMPLIANCE,
        Role.HEADTEACHER,
        True,
        Frequency.MONTHLY,
        None,
        5,
        "",
    ),
    (
        "Termly RAG of the SDP and BDP",
        CycleCategory.GOVERNANCE,
        Role.HEADTEACHER,
        True,
        Frequency.TERMLY,
        None,
        1,
        steps.TERMLY_RAG_DONE,
    ),
    (
        "Termly RAG of the MSP",
        CycleCategory.GOVERNANCE,
        Role.TRUST_LEADER,
        False,
        Frequency.TERMLY,
        None,
        1,
        steps.MSP_RAG_DONE,
    ),
    (
        "LGC report to the trust board",
        CycleCategory.GOVERNANCE,
        Role.LOCAL_GOVERNOR,
        True,
        Frequency.TERMLY,
        None,
        1,
        steps.LGC_REPORT_SUBMITTED,
    ),
    (
        "Mid-year review of the SDP, to inform next year's MSP",
        CycleCategory.PLANNING,
        Role.HEADTEACHER,
        True,
        Frequency.ONCE,
        3,
        15,
        steps.MID_YEAR_REVIEW_SUBMITTED,
    ),
    (
        "Review the child protection policy",
        CycleCategory.POLICY,
        Role.HEADTEACHER,
        True,
        Frequency.ONCE,
        9,
        15,
        "",
    ),
]

QUESTIONS = [
    (
        "question",
        "How do we know the reading catch-up is working for disadvantaged pupils?",
        "Termly assessments show 60% on track; the phonics lead will report in spring.",
    ),
    (
        "challenge",
        "Persistent absence has not fallen: what will be different this term?",
        "Attendance officer now meets families in week one; weekly tracking to governors.",
    ),
    ("decision", "The plan priorities were agreed.", ""),
    (
        "question",
        "Are the SEND funding assumptions in the budget realistic?",
        "Yes, confirmed with the LA.",
    ),
]


def _extra_governor(ctx, i, school):
    user = user_get_or_create(
        actor=None,
        actor_label=ctx.actor_label,
        trust=ctx.trust,
        email=f"governor-{i}-b@larkspur.example",
        full_name=f"Parent Governor {i + 1}",
        job_title="Parent governor",
    )
    membership_create(
        actor=None,
        actor_label=ctx.actor_label,
        user=user,
        role=Role.LOCAL_GOVERNOR,
        trust=ctx.trust,
        school=school,
        starts_on=ctx.current_year.starts_on - datetime.timedelta(days=365),
    )
    ctx.logins.append(("Parent governor", school.name, user.email))
    return user


def _meetings(ctx, body, members, today, school=None):
    """Three held meetings (one per term so far or of last year) and one planned."""
    label = ctx.actor_label
    rng = ctx.rng
    dates = [weekday_on_or_before(today - datetime.timedelta(days=d)) for d in (150, 90, 30)]
    dates.append(weekday_on_or_before(today + datetime.timedelta(days=21)))
    for n, held_on in enumerate(dates):
        status = "held" if held_on < today else "planned"
        meeting = services.meeting_create(
            actor=None,
            actor_label=label,
            body=body,
            held_on=held_on,
            title=f"{body.name} meeting {n + 1}",
            status=status,
            location="Main hall",
            standard_items=[k.value for k in STANDARD_ITEMS],
            school=school,
        )
        if status != "held":
            continue
        statuses = {
            u: rng.choices(["present", "present", "present", "apologies", "absent"])[0]
            for u in members
        }
        services.attendance_record(
            actor=None, actor_label=label, meeting=meeting, statuses=statuses
        )
        items = {i.kind: i for i in meeting.agenda_items.all()}
        for kind, text, response in rng.sample(QUESTIONS, 2):
            services.minute_add(
                actor=None,
                actor_label=label,
                meeting=meeting,
                kind=kind,
                text=text,
                response=response,
                agenda_item=items.get(AgendaKind.PLAN_RAG),
                raised_by=rng.choice(members),
            )
        action = services.action_add(
            actor=None,
            actor_label=label,
            meeting=meeting,
            description="Report back on the attendance strategy",
            owner=members[-1],
            due_on=held_on + datetime.timedelta(days=28),
        )
        if n == 0:
            services.action_complete(
                actor=None,
                actor_label=label,
                action=action,
                on=held_on + datetime.timedelta(days=20),
            )


def build(ctx) -> None:
    label = ctx.actor_label
    today = timezone.localdate()
    rng = ctx.rng
    trust = ctx.trust
    start = ctx.current_year.starts_on - datetime.timedelta(days=365)
    trustees = [u for k, u in ctx.users.items() if k in ("trustee", "ceo")]
    # The planning demo may have made the board already (it records the board's agreement to plans).
    board = GoverningBody.objects.filter(trust=trust, kind="board").first() or services.body_create(
        actor=None, actor_label=label, trust=trust, kind="board", name="Trust board"
    )
    committees = [
        services.body_create(
            actor=None, actor_label=label, trust=trust, kind="committee", name=name
        )
        for name in ("Audit and risk committee", "Standards committee")
    ]
    for body in [board, *committees]:
        for n, user in enumerate(trustees):
            services.member_add(
                actor=None,
                actor_label=label,
                body=body,
                user=user,
                role="chair" if n == 0 else "member",
                starts_on=start,
                ends_on=start + datetime.timedelta(days=4 * 365),
            )
        _meetings(ctx, body, trustees, today)
    governors = []
    for i, school in enumerate(ctx.schools):
        body = services.body_create(
            actor=None,
            actor_label=label,
            trust=trust,
            kind="lgc",
            school=school,
            name=f"{school.name} local governing committee",
        )
        members = [
            ctx.users[f"governor_{i}"],
            _extra_governor(ctx, i, school),
            ctx.users[f"head_{i}"],
        ]
        links = [["safeguarding"], ["send", "pupil_premium"], []]
        for n, user in enumerate(members):
            services.member_add(
                actor=None,
                actor_label=label,
                body=body,
                user=user,
                role=["chair", "member", "member"][n],
                link_roles=links[n],
                starts_on=start,
                ends_on=start + datetime.timedelta(days=4 * 365),
            )
        _meetings(ctx, body, members, today, school)
        governors += [(u, school) for u in members[:2]]
        priority = school.plans.filter(academic_year=ctx.current_year).first()
        priority = priority.priorities.first() if priority else None
        services.visit_create(
            actor=None,
            actor_label=label,
            school=school,
            governor=members[0],
            visited_on=today - datetime.timedelta(days=rng.randint(10, 60)),
            focus="Reading in Key Stage 2",
            priority=priority,
            findings="Leaders showed the reading tracker; pupils read fluently to us.",
            next_steps="Revisit in the summer term to see the impact on outcomes.",
        )
    # Skills audit: every governor and trustee rates themselves; a few skills stay thin.
    weak = {"legal", "estates"}
    for user in {u for u, _ in governors} | set(trustees):
        ratings = {
            code: (rng.choice([1, 2, 2, 3]) if code in weak else rng.choice([2, 3, 3, 4]))
            for code, _, _ in SKILLS
        }
        services.skills_save(
            actor=None,
            actor_label=label,
            user=user,
            trust=trust,
            start_year=ctx.current_year.start_year,
            ratings=ratings,
        )
        services.training_add(
            actor=None,
            actor_label=label,
            user=user,
            trust=trust,
            title="Safeguarding for governors",
            provider="Local authority",
            completed_on=today - datetime.timedelta(days=rng.randint(20, 200)),
            hours=2,
            skill="safeguarding",
        )
    # The annual cycle, expanded for the current year.
    for title, category, role, per_school, frequency, month, day, event in CYCLE:
        services.cycle_item_create(
            actor=None,
            actor_label=label,
            trust=trust,
            title=title,
            category=category,
            role=role,
            per_school=per_school,
            frequency=frequency,
            month=month,
            day=day,
            event=event,
        )
    services.cycle_generate(
        actor=None, actor_label=label, trust=trust, academic_year=ctx.current_year
    )
    # Earlier tasks of the year are mostly done; a few are left overdue.
    from .models import CycleTask

    for task in CycleTask.objects.filter(
        trust=trust, due_on__lt=today - datetime.timedelta(days=7)
    ).select_related("item"):
        if rng.random() >= 0.85:
            continue
        if task.item.event:  # a step of the product the demo did before its cycle existed
            audited_update(
                actor=None,
                actor_label=label,
                instance=task,
                action=AuditAction.COMPLETE_STEP,
                completed_on=task.due_on,
            )
        else:
            services.task_complete(actor=None, actor_label=label, task=task, on=task.due_on)
