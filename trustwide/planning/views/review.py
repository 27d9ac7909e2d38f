"""The termly review: rate every action, success criterion and priority of a plan for a term."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from trustwide.common.views import ScopedViewMixin, deny_unless
from trustwide.trusts.calendar import term_dates_for
from trustwide.trusts.utils import current_term

from .. import rag, rules, selectors, services
from ..models import Rag, RatedKind


def _term(plan, request, terms):
    wanted = request.GET.get("term") or request.POST.get("term")
    if wanted:
        for t in terms:
            if t.name == wanted:
                return t
        raise Http404("No such term.")
    # The term under way on the school's own dates (it may keep other dates than the trust's).
    under_way = current_term(term_dates_for(plan.school, plan.academic_year).terms)
    return next((t for t in terms if under_way and t.pk == under_way.pk), current_term(terms))


def _rows(plan, term, terms, posted=None, errors=None):
    """One row per rated thing, with its saved or posted values and any error."""
    table = selectors.ratings_by_subject(plan)
    index = [t.pk for t in terms].index(term.pk)
    previous_term = terms[index - 1] if index else None
    errors = errors or {}
    today = timezone.localdate()
    on = rag.review_date(term.ends_on, today)
    rows = []

    def row(kind, obj, label, extra=""):
        key = f"{kind}_{obj.pk}"
        saved = table.get((kind, obj.pk), {}).get(term.pk)
        before = table.get((kind, obj.pk), {}).get(previous_term.pk) if previous_term else None
        if posted is not None:
            values = {
                "rating": posted.get(f"r_{key}", ""),
                "commentary": posted.get(f"c_{key}", ""),
                "evidence": posted.get(f"e_{key}", ""),
                "reason": posted.get(f"o_{key}", ""),
            }
        else:
            values = {
                "rating": (
                    saved.rating
                    if saved and not (kind == RatedKind.PRIORITY and saved.is_derived)
                    else ""
                )
                if saved
                else "",
                "commentary": saved.commentary if saved else "",
                "evidence": saved.evidence if saved else "",
                "reason": saved.override_reason if saved else "",
            }
        rows.append(
            {
                "kind": kind,
                "obj": obj,
                "key": key,
                "label": label,
                "extra": extra,
                "saved": saved,
                "previous": before,
                "error": errors.get(key),
                **values,
            }
        )

    for priority in plan.priorities.all():
        row(RatedKind.PRIORITY, priority, f"{priority.number}. {priority.title}")
        for action in priority.actions.all():
            extra = ""
            if action.is_overdue(on):
                extra = (
                    f"Overdue: due {action.due_on:%d/%m/%Y}, {action.get_status_display().lower()}"
                )
            elif action.due_on:
                extra = f"Due {action.due_on:%d/%m/%Y}, {action.get_status_display().lower()}"
            row(RatedKind.ACTION, action, action.what, extra)
        for criterion in priority.criteria.all():
            target = f"target {criterion.target}" if criterion.target else "no target"
            row(RatedKind.CRITERION, criterion, criterion.description, target)
    return rows


class TermlyReviewView(ScopedViewMixin, View):
    def _plan(self, request, pk):
        plan = selectors.plan_with_contents(user=request.user, pk=pk)
        deny_unless(rules.may_rag_rate(request.user, plan.school), rules.RAG_RATE_REFUSED)
        terms = list(plan.academic_year.terms.all())
        return plan, terms, _term(plan, request, terms)

    def _render(self, request, plan, terms, term, rows, status=200, errors=None):
        return render(
            request,
            "planning/termly_review.html",
            {
                "plan": plan,
                "terms": terms,
                "term": term,
                "rows": rows,
                "choices": Rag.choices,
                "rule": rag.DERIVATION_RULE,
                "errors": errors,
            },
            status=status,
        )

    def get(self, request, pk):
        plan, terms, term = self._plan(request, pk)
        return self._render(request, plan, terms, term, _rows(plan, term, terms))

    def post(self, request, pk):
        plan, terms, term = self._plan(request, pk)
        entries = []
        for priority in plan.priorities.all():
            subjects = (
                [(RatedKind.PRIORITY, priority)]
                + [(RatedKind.ACTION, a) for a in priority.actions.all()]
                + [(RatedKind.CRITERION, c) for c in priority.criteria.all()]
            )
            for kind, obj in subjects:
                key = f"{kind}_{obj.pk}"
                entries.append(
                    services.RatingInput(
                        subject=obj,
                        rating=request.POST.get(f"r_{key}", "").strip() or None,
                        commentary=request.POST.get(f"c_{key}", "").strip(),
                        evidence=request.POST.get(f"e_{key}", "").strip(),
                        override_reason=request.POST.get(f"o_{key}", "").strip(),
                    )
                )
        # Actions and criteria come before priorities, so priorities derive from fresh ratings.
        try:
            services.termly_review_save(actor=request.user, plan=plan, term=term, entries=entries)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            flat = {k: " ".join(v) for k, v in errors.items()}
            rows = _rows(plan, term, terms, posted=request.POST, errors=flat)
            return self._render(request, plan, terms, term, rows, status=400, errors=flat)
        messages.success(request, f"{term} review saved.")
        return redirect(reverse("planning:plan-detail", args=[plan.pk]) + "#rag")
