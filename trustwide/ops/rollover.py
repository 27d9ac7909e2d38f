"""The turn of the year: what next academic year needs, surveyed and then done on confirmation.

Lives in ops because it reaches into every domain app (the trusts app may not import them).
One rule decides who may roll over (trusts.rules.may_roll_over), checked once here; each app's
copy then runs through its unchecked core (`_sef_start_next_year`, `_plan_copy_to_next_year`,
...), every write audited with the administrator as actor, so the apps' own rules (who edits a
SEF or a plan) stay as they are.

Each step runs in its own transaction and skips what already exists, so a run interrupted at
step N keeps steps before N, leaves step N untouched, and the next run carries on. The current
year does not change (the 1 September switch in trusts.schedule does that): a trust may roll
over in June and keep both years open. Schools that are not in the trust next year are skipped.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from trustwide.audit.models import AuditAction
from trustwide.audit.services import record_event
from trustwide.common.services import require
from trustwide.evaluation.models import SelfEvaluation
from trustwide.evaluation.services import _sef_start_next_year
from trustwide.governance.models import CycleItem, CycleTask
from trustwide.governance.selectors import terms_of_office_at_turn
from trustwide.governance.services import _cycle_generate
from trustwide.kpis.models import KpiTarget
from trustwide.kpis.services import _targets_carry_forward
from trustwide.peer_review import rota as rota_rules
from trustwide.peer_review import selectors as peer_selectors
from trustwide.peer_review.models import Triad
from trustwide.peer_review.services import _rota_create
from trustwide.planning.models import PocketGuide, SchoolPlan
from trustwide.planning.services.plans import _plan_copy_to_next_year
from trustwide.planning.services.strategic import (
    _strategic_plan_carry_forward,
    strategic_plan_covering,
)
from trustwide.trusts import rules, years
from trustwide.trusts.models import AcademicYear, School, Trust
from trustwide.trusts.utils import year_label

logger = logging.getLogger(__name__)

DONE, TO_DO, NOTHING, FAILED, NOT_REACHED = (
    "done",
    "to do",
    "nothing to do",
    "failed",
    "not reached",
)


@dataclass
class Turn:
    """The two years of a roll-over: this (the trust's current) year and the next."""

    trust: Trust
    this_year: AcademicYear
    next_year: AcademicYear | None  # None until step 1 has run
    next_start: int

    @property
    def next_label(self) -> str:
        return year_label(self.next_start)

    @property
    def next_first_day(self) -> datetime.date:
        return datetime.date(self.next_start, 9, 1)

    @property
    def next_last_day(self) -> datetime.date:
        return datetime.date(self.next_start + 1, 8, 31)

    def schools(self):
        """The schools in the trust at any time next year (closed ones, and any leaving by
        31 August, are skipped)."""
        return School.objects.filter(trust=self.trust).open_between(
            self.next_first_day, self.next_last_day
        )

    def closed_count(self) -> int:
        return School.objects.filter(trust=self.trust).count() - self.schools().count()


@dataclass
class StepReport:
    key: str
    title: str
    state: str
    to_create: int = 0  # what a run would create
    existing: int = 0  # what next year has already
    detail: str = ""
    created: int = 0  # what this run created
    error: str = ""


@dataclass
class Step:
    key: str
    title: str
    survey: Callable[[Turn], tuple[int, int, str]]  # (to create, already there, detail)
    run: Callable[[Turn, object], int]  # creates, returns how many


def _schools_note(turn: Turn) -> str:
    closed = turn.closed_count()
    return f" {closed} school(s) not in the trust next year skipped." if closed else ""


# 1. The year and its terms -----------------------------------------------------------------------


def _survey_year(turn):
    if turn.next_year is None:
        return 1, 0, f"Add {turn.next_label} with its three terms (typical dates; edit them after)."
    terms = turn.next_year.terms.count()
    return 0, 1, f"{turn.next_label} exists with {terms} term(s)."


def _run_year(turn, actor):
    if turn.next_year is not None:
        return 0
    turn.next_year = years.academic_year_add(
        actor=actor, trust=turn.trust, start_year=turn.next_start
    )
    return 1


# 2. The strategic plan and the pocket guide ------------------------------------------------------


def _survey_strategic(turn):
    current = strategic_plan_covering(turn.trust, turn.this_year.start_year)
    target = strategic_plan_covering(turn.trust, turn.next_start)
    guides = dict(
        PocketGuide.objects.filter(
            strategic_plan__trust=turn.trust,
            academic_year__start_year__in=(turn.this_year.start_year, turn.next_start),
        ).values_list("academic_year__start_year", "pk")
    )
    to_create = existing = 0
    notes = []
    if target is not None:
        notes.append(f"{target.title} covers {turn.next_label}.")
    elif current is not None:
        to_create += 1
        notes.append(f"{current.title} ends with {turn.this_year.label}: start a draft successor.")
    else:
        notes.append("The trust has no strategic plan for this year.")
    if turn.next_start in guides:
        existing += 1
        notes.append(f"Pocket guide {turn.next_label} exists.")
    elif turn.this_year.start_year in guides and (target or current):
        to_create += 1
        notes.append(f"Copy the pocket guide {turn.this_year.label} as next year's draft.")
    return to_create, existing, " ".join(notes)


def _run_strategic(turn, actor):
    created, _existing = _strategic_plan_carry_forward(
        actor=actor, trust=turn.trust, from_year=turn.this_year, to_year=turn.next_year
    )
    return len(created)


# 3. SEFs ---------------------------------------------------------------------------------------


def _sef_keys(turn, start_year):
    return set(
        SelfEvaluation.objects.filter(school__in=turn.schools(), academic_year__trust=turn.trust)
        .filter(academic_year__start_year=start_year)
        .values_list("school_id", "framework__code")
    )


def _survey_sefs(turn):
    have = _sef_keys(turn, turn.next_start)
    wanted = _sef_keys(turn, turn.this_year.start_year)
    to_create = len(wanted - have)
    return (
        to_create,
        len(have),
        f"{len(wanted)} SEF(s) this year in schools open next year; judgements carried forward "
        "and marked so." + _schools_note(turn),
    )


def _run_sefs(turn, actor):
    have = _sef_keys(turn, turn.next_start)
    created = 0
    for sef in (
        SelfEvaluation.objects.filter(school__in=turn.schools(), academic_year=turn.this_year)
        .select_related("school", "framework", "academic_year")
        .order_by("school__name", "pk")
    ):
        if (sef.school_id, sef.framework.code) in have:
            continue
        _sef_start_next_year(actor=actor, sef=sef)
        have.add((sef.school_id, sef.framework.code))
        created += 1
    return created


# 4. School plans (SDP and BDP) -------------------------------------------------------------------


def _plan_keys(turn, start_year):
    return set(
        SchoolPlan.objects.filter(school__in=turn.schools(), academic_year__trust=turn.trust)
        .filter(academic_year__start_year=start_year)
        .values_list("school_id", "kind")
    )


def _survey_plans(turn):
    have = _plan_keys(turn, turn.next_start)
    wanted = _plan_keys(turn, turn.this_year.start_year)
    return (
        len(wanted - have),
        len(have),
        f"{len(wanted)} plan(s) this year; next year's drafts carry every open action."
        + _schools_note(turn),
    )


def _run_plans(turn, actor):
    have = _plan_keys(turn, turn.next_start)
    created = 0
    for plan in (
        SchoolPlan.objects.filter(school__in=turn.schools(), academic_year=turn.this_year)
        .select_related("school", "academic_year")
        .order_by("school__name", "kind")
    ):
        if (plan.school_id, plan.kind) in have:
            continue
        _plan_copy_to_next_year(actor=actor, plan=plan)
        created += 1
    return created


# 5. Targets --------------------------------------------------------------------------------------


def _target_keys(turn, start_year):
    open_ids = set(turn.schools().values_list("pk", flat=True))
    return {
        key
        for key in KpiTarget.objects.filter(trust=turn.trust, academic_year=start_year).values_list(
            "school_id", "kpi_code", "group"
        )
        if key[0] is None or key[0] in open_ids
    }


def _survey_targets(turn):
    have = _target_keys(turn, turn.next_start)
    wanted = _target_keys(turn, turn.this_year.start_year)
    defaults = sum(1 for k in wanted if k[0] is None)
    return (
        len(wanted - have),
        len(have & wanted),
        f"{defaults} trust default(s) and {len(wanted) - defaults} school target(s) this year.",
    )


def _run_targets(turn, actor):
    created, _existing = _targets_carry_forward(
        actor=actor,
        trust=turn.trust,
        from_year=turn.this_year.start_year,
        to_year=turn.next_start,
        school_ids=turn.schools().values_list("pk", flat=True),
    )
    return created


# 6. The annual cycle ---------------------------------------------------------------------------


def _survey_cycle(turn):
    items = CycleItem.objects.filter(trust=turn.trust).count()
    tasks = CycleTask.objects.filter(
        trust=turn.trust, academic_year__start_year=turn.next_start
    ).count()
    if not items:
        return 0, 0, "The trust has no annual cycle items."
    if tasks:
        return 0, tasks, f"{tasks} task(s) dated for {turn.next_label} from {items} cycle item(s)."
    return items, 0, f"Date {items} cycle item(s) on {turn.next_label}'s terms."


def _run_cycle(turn, actor):
    return _cycle_generate(
        actor=actor, trust=turn.trust, academic_year=turn.next_year, schools=turn.schools()
    )


# 7. Governing-body terms of office -------------------------------------------------------------


def _survey_governors(turn):
    continuing, ending = terms_of_office_at_turn(
        turn.trust, turn.next_first_day - datetime.timedelta(days=1)
    )
    # Terms of office are dated, not yearly: those running on need no copy.
    return (
        0,
        0,
        f"{continuing} term(s) of office continue into {turn.next_label} unchanged; "
        f"{ending} end by {turn.next_first_day - datetime.timedelta(days=1):%d/%m/%Y} "
        "(reappoint on the governance pages).",
    )


def _run_governors(turn, actor):
    return 0


# 8. Peer-review triads and the rota --------------------------------------------------------------


def _survey_triads(turn):
    triads = Triad.objects.filter(trust=turn.trust, academic_year__start_year=turn.next_start)
    count = triads.count()
    if count:
        return 0, count, f"{count} triad(s) formed for {turn.next_label}."
    schools = turn.schools().count()
    if schools < 2:
        return 0, 0, "Peer review needs at least two schools."
    groups = len(rota_rules.group_sizes(schools))
    return (
        groups,
        0,
        f"Form {groups} triad(s) of {schools} schools, avoiding this year's groups, with one "
        "review per school (change them on the rota page after).",
    )


def _run_triads(turn, actor):
    if Triad.objects.filter(trust=turn.trust, academic_year=turn.next_year).exists():
        return 0
    schools = list(turn.schools().order_by("name"))
    if len(schools) < 2:
        return 0
    by_id = {s.pk: s for s in schools}
    groups = rota_rules.propose_triads(
        peer_selectors.school_infos(turn.trust, schools),
        last_year=peer_selectors.last_year_groups(turn.trust, turn.next_year),
        seed=turn.next_start,
    )
    _rota_create(
        actor=actor,
        trust=turn.trust,
        academic_year=turn.next_year,
        groups=[[by_id[i] for i in g] for g in groups],
        schools=schools,
    )
    return len(groups)


# The list --------------------------------------------------------------------------------------

# The pocket guide comes before the school plans: a plan copied into next year takes up the
# priorities of next year's guide.
STEPS = [
    Step("year", "Next academic year and its terms", _survey_year, _run_year),
    Step(
        "strategic",
        "Strategic plan and pocket guide as drafts",
        _survey_strategic,
        _run_strategic,
    ),
    Step("sefs", "Each school's SEF as next year's draft", _survey_sefs, _run_sefs),
    Step("plans", "Each school plan (SDP and BDP) as next year's draft", _survey_plans, _run_plans),
    Step(
        "targets", "KPI targets (trust defaults and school targets)", _survey_targets, _run_targets
    ),
    Step("cycle", "Annual cycle tasks on next year's dates", _survey_cycle, _run_cycle),
    Step("governors", "Governing-body terms of office", _survey_governors, _run_governors),
    Step("triads", "Peer-review triads and the rota", _survey_triads, _run_triads),
]


def turn_for(trust: Trust) -> Turn | None:
    """From the trust's current year to the next; None while no year is current."""
    this_year = AcademicYear.objects.filter(trust=trust, is_current=True).first()
    if this_year is None:
        return None
    next_start = this_year.start_year + 1
    next_year = AcademicYear.objects.filter(trust=trust, start_year=next_start).first()
    return Turn(trust, this_year, next_year, next_start)


def _state(to_create: int, existing: int) -> str:
    if to_create:
        return TO_DO
    return DONE if existing else NOTHING


def rollover_survey(turn: Turn) -> list[StepReport]:
    """What each step would do now, without writing."""
    reports = []
    for step in STEPS:
        to_create, existing, detail = step.survey(turn)
        reports.append(
            StepReport(
                step.key, step.title, _state(to_create, existing), to_create, existing, detail
            )
        )
    return reports


@dataclass
class RolloverResult:
    turn: Turn
    steps: list[StepReport] = field(default_factory=list)

    @property
    def failed(self) -> StepReport | None:
        return next((s for s in self.steps if s.state == FAILED), None)


def rollover_run(*, actor, trust: Trust) -> RolloverResult:
    """Do every step that has something to do, each in its own transaction, stopping at the
    first that fails (earlier steps stay done; the failed one is rolled back). Each step that
    created something records one roll-over event on next year, besides the audited rows."""
    require(rules.may_roll_over(actor, trust), rules.ROLL_OVER_REFUSED)
    turn = turn_for(trust)
    if turn is None:
        raise ValidationError("Make one academic year current before turning the year over.")
    result = RolloverResult(turn)
    for step in STEPS:
        if result.failed:
            result.steps.append(StepReport(step.key, step.title, NOT_REACHED))
            continue
        report = StepReport(step.key, step.title, DONE)
        try:
            with transaction.atomic():
                report.created = step.run(turn, actor)
                if report.created:
                    record_event(
                        actor=actor,
                        action=AuditAction.ROLL_OVER,
                        instance=turn.next_year,
                        before=None,
                        after={
                            "step": step.key,
                            "created": report.created,
                            "from": turn.this_year.label,
                        },
                    )
        except ValidationError as exc:
            report.state, report.error = FAILED, " ".join(exc.messages)
        except Exception:  # reported by step name; the traceback goes to the log
            logger.exception("Roll-over step %s failed for trust %s", step.key, trust.pk)
            report.state, report.error = FAILED, "An unexpected error stopped this step."
        if step.key == "year" and report.state == FAILED:
            turn.next_year = None
        result.steps.append(report)
    return result
