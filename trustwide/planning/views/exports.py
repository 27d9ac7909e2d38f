"""The plan as PDF and as Excel."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common import pdfs
from trustwide.common.exports import build_xlsx, xlsx_response
from trustwide.common.views import ScopedViewMixin

from .. import selectors
from ..models import SchoolPlan
from .plans import _attach_ratings


def _plan_context(request, pk):
    return plan_context(request.user, pk)


def plan_context(user, pk) -> dict:
    plan = selectors.plan_with_contents(user=user, pk=pk)
    terms = list(plan.academic_year.terms.all())
    _attach_ratings(plan, terms)
    costs, total = selectors.plan_costs(plan)
    return {
        "plan": plan,
        "school": plan.school,
        "terms": terms,
        "priorities": list(plan.priorities.all()),
        "costs": costs,
        "cost_total": total,
        "today": timezone.localdate(),
    }


def _filename(plan, ext: str) -> str:
    return (
        f"{plan.get_kind_short().lower()}-{plan.school.urn}-{plan.academic_year.start_year}.{ext}"
    )


def plan_pdf(user, *, plan: int):
    """The plan as PDF, built in the task worker (common.pdfs) with the requester's access."""
    context = plan_context(user, plan)
    return "planning/pdf/plan.html", context, _filename(context["plan"], "pdf")


class PlanPdfView(ScopedViewMixin, View):
    def get(self, request, pk):
        plan = get_object_or_404_for(
            request.user, Perm.PLAN_VIEW, SchoolPlan.objects.select_related("school"), pk=pk
        )
        return pdfs.serve(
            request,
            builder="trustwide.planning.views.exports.plan_pdf",
            params={"plan": plan.pk},
            trust_id=plan.school.trust_id,
            title=str(plan),
            back_url=reverse("planning:plan-detail", args=[plan.pk]),
        )


def _rating_cells(item, terms):
    return [(r.rating if r else "") for r in item.rag_terms]


class PlanXlsxView(ScopedViewMixin, View):
    def get(self, request, pk):
        context = _plan_context(request, pk)
        plan, terms, priorities = context["plan"], context["terms"], context["priorities"]
        term_names = [f"RAG {t.get_name_display()}" for t in terms]
        priority_rows, action_rows, criterion_rows, milestone_rows = [], [], [], []
        for p in priorities:
            priority_rows.append(
                [
                    p.number,
                    p.title,
                    ", ".join(tp.code for tp in p.trust_priorities.all()),
                    ", ".join(p.sef_area_codes),
                    p.intended_outcomes,
                    p.lead.full_name if p.lead else "",
                    p.impact_statement,
                    *_rating_cells(p, terms),
                ]
            )
            for a in p.actions.all():
                action_rows.append(
                    [
                        p.number,
                        a.what,
                        a.how,
                        a.owner.full_name if a.owner else "",
                        a.supporters,
                        a.starts_on,
                        a.due_on,
                        float(a.cost),
                        float(a.spent),
                        a.budget_line,
                        float(a.staff_days),
                        a.get_status_display(),
                        *_rating_cells(a, terms),
                    ]
                )
            for c in p.criteria.all():
                criterion_rows.append(
                    [
                        p.number,
                        c.description,
                        c.measure,
                        c.get_measure_kind_display(),
                        c.baseline,
                        c.target,
                        c.target_date,
                        c.owner.full_name if c.owner else "",
                        c.kpi_code,
                        "; ".join(problem.message for problem in c.smart_problems) or "SMART",
                        *_rating_cells(c, terms),
                    ]
                )
            for m in p.milestones.all():
                milestone_rows.append(
                    [
                        p.number,
                        m.term.get_name_display(),
                        m.description,
                        "Yes" if m.achieved else "No",
                    ]
                )
        cost_rows = [
            [c.budget_line, c.actions, float(c.planned), float(c.spent), float(c.remaining)]
            for c in context["costs"]
        ]
        total = context["cost_total"]
        cost_rows.append(
            [
                "Total",
                total.actions,
                float(total.planned),
                float(total.spent),
                float(total.remaining),
            ]
        )
        data = build_xlsx(
            [
                (
                    "Priorities",
                    [
                        "No.",
                        "Priority",
                        "Trust priorities",
                        "SEF areas",
                        "Intended outcomes",
                        "Lead",
                        "Impact",
                        *term_names,
                    ],
                    priority_rows,
                ),
                (
                    "Actions",
                    [
                        "Priority",
                        "What",
                        "How",
                        "Owner",
                        "Supporters",
                        "Start",
                        "Due",
                        "Cost (£)",
                        "Spent (£)",
                        "Budget line",
                        "Staff days",
                        "Status",
                        *term_names,
                    ],
                    action_rows,
                ),
                (
                    "Success criteria",
                    [
                        "Priority",
                        "Criterion",
                        "Measure",
                        "Kind",
                        "Baseline",
                        "Target",
                        "Date",
                        "Owner",
                        "KPI",
                        "SMART check",
                        *term_names,
                    ],
                    criterion_rows,
                ),
                ("Milestones", ["Priority", "Term", "Milestone", "Achieved"], milestone_rows),
                (
                    "Costs",
                    ["Budget line", "Actions", "Planned (£)", "Spent (£)", "Remaining (£)"],
                    cost_rows,
                ),
            ]
        )
        return xlsx_response(data, _filename(plan, "xlsx"))
