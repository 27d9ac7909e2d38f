"""What each standard agenda item shows, read from the other apps at the meeting's date:
plan RAG (planning roll-up; the trust's own meetings also get the strategic plan's stored RAG per
priority), KPIs (kpis selectors), risks (risk register), policies due for review (policy register)
and compliance tasks due (the annual cycle). Only what the viewer may see; never pupil names."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from trustwide.access import Perm, can
from trustwide.trusts.utils import academic_start_year

from .models import AgendaKind, CycleCategory, CycleTask


@dataclass
class DueRow:
    """One line of the "policies and compliance due" item: a policy review or a cycle task."""

    title: str
    due_on: datetime.date
    kind: str  # "policy" | "task"
    url: str = ""
    overdue: bool = False


@dataclass
class ItemData:
    kind: str
    rows: list = field(default_factory=list)
    total: object = None
    note: str = ""
    extra: dict = field(default_factory=dict)


def _term(trust, on: datetime.date):
    from trustwide.trusts.models import Term

    term = (
        Term.objects.filter(academic_year__trust=trust, starts_on__lte=on)
        .select_related("academic_year")
        .order_by("-starts_on")
        .first()
    )
    return term


def _due_until(trust, held_on: datetime.date, school=None) -> tuple[datetime.date, str]:
    """The end of the term the meeting falls in (or of the next term, if held in a holiday),
    on the school's own term dates for a school's committee; 60 days on when the trust has no
    term dates that far."""
    from trustwide.trusts.models import Term

    term = (
        Term.objects.filter(academic_year__trust=trust, ends_on__gte=held_on)
        .select_related("academic_year")
        .order_by("ends_on")
        .first()
    )
    if term is not None and school is not None:
        from trustwide.trusts.calendar import term_dates_for

        own = term_dates_for(school, term.academic_year).terms
        term = next((t for t in own if t.ends_on >= held_on), term)
    if term is None:
        until = held_on + datetime.timedelta(days=60)
        return until, f"by {until:%d/%m/%Y}"
    return term.ends_on, f"by the end of {term} ({term.ends_on:%d/%m/%Y})"


def _policies_due(user, meeting, school, data: ItemData) -> None:
    """Policies of the item's school (a local governing committee) or the trust-wide ones (the
    board or a committee) due for review by the end of term, overdue ones included; and the open
    compliance tasks of the annual cycle. A trust with no policy register yet still sees its
    cycle's policy tasks instead."""
    from django.urls import reverse

    from trustwide.policies import rules as policy_rules
    from trustwide.policies import selectors as policies

    trust = meeting.body.trust
    held_on = meeting.held_on
    until, when = _due_until(trust, held_on, school)
    if school is not None:
        allowed = policy_rules.may_see_school_register(user, school)
    else:
        allowed = policy_rules.may_see_register(user, trust)
    rows: list[DueRow] = []
    in_register = policies.has_register(trust)
    if allowed and in_register:
        for policy in policies.due_for_meeting(trust=trust, school=school, until=until):
            rows.append(
                DueRow(
                    title=f"Policy review: {policy.title}",
                    due_on=policy.next_review_on,
                    kind="policy",
                    url=reverse("policies:policy-detail", args=[policy.pk]),
                    overdue=policy.next_review_on < held_on,
                )
            )
    categories = (
        [CycleCategory.COMPLIANCE]
        if in_register
        else [CycleCategory.POLICY, CycleCategory.COMPLIANCE]
    )
    tasks = CycleTask.objects.filter(
        trust=trust, item__category__in=categories, completed_on__isnull=True, due_on__lte=until
    )
    tasks = tasks.filter(school=school) if school is not None else tasks.filter(school__isnull=True)
    for task in tasks.order_by("due_on")[:20]:
        rows.append(
            DueRow(title=task.title, due_on=task.due_on, kind="task", overdue=task.due_on < held_on)
        )
    data.rows = sorted(rows, key=lambda row: (row.due_on, row.title))
    if in_register:
        data.note = (
            f"Policies due for review {when} or overdue (policy register), and open compliance tasks "
            "of the annual cycle."
        )
        if not allowed:
            data.note += " You may not see the policy register here."
    else:
        data.note = f"Open policy and compliance tasks of the annual cycle due {when}."


def item_data(user, meeting, item) -> ItemData:
    body = meeting.body
    trust = body.trust
    school = item.school
    data = ItemData(kind=item.kind)
    if item.kind == AgendaKind.PLAN_RAG:
        from trustwide.planning import selectors as planning

        term = _term(trust, meeting.held_on)
        if term is None:
            data.note = "No term of the trust's calendar has started by this date."
            return data
        rows, total, before = planning.rollup(user=user, trust=trust, term=term)
        schools = [
            row
            for level, row in rows
            if level == "school" and (school is None or row.school.pk == school.pk)
        ]
        data.rows, data.total = schools, (total if school is None else None)
        data.note = f"Ratings for {term}" + (f", change since {before}" if before else "") + "."
        if school is None:  # the trust's own meetings also see the strategic plan's RAG
            data.extra["msp"] = planning.msp_rag_for_term(user=user, trust=trust, term=term)
            data.extra["msp_term"] = term
    elif item.kind == AgendaKind.KPIS:
        from trustwide.kpis import selectors as kpis

        year = academic_start_year(meeting.held_on)
        if school is not None:
            if not can(user, Perm.KPI_VIEW, school):
                data.note = "You may not see this school's KPIs."
                return data
            data.rows = kpis.school_readings(
                school=school, academic_year=year, codes=kpis.BIG_FIVE, with_percentiles=False
            )
        else:
            rows, trust_readings = kpis.trust_school_table(
                user=user, trust=trust, academic_year=year
            )
            data.rows = list(trust_readings.values())
            data.note = "" if trust_readings else "You may not see the trust's KPIs."
    elif item.kind == AgendaKind.RISKS:
        from trustwide.risks import rules as risk_rules
        from trustwide.risks import selectors as risks

        if school is not None:
            if not risk_rules.may_see_school_register(user, school):
                data.note = risk_rules.SCHOOL_REGISTER_REFUSED
                return data
            data.rows = risks.active_school_risks(school)
        elif risk_rules.sees_whole_trust_register(user, trust):
            own, rolled, threshold = risks.trust_register(trust)
            data.rows = [r for r in own if r.status != "closed"] + rolled
            data.note = f"Trust risks and school risks scoring {threshold} or more."
        else:
            data.note = "You may not see the trust register."
    elif item.kind == AgendaKind.POLICIES_DUE:
        _policies_due(user, meeting, school, data)
    return data
