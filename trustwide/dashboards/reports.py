"""The head's termly report to local governors and the board report: one context builder
each, read from selectors only, rendered as HTML, PDF (WeasyPrint) and, for the board, Excel."""

from __future__ import annotations

from dataclasses import replace

from django.utils import timezone

from trustwide.common import paging
from trustwide.common.exports import build_xlsx
from trustwide.kpis import rules as kpi_rules
from trustwide.kpis.periods import PERIOD_CODES
from trustwide.planning import rules as planning_rules
from trustwide.planning import selectors as planning_selectors
from trustwide.trusts.utils import current_year, year_label

from . import charts, concerns, selectors


def _rating(r) -> str:
    return r.label if r else ""


def head_report_context(*, user, school, term) -> dict:
    """Exception-based: KPIs off target, the plan's RAG summary, monitoring done and due,
    questions for governors (from the data and from the head), the head's commentary."""
    year = term.academic_year if term else current_year(school.trust)
    start_year = year.start_year if year else timezone.localdate().year
    readings, period_label = _term_readings(school=school, start_year=start_year, term=term)
    exceptions, on_track = selectors.target_exceptions(readings)
    plan_row, previous = (
        selectors.school_rollup_row(user=user, school=school, term=term)
        if planning_rules.may_view_plans(user, school)
        else (None, None)
    )
    monitoring = (
        selectors.monitoring_for(user=user, school=school, term=term)
        if planning_rules.may_view_monitoring(user, school)
        else []
    )
    found = concerns.school_concerns(
        school=school, academic_year=start_year, readings=readings, limit=5
    )
    questions = [_question(c) for c in found[:4]]
    commentary = selectors.commentary_for(school=school, term=term)
    if commentary and commentary.challenge.strip():
        questions += [
            line.strip(" -•*") for line in commentary.challenge.splitlines() if line.strip(" -•*")
        ]
    chart = (
        charts.bar_chart(
            title=f"{school.name}: headline KPIs against target",
            items=[(r.kpi.name, r.value, r.display) for r in exceptions],
            summary=(
                f"{len(exceptions)} headline KPIs are below target or national; {on_track} are on or above."
                if exceptions
                else f"All {on_track} headline KPIs with a value are on or above target and national."
            ),
        )
        if exceptions
        else None
    )
    return {
        "school": school,
        "term": term,
        "year": year,
        "year_label": year_label(start_year),
        "period_label": period_label,
        "exceptions": exceptions,
        "on_track": on_track,
        "plan_row": plan_row,
        "previous_term": previous,
        "monitoring_done": [m for m in monitoring if m.done],
        "monitoring_due": [m for m in monitoring if not m.done],
        "questions": questions,
        "commentary": commentary,
        "chart": chart,
        "generated": timezone.now(),
    }


def _term_readings(*, school, start_year: int, term) -> tuple[list, str]:
    """The headline KPIs for the report's term: each KPI's value over that term (last year's
    column is the same term last year); KPIs measured once a year (statutory results, the next
    phase) keep the year's value. No term chosen: the whole year."""
    label = year_label(start_year)
    yearly = selectors.headline_readings(
        school=school, academic_year=start_year, with_percentiles=False
    )
    if term is None or term.name not in PERIOD_CODES:
        return yearly, f"the whole of {label}"
    termly = {
        r.kpi.code: r
        for r in selectors.headline_readings(
            school=school, academic_year=start_year, period=term.name, with_percentiles=False
        )
    }
    # A termly KPI with no figure for the term shows as such (no data), never the year's value.
    readings = [termly.get(r.kpi.code, r) if term.name in r.kpi.periods else r for r in yearly]
    if not any(t.computed for t in termly.values()):  # nothing computed per term (yet)
        return (
            yearly,
            f"the whole of {label} (no figures for the {term.get_name_display().lower()} term yet)",
        )
    return (
        readings,
        f"the {term.get_name_display().lower()} term {label} (results measured once a year: {label})",
    )


def _question(c: concerns.Concern) -> str:
    return {
        "national": f"{c.kpi.name} is below the national figure: what is the school doing about it, and by when?",
        "target": f"{c.kpi.name} is short of its target: is the plan's action enough to close the gap?",
        # A decline: a fall where higher is better, a rise where lower is better (absence).
        "trend": f"{c.kpi.name} {'rose' if c.kpi.better == 'lower' else 'fell'} since last year: why, and what has "
        "changed?",
        "gap": f"{c.title}, wider than national: how is the pupil premium or SEN funding used to close it?",
        "group": f"{c.title}: which pupils, and what support do they get?",
    }.get(c.kind, c.title)


def board_report_context(*, user, trust, year, term, hub_id=None, phase=None) -> dict:
    start_year = year.start_year if year else timezone.localdate().year
    rule = selectors.concern_rule(trust)
    dashboard = selectors.trust_dashboard(
        user=user, trust=trust, academic_year=start_year, hub_id=hub_id, phase=phase, rule=rule
    )
    rollup_rows, total, previous = selectors.plan_rollup(user=user, trust=trust, term=term)
    matrix = selectors.sef_matrix(user=user, trust=trust, year=year, hub_id=hub_id, phase=phase)
    trend, years = selectors.trust_year_trend(
        user=user, trust=trust, codes=[k.code for k in dashboard.kpis]
    )
    trend_charts = []
    for kpi in dashboard.kpis:
        if kpi.code in trend and len(trend[kpi.code]) > 0:
            trend_charts.append(
                charts.line_chart(
                    title=f"Trust {kpi.name.lower()} by year",
                    x_labels=[year_label(y) for y in years],
                    series=[("Trust", [trend[kpi.code].get(y) for y in years])],
                    unit=kpi.unit,
                    better=kpi.better,
                    decimals=kpi.decimals,
                )
            )
    return {
        "trust": trust,
        "year": year,
        "year_label": year_label(start_year),
        "term": term,
        "dashboard": dashboard,
        "rollup_rows": rollup_rows,
        "rollup_total": total,
        "previous_term": previous,
        "msp_cells": selectors.msp_rag(user=user, trust=trust, term=term),
        "matrix": matrix,
        "rule": rule,
        "schools_of_concern": selectors.schools_of_concern(
            rule=rule, dashboard=dashboard, rollup_rows=rollup_rows
        ),
        "trust_concerns": concerns.trust_concerns(dashboard=dashboard, limit=8),
        "trend_charts": trend_charts,
        "trust_level": kpi_rules.reads_trust_figures(user, trust.pk),
        "generated": timezone.now(),
    }


def board_report_page(context: dict, value: str | None, *, base_query: str) -> dict:
    """The board report's HTML page: one page of schools (common.paging, 25 a page, "all" for
    printing) in each school-by-school table (schools side by side, plan roll-up, SEF matrix), so
    page 2 shows the same schools in each. Schools in the schools table's order, then any only
    the roll-up or matrix holds (joined or left during the term). The trust row, the roll-up's
    hub and trust totals and the schools of concern (the ones needing attention) stay whole on
    every page; the PDF and Excel keep every row (board_report_context)."""
    dashboard, matrix, grouped = context["dashboard"], context["matrix"], context["rollup_rows"]
    rolled = planning_selectors.rollup_schools(grouped)
    order: dict[int, None] = {}
    for row in (*dashboard.rows, *rolled, *matrix.rows):
        order.setdefault(row.school.pk, None)
    page = paging.page_of(list(order), value, base_query=base_query, label="Pages of schools")
    shown = set(page.rows)
    return {
        **context,
        "page": page,
        "page_end": replace(page, label="Pages of schools (end of report)"),
        "school_rows": [r for r in dashboard.rows if r.school.pk in shown],
        "rollup_page": planning_selectors.with_hub_rows(
            grouped, [r for r in rolled if r.school.pk in shown]
        ),
        "matrix_rows": [r for r in matrix.rows if r.school.pk in shown],
    }


def board_report_xlsx(context: dict) -> bytes:
    dashboard = context["dashboard"]
    kpis = dashboard.kpis
    header = ["School", "Hub", "Phase"]
    for k in kpis:
        header += [
            f"{k.name}",
            f"{k.name}: {k.count_unit}",
            f"{k.name}: vs target",
            f"{k.name}: vs national",
            f"{k.name}: change",
        ]
    header.append("Data missing or late")

    def cells(readings):
        out = []
        for k in kpis:
            r = readings.get(k.code)
            out += [
                r.value if r else None,
                r.pupils if r and r.computed else None,
                _rating(r.target_rating) if r else "",
                _rating(r.national_rating) if r else "",
                round(r.change, 1) if r and r.change is not None else None,
            ]
        return out

    rows = [
        [
            row.school.name,
            row.school.hub.name if row.school.hub else "",
            row.school.get_phase_display(),
            *cells(row.readings),
            ", ".join(p.label for p in row.completeness.problems) if row.completeness else "",
        ]
        for row in dashboard.rows
    ]
    if dashboard.trust_readings:
        rows.append(["Trust", "", "", *cells(dashboard.trust_readings), ""])
    rollup = [
        [
            row.label,
            kind,
            row.priorities["red"],
            row.priorities["amber"],
            row.priorities["green"],
            row.priorities["blue"],
            row.overdue_actions,
        ]
        for kind, row in context["rollup_rows"]
    ]
    matrix = context["matrix"]
    sef_header = ["School", *[a.name for a in matrix.areas]]
    sef_rows = [
        [
            r.school.name,
            *[(c.grade.label if c.grade else "") if c.applies else "n/a" for c in r.cells],
        ]
        for r in matrix.rows
    ]
    concern_rows = [[s.school.name, "; ".join(s.reasons)] for s in context["schools_of_concern"]]
    return build_xlsx(
        [
            (f"Schools {context['year_label'].replace('/', '-')}", header, rows),
            (
                "Plan RAG",
                ["School or hub", "Row", "Red", "Amber", "Green", "Blue", "Overdue actions"],
                rollup,
            ),
            (
                "MSP RAG",
                ["Priority", "Rating", "Overridden", "Change since last term", "Driven by"],
                [
                    [
                        f"{c.priority.code}: {c.priority.title}",
                        c.rating.get_rating_display() if c.rating else "",
                        c.rating.override_reason if c.rating and not c.rating.is_derived else "",
                        c.change_label,
                        "; ".join(
                            f"{d['school']}: {d['plan_kind'].upper()} priority {d['number']}. "
                            f"{d['title']} ({d['rating']})"
                            for d in c.drivers
                        ),
                    ]
                    for c in context["msp_cells"]
                ],
            ),
            ("SEF matrix", sef_header, sef_rows),
            ("Schools of concern", ["School", "Why"], concern_rows),
            (
                "Trust concerns",
                ["Concern", "Evidence"],
                [[c.title, "; ".join(c.evidence)] for c in context["trust_concerns"]],
            ),
        ]
    )
