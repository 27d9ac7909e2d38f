"""A meeting's papers as plain data: each agenda item with the figures it shows (agenda.py),
and the local governing committees' reports to the board for the meeting's term. The same
dict is rendered live for a planned meeting and stored (MeetingPapers) when the meeting is
held, so a held meeting's papers page renders what the meeting saw, not today's figures."""

from __future__ import annotations

import datetime

from django.urls import reverse

from trustwide.access import Perm, can
from trustwide.planning.models import PlanReview, ReviewKind, ReviewStatus
from trustwide.trusts.utils import academic_start_year

from . import agenda, lgc
from .models import AgendaKind, LgcReport, LgcReportStatus, MeetingPapers

# What each item kind's figures need, checked again when frozen papers are read.
ITEM_PERMS = {
    AgendaKind.PLAN_RAG: Perm.PLAN_VIEW,
    AgendaKind.KPIS: Perm.KPI_VIEW,
    AgendaKind.RISKS: Perm.RISK_VIEW,
    AgendaKind.POLICIES_DUE: Perm.POLICY_VIEW,
}
HIDDEN_NOTE = "You may not see the figures of this item."


def _rows(kind: str, data) -> list[dict]:
    if kind == AgendaKind.PLAN_RAG:
        return [
            {
                "label": r.label,
                "priorities": dict(r.priorities),
                "items": dict(r.items),
                "overdue_actions": r.overdue_actions,
            }
            for r in data.rows
        ]
    if kind == AgendaKind.KPIS:
        return [{"name": r.kpi.name, "display": r.display} for r in data.rows]
    if kind == AgendaKind.RISKS:
        return [
            {
                "title": r.title,
                "where": r.school.name if r.school_id else "Trust",
                "band": r.residual_band[0],
                "band_label": r.residual_band[1],
                "score": r.residual_score,
                "review_on": r.review_on.isoformat() if r.review_on else "",
                "url": reverse("risks:risk-detail", args=[r.pk]),
            }
            for r in data.rows
        ]
    if kind == AgendaKind.POLICIES_DUE:
        return [
            {
                "title": r.title,
                "due_on": r.due_on.isoformat(),
                "url": r.url,
                "overdue": r.overdue,
            }
            for r in data.rows
        ]
    return []


def _term_of(meeting):
    return agenda._term(meeting.body.trust, meeting.held_on)


def _reports(meeting) -> list[dict]:
    """Submitted reports for the meeting's term: every school's for the board or a
    committee, the committee's own for a local governing committee."""
    term = _term_of(meeting)
    if term is None:
        return []
    reports = LgcReport.objects.filter(
        body__trust=meeting.body.trust, term=term, status=LgcReportStatus.SUBMITTED
    ).select_related("body__school", "submitted_by")
    if meeting.body.school_id:
        reports = reports.filter(body__school_id=meeting.body.school_id)
    out = []
    for r in reports.prefetch_related("conflicts__trust_priority", "conflicts__school_priority"):
        out.append(
            {
                "school": r.body.school.name,
                "school_id": r.body.school_id,
                "summary": r.summary,
                "submitted_on": r.submitted_at.date().isoformat() if r.submitted_at else "",
                "content": r.content,
                "conflicts": [
                    {
                        "trust_priority": str(c.trust_priority),
                        "school_priority": str(c.school_priority),
                        "reasoning": c.reasoning,
                    }
                    for c in r.conflicts.all()
                ],
            }
        )
    return out


def _reviews(meeting) -> list[dict]:
    """Year-end plan reviews for the meeting (seed 004, October): a local governing
    committee's meeting has its school's reviews sent for scrutiny; the board's has last
    year's reviews the committees have scrutinised."""
    reviews = PlanReview.objects.filter(
        kind=ReviewKind.YEAR_END, plan__school__trust_id=meeting.body.trust_id
    ).select_related("plan__school", "plan__academic_year")
    if meeting.body.school_id:
        reviews = reviews.filter(
            plan__school_id=meeting.body.school_id, status=ReviewStatus.SUBMITTED
        )
    else:
        reviews = reviews.filter(
            status=ReviewStatus.SCRUTINISED,
            plan__academic_year__start_year=academic_start_year(meeting.held_on) - 1,
        )
    return [
        {
            "school": r.plan.school.name,
            "school_id": r.plan.school_id,
            "title": f"{r.plan.title} ({r.plan.academic_year.label})",
            "status": r.get_status_display(),
            "conclusions": r.conclusions,
            "scrutiny": r.scrutiny_notes,
            "url": reverse("planning:review-detail", args=[r.pk]),
        }
        for r in reviews.order_by("plan__school__name", "plan__kind")
    ]


def body_reader(meeting):
    """Who the frozen papers are built for: the meeting's own body (a local governor of the
    school for a local governing committee, a trustee for the board and its committees), so
    the evidence kept does not depend on who marked the meeting held."""
    from trustwide.access import RoleReader
    from trustwide.accounts.roles import Role, ScopeLevel

    body = meeting.body
    if body.school_id:
        return RoleReader(
            Role.LOCAL_GOVERNOR,
            ScopeLevel.SCHOOL,
            trust_id=body.trust_id,
            hub_id=body.school.hub_id,
            school_id=body.school_id,
        )
    return RoleReader(Role.TRUSTEE, ScopeLevel.TRUST, trust_id=body.trust_id)


def build(user, meeting) -> dict:
    """The papers as `user` sees them today."""
    items = []
    for item in meeting.agenda_items.select_related("school").order_by("number", "pk"):
        data = agenda.item_data(user, meeting, item)
        items.append(
            {
                "number": item.number,
                "kind": item.kind,
                "title": item.title,
                "school": item.school.name if item.school_id else "",
                "school_id": item.school_id,
                "notes": item.notes,
                "note": data.note,
                "rows": _rows(item.kind, data),
            }
        )
    return {
        "meeting": {
            "title": meeting.title,
            "body": meeting.body.name,
            "held_on": meeting.held_on.isoformat(),
            "location": meeting.location,
        },
        "items": items,
        "reports": _reports(meeting),
        "reviews": _reviews(meeting),
    }


def has_papers(data: dict) -> bool:
    return bool(data["items"] or data["reports"] or data.get("reviews"))


def _for_reader(user, meeting, data: dict) -> dict:
    """Frozen papers, less the figures the reader may not see today (the freezer may have
    seen more): each item's figures and each report's sections follow their permissions."""
    trust = meeting.body.trust
    schools = {s.pk: s for s in trust.schools.all()}
    items = []
    for item in data["items"]:
        perm = ITEM_PERMS.get(item["kind"])
        where = schools.get(item["school_id"]) if item["school_id"] else trust
        if perm and item["rows"] and not can(user, perm, where):
            item = {**item, "rows": [], "note": HIDDEN_NOTE}
        items.append(item)
    reports = []
    for report in data["reports"]:
        school = schools.get(report["school_id"])
        reports.append({**report, "content": lgc.content_for(user, school, report["content"])})
    reviews = [
        r
        for r in data.get("reviews", [])
        if (school := schools.get(r["school_id"])) is not None and can(user, Perm.PLAN_VIEW, school)
    ]
    return {**data, "items": items, "reports": reports, "reviews": reviews}


def frozen_for(user, meeting) -> tuple[dict | None, MeetingPapers | None]:
    """(frozen papers as the reader may see them, the record), or (None, None)."""
    frozen = MeetingPapers.objects.filter(meeting=meeting).select_related("frozen_by").first()
    if frozen is None:
        return None, None
    return _for_reader(user, meeting, frozen.data), frozen


def papers_for(user, meeting) -> tuple[dict, MeetingPapers | None]:
    """(papers, the frozen record): the stored papers of a held meeting, else today's."""
    data, frozen = frozen_for(user, meeting)
    if frozen is None:
        data = _for_reader(user, meeting, build(user, meeting))
    return data, frozen


def as_dates(data: dict) -> dict:
    """Turn the stored ISO dates back into dates for the templates."""
    meeting = {
        **data["meeting"],
        "held_on": datetime.date.fromisoformat(data["meeting"]["held_on"]),
    }
    items = []
    for item in data["items"]:
        rows = [
            {
                **row,
                **{
                    k: datetime.date.fromisoformat(row[k])
                    for k in ("due_on", "review_on")
                    if row.get(k)
                },
            }
            for row in item["rows"]
        ]
        items.append({**item, "rows": rows})
    reports = [
        {
            **r,
            "submitted_on": datetime.date.fromisoformat(r["submitted_on"])
            if r["submitted_on"]
            else None,
        }
        for r in data["reports"]
    ]
    return {**data, "meeting": meeting, "items": items, "reports": reports}


def render_papers_pdf(data: dict) -> bytes:
    """The pack as a PDF through the shared WeasyPrint helper. Kept as one small function so
    the rendering can move to a background task later without touching the callers."""
    from trustwide.common.exports import render_pdf

    return render_pdf("governance/papers_pdf.html", {"papers": as_dates(data)})
