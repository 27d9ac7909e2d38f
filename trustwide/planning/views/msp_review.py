"""The termly RAG of the strategic plan: trust leaders rate every trust priority for a term."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from trustwide.common.views import ScopedViewMixin, deny_unless
from trustwide.trusts.models import Term
from trustwide.trusts.utils import current_term

from .. import msp_rag, rules, services
from ..models import MspRating, Rag, TrustPriority
from .strategic import _trust, _year


def _term(request, year) -> Term:
    terms = list(Term.objects.filter(academic_year=year).select_related("academic_year"))
    wanted = request.GET.get("term") or request.POST.get("term")
    if wanted:
        term = next((t for t in terms if t.name == wanted), None)
        if term is None:
            raise Http404("No such term.")
        return term
    term = current_term(terms)
    if term is None:
        raise Http404("The year has no terms yet.")
    return term


class MspTermlyReviewView(ScopedViewMixin, View):
    def _objects(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.may_rate_msp(request.user, trust.pk), rules.MSP_RATE_REFUSED)
        plan = trust.strategic_plans.first()
        if plan is None:
            raise Http404("Start the strategic plan first.")
        year = _year(trust, request)
        priorities = list(
            TrustPriority.objects.filter(strategic_plan=plan)
            .select_related("strategic_plan")
            .prefetch_related("indicators")
        )
        return trust, plan, year, _term(request, year), priorities

    def _rows(self, plan, term, priorities, posted=None, errors=None):
        inputs = msp_rag.school_inputs(plan, term)
        saved = {
            r.trust_priority_id: r
            for r in MspRating.objects.filter(trust_priority__strategic_plan=plan, term=term)
        }
        errors = errors or {}
        rows = []
        for p in priorities:
            rating = saved.get(p.pk)

            def value(prefix, stored, p=p):
                return posted.get(f"{prefix}_{p.pk}", "") if posted is not None else stored

            indicators = [
                {
                    "indicator": i,
                    "value": (
                        posted.get(f"ind_{i.pk}", "")
                        if posted is not None
                        else (rating.indicator_ratings.get(str(i.pk), "") if rating else "")
                    ),
                    "error": errors.get(f"indicator_{i.pk}"),
                }
                for i in p.indicators.all()
            ]
            schools = inputs.get(p.pk, [])
            central = [rating.central_rating if rating else None] + [
                i["value"] or None for i in indicators
            ]
            rows.append(
                {
                    "priority": p,
                    "saved": rating,
                    "schools": schools,
                    "drivers": msp_rag.drivers(schools),
                    "derived_now": msp_rag.derive(schools, central),
                    "rating": value("r", rating.rating if rating and not rating.is_derived else ""),
                    "reason": value("o", rating.override_reason if rating else ""),
                    "central": value("central", rating.central_rating if rating else ""),
                    "commentary": value("c", rating.commentary if rating else ""),
                    "indicators": indicators,
                    "error": errors.get(f"msp_{p.pk}"),
                    "central_error": errors.get(f"central_{p.pk}"),
                }
            )
        return rows

    def _render(self, request, trust, year, term, rows, errors=None, status=200):
        return render(
            request,
            "planning/msp_termly_review.html",
            {
                "trust": trust,
                "year": year,
                "term": term,
                "terms": list(year.terms.order_by("number")),
                "rows": rows,
                "choices": Rag.choices,
                "rule": msp_rag.RULE,
                "errors": errors,
            },
            status=status,
        )

    def get(self, request, slug):
        trust, plan, year, term, priorities = self._objects(request, slug)
        return self._render(request, trust, year, term, self._rows(plan, term, priorities))

    def post(self, request, slug):
        trust, plan, year, term, priorities = self._objects(request, slug)
        post = request.POST
        entries = [
            services.MspRatingInput(
                priority=p,
                rating=post.get(f"r_{p.pk}", "").strip() or None,
                override_reason=post.get(f"o_{p.pk}", "").strip(),
                central_rating=post.get(f"central_{p.pk}", "").strip() or None,
                indicator_ratings={
                    i.pk: post.get(f"ind_{i.pk}", "").strip()
                    for i in p.indicators.all()
                    if post.get(f"ind_{i.pk}", "").strip()
                },
                commentary=post.get(f"c_{p.pk}", ""),
            )
            for p in priorities
        ]
        try:
            services.msp_termly_review_save(
                actor=request.user, strategic_plan=plan, term=term, entries=entries
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            flat = {k: " ".join(v) for k, v in errors.items()}
            rows = self._rows(plan, term, priorities, posted=post, errors=flat)
            return self._render(request, trust, year, term, rows, errors=flat, status=400)
        messages.success(request, f"Strategic plan RAG for {term} saved.")
        url = reverse("planning:strategic-plan", args=[trust.slug])
        return redirect(f"{url}?year={year.start_year}#msp-rag")
