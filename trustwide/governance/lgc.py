"""Reading a local governing committee's report to the trust board: what it says about its
school for a term (each SIP and BDP priority's RAG and completion, the school's risks at or
above the trust's threshold, KPIs below target) and which reports the board sees. A draft
reads these live; a submitted report shows the `content` stored when it was submitted."""

from __future__ import annotations

from django.db.models import Count, Q

from trustwide.access import Perm, can, restrict

from .models import BodyKind, LgcReport, LgcReportStatus

SECTION_PERMS = {"plans": Perm.PLAN_VIEW, "risks": Perm.RISK_VIEW, "kpis": Perm.KPI_VIEW}


def reports_for(user) -> object:
    return restrict(LgcReport.objects.all(), user, Perm.GOVERNANCE_VIEW)


def _plans(school, term) -> list[dict]:
    from trustwide.planning.models import Priority, RagRating, RatedKind, SchoolPlan
    from trustwide.planning.models.plans import ActionStatus

    plans = list(
        SchoolPlan.objects.filter(school=school, academic_year_id=term.academic_year_id).order_by(
            "kind"
        )
    )
    priorities = list(
        Priority.objects.filter(plan__in=plans)
        .annotate(
            actions_total=Count("actions", filter=~Q(actions__status=ActionStatus.DROPPED)),
            actions_done=Count("actions", filter=Q(actions__status=ActionStatus.COMPLETE)),
        )
        .order_by("plan__kind", "number")
    )
    ratings = {
        r.priority_id: r
        for r in RagRating.objects.filter(
            term=term, kind=RatedKind.PRIORITY, priority__in=priorities
        )
    }
    out = []
    for plan in plans:
        rows = []
        for p in priorities:
            if p.plan_id != plan.pk:
                continue
            r = ratings.get(p.pk)
            rows.append(
                {
                    "number": p.number,
                    "title": p.title,
                    "rating": r.rating if r else "",
                    "rating_label": r.get_rating_display() if r else "Not rated",
                    "commentary": r.commentary if r else "",
                    "actions_done": p.actions_done,
                    "actions_total": p.actions_total,
                }
            )
        out.append({"kind": plan.get_kind_short(), "title": str(plan), "priorities": rows})
    return out


def _risks(school) -> dict:
    from trustwide.risks import selectors as risks
    from trustwide.risks.models import Risk

    threshold = risks.threshold_for(school.trust)
    rows = (
        Risk.objects.filter(school=school, status__in=risks.ACTIVE, residual_score__gte=threshold)
        .order_by("-residual_score", "title")
        .values("title", "residual_score")
    )
    return {
        "threshold": threshold,
        "rows": [{"title": r["title"], "score": r["residual_score"]} for r in rows],
    }


def _kpis(school, term) -> list[dict]:
    from trustwide.kpis import selectors as kpis

    readings = kpis.school_readings(
        school=school, academic_year=term.academic_year.start_year, with_percentiles=False
    )
    return [
        {
            "name": r.kpi.name,
            "display": r.display,
            "target": r.target,
            "rating": r.target_rating.colour,
            "rule": r.target_rating.rule,
        }
        for r in readings
        if r.target_rating is not None and r.target_rating.colour in ("red", "amber")
    ]


def report_content(report: LgcReport) -> dict:
    """The report's figures: stored once submitted, read live while a draft."""
    if report.status == LgcReportStatus.SUBMITTED:
        return report.content
    school, term = report.body.school, report.term
    return {
        "term": str(term),
        "plans": _plans(school, term),
        "risks": _risks(school),
        "kpis": _kpis(school, term),
    }


def visible_sections(user, school) -> dict[str, bool]:
    """Which sections the reader may see: the plans, risks and KPIs of the school follow their
    own permissions (a clerk, who reads governance only, sees the governors' text)."""
    return {name: can(user, perm, school) for name, perm in SECTION_PERMS.items()}


def content_for(user, school, content: dict) -> dict:
    """The report's content less the sections the reader may not see."""
    shown = visible_sections(user, school)
    return {k: v for k, v in content.items() if shown.get(k, True)}


def board_reports(trust, term) -> list[LgcReport]:
    """Every local governing committee of the trust with its submitted report for the term
    (None where none has been submitted yet), in school order."""
    from .models import GoverningBody

    bodies = list(
        GoverningBody.objects.filter(trust=trust, kind=BodyKind.LGC)
        .select_related("school")
        .order_by("school__name", "name")
    )
    submitted = {
        r.body_id: r
        for r in LgcReport.objects.filter(
            body__in=bodies, term=term, status=LgcReportStatus.SUBMITTED
        )
        .select_related("submitted_by")
        .prefetch_related(
            "conflicts__trust_priority", "conflicts__school_priority", "replies__author"
        )
    }
    return [(body, submitted.get(body.pk)) for body in bodies]
