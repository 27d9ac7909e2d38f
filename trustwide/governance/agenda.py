"""What each standard agenda item shows, read from the other apps at the meeting's date:
plan RAG (planning roll-up), KPIs (kpis selectors), risks (risk register) and policies and
compliance tasks due (the annual cycle). Only what the viewer may see; never pupil names."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from trustwide.access import Perm, can, can_in_trust

from .models import AgendaKind, CycleCategory, CycleTask


@dataclass
class ItemData:
    kind: str
    rows: list = field(default_factory=list)
    total: object = None
    note: str = ""
    extra: dict = field(default_factory=dict)


def _term(trust, on: datetime.date):
    from trustwide.trusts.models import Term

    term = (Term.objects.filter(academic_year__trust=trust, starts_on__lte=on).select_related("academic_year")
            .order_by("-starts_on").first())
    return term


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
        schools = [row for level, row in rows if level == "school" and (school is None or row.school.pk == school.pk)]
        data.rows, data.total = schools, (total if school is None else None)
        data.note = f"Ratings for {term}" + (f", change since {before}" if before else "") + "."
    elif item.kind == AgendaKind.KPIS:
        from trustwide.kpis import selectors as kpis

        year = meeting.held_on.year if meeting.held_on.month >= 9 else meeting.held_on.year - 1
        if school is not None:
            if not can(user, Perm.KPI_VIEW, school):
                data.note = "You may not see this school's KPIs."
                return data
            data.rows = kpis.school_readings(school=school, academic_year=year, codes=kpis.BIG_FIVE,
                                             with_percentiles=False)
        else:
            rows, trust_readings = kpis.trust_school_table(user=user, trust=trust, academic_year=year)
            data.rows = list(trust_readings.values())
            data.note = "" if trust_readings else "You may not see the trust's KPIs."
    elif item.kind == AgendaKind.RISKS:
        from trustwide.risks import selectors as risks

        if school is not None:
            if not can(user, Perm.RISK_VIEW, school):
                data.note = "You may not see this school's risks."
                return data
            data.rows = risks.active_school_risks(school)
        elif can_in_trust(user, Perm.RISK_VIEW, trust.pk):
            own, rolled, threshold = risks.trust_register(trust)
            data.rows = [r for r in own if r.status != "closed"] + rolled
            data.note = f"Trust risks and school risks scoring {threshold} or more."
        else:
            data.note = "You may not see the trust register."
    elif item.kind == AgendaKind.POLICIES_DUE:
        until = meeting.held_on + datetime.timedelta(days=60)
        tasks = CycleTask.objects.filter(
            trust=trust, item__category__in=[CycleCategory.POLICY, CycleCategory.COMPLIANCE],
            completed_on__isnull=True, due_on__lte=until)
        tasks = tasks.filter(school=school) if school is not None else tasks.filter(school__isnull=True)
        data.rows = list(tasks.select_related("school").order_by("due_on")[:20])
        data.note = "Open policy and compliance tasks of the annual cycle due by " + until.strftime("%d/%m/%Y") + "."
    return data

