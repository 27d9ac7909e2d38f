"""Trust-level pages: strategic plan, pocket guide, judgement scale, roll-up."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.access.scope import school_ids
from trustwide.common import pagecache, paging, pdfs
from trustwide.common.views import ScopedViewMixin, deny_unless, form_page
from trustwide.trusts.models import AcademicYear, School, Term, Trust
from trustwide.trusts.utils import chosen_year, default_year

from .. import msp_rag, rag, rules, selectors, services
from ..forms import PocketGuideForm, ScaleForm, StrategicPlanForm, TrustPriorityForm
from ..models import PlanKind, SchoolPlan, TrustPriority


def _trust(request, slug, perm=Perm.STRATEGIC_PLAN_VIEW, trusts=Trust) -> Trust:
    trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, trusts, slug=slug)
    deny_unless(rules.may_view_in_trust(request.user, trust, perm), rules.TRUST_PAGE_HIDDEN)
    return trust


def _year(trust, request) -> AcademicYear:
    years = trust.academic_years.all()
    wanted = request.GET.get("year")
    if wanted and wanted.isdigit():
        year = years.filter(start_year=int(wanted)).first()
        if year is None:
            raise Http404("No such academic year.")
        return year
    year = default_year(years)
    if year is None:
        raise Http404("The trust has no academic years yet.")
    return year


class StrategicPlanView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug)
        plan = selectors.current_strategic_plan(user=request.user, trust=trust)
        themes: dict[str, list[TrustPriority]] = {}
        if plan:
            for p in plan.priorities.all():
                themes.setdefault(p.theme, []).append(p)
        years = list(trust.academic_years.all())
        year = chosen_year(years, request.GET.get("year"))
        terms, rag_cells = (
            selectors.msp_rag_grid(user=request.user, strategic_plan=plan, academic_year=year)
            if plan and year
            else ([], {})
        )
        return render(
            request,
            "planning/strategic_plan.html",
            {
                "trust": trust,
                "plan": plan,
                "themes": themes,
                "can_edit": rules.may_edit_strategic_plan(request.user, trust.pk),
                "can_rate": rules.may_rate_msp(request.user, trust.pk),
                "guides": list(plan.pocket_guides.select_related("academic_year")) if plan else [],
                "year": year,
                "years": years,
                "terms": terms,
                "rag_cells": rag_cells,
                "rag_rule": msp_rag.RULE,
            },
        )


class StrategicPlanEditView(ScopedViewMixin, View):
    def dispatch_trust(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(
            rules.may_edit_strategic_plan(request.user, trust.pk), rules.STRATEGIC_EDIT_REFUSED
        )
        return trust, selectors.current_strategic_plan(user=request.user, trust=trust)

    def get(self, request, slug):
        return self.handle(request, slug)

    def post(self, request, slug):
        return self.handle(request, slug)

    def handle(self, request, slug):
        trust, plan = self.dispatch_trust(request, slug)
        form = StrategicPlanForm(
            request.POST or None, instance=type(plan).objects.get(pk=plan.pk) if plan else None
        )

        def save(form):
            data = {k: form.cleaned_data[k] for k in StrategicPlanForm.Meta.fields}
            if plan:
                services.strategic_plan_update(actor=request.user, plan=plan, **data)
            else:
                services.strategic_plan_create(actor=request.user, trust=trust, **data)

        return form_page(
            request,
            form,
            save,
            success_url=reverse("planning:strategic-plan", args=[slug]),
            context={
                "title": "Edit the strategic plan" if plan else "Start the strategic plan",
                "back_url": reverse("planning:strategic-plan", args=[slug]),
                "back": "Strategic plan",
            },
        )


class TrustPriorityFormView(ScopedViewMixin, View):
    def _objects(self, request, slug=None, pk=None):
        if pk is not None:
            priority = get_object_or_404_for(
                request.user,
                Perm.STRATEGIC_PLAN_VIEW,
                TrustPriority.objects.select_related("strategic_plan__trust").prefetch_related(
                    "indicators"
                ),
                pk=pk,
            )
            trust, plan = priority.strategic_plan.trust, priority.strategic_plan
        else:
            trust = _trust(request, slug)
            plan = selectors.current_strategic_plan(user=request.user, trust=trust)
            priority = None
        deny_unless(
            rules.may_edit_strategic_plan(request.user, trust.pk), rules.STRATEGIC_EDIT_REFUSED
        )
        if plan is None:
            raise Http404("Start the strategic plan first.")
        return trust, plan, priority

    def get(self, request, slug=None, pk=None):
        return self.handle(request, slug, pk)

    def post(self, request, slug=None, pk=None):
        return self.handle(request, slug, pk)

    def handle(self, request, slug, pk):
        trust, plan, priority = self._objects(request, slug, pk)
        instance = (
            TrustPriority.objects.prefetch_related("indicators").get(pk=priority.pk)
            if priority
            else TrustPriority(
                strategic_plan=plan,
                number=(max((p.number for p in plan.priorities.all()), default=0) + 1),
            )
        )
        form = TrustPriorityForm(request.POST or None, instance=instance)

        def save(form):
            if priority:
                services.trust_priority_update(
                    actor=request.user,
                    priority=priority,
                    indicators=form.indicators(),
                    **form.model_fields(),
                )
            else:
                services.trust_priority_create(
                    actor=request.user,
                    strategic_plan=plan,
                    indicators=form.indicators(),
                    **form.model_fields(),
                )

        url = reverse("planning:strategic-plan", args=[trust.slug])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            context={
                "title": f"Edit {priority.code}" if priority else "Add a trust priority",
                "back_url": url,
                "back": "Strategic plan",
            },
        )


class PocketGuideView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug)
        year = _year(trust, request)
        guide = selectors.pocket_guide_for(trust=trust, academic_year=year)
        return render(
            request,
            "planning/pocket_guide.html",
            {
                "trust": trust,
                "year": year,
                "guide": guide,
                "groups": selectors.pocket_guide_groups(guide),
                "years": list(trust.academic_years.all()),
                "can_edit": rules.may_edit_strategic_plan(request.user, trust.pk),
                "published": selectors.guide_publications(trust=trust, academic_year=year).get(
                    "msp"
                ),
                "schools": list(
                    School.objects.filter(
                        pk__in=school_ids(request.user, Perm.PLAN_VIEW), trust=trust
                    )
                ),
            },
        )


class PocketGuideEditView(ScopedViewMixin, View):
    def get(self, request, slug):
        return self.handle(request, slug)

    def post(self, request, slug):
        return self.handle(request, slug)

    def handle(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(
            rules.may_edit_strategic_plan(request.user, trust.pk), rules.STRATEGIC_EDIT_REFUSED
        )
        year = _year(trust, request)
        plan = selectors.current_strategic_plan(user=request.user, trust=trust)
        if plan is None:
            raise Http404("Start the strategic plan first.")
        guide = selectors.pocket_guide_for(trust=trust, academic_year=year)
        form = PocketGuideForm(request.POST or None, priorities=plan.priorities.all(), guide=guide)

        def save(form):
            services.pocket_guide_save(
                actor=request.user,
                strategic_plan=plan,
                academic_year=year,
                items=form.items(),
                introduction=form.cleaned_data["introduction"],
            )

        url = reverse("planning:pocket-guide", args=[slug]) + f"?year={year.start_year}"
        return form_page(
            request,
            form,
            save,
            template="planning/pocket_guide_form.html",
            success_url=url,
            context={"trust": trust, "year": year, "back_url": url},
        )


def _pocket_guide_school(user, pk) -> School:
    school = get_object_or_404_for(
        user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
    )
    deny_unless(rules.may_view_plans(user, school), rules.PLANS_HIDDEN)
    return school


def _school_pocket_guide_context(request, pk):
    school = _pocket_guide_school(request.user, pk)
    return school_pocket_guide_context(request.user, school, _year(school.trust, request))


def school_pocket_guide_context(user, school, year) -> dict:
    guide = selectors.pocket_guide_for(trust=school.trust, academic_year=year)
    plans = list(SchoolPlan.objects.filter(school=school, academic_year=year).order_by("kind"))
    own = {
        plan.kind: [p for p in plan.priorities.all() if not p.from_pocket_guide]
        for plan in SchoolPlan.objects.filter(pk__in=[p.pk for p in plans]).prefetch_related(
            "priorities__trust_priorities"
        )
    }
    return {
        "published": selectors.guide_publications(
            trust=school.trust, academic_year=year, school=school
        ),
        "can_publish": rules.may_publish_guide(user, school.trust, school),
        "school": school,
        "trust": school.trust,
        "year": year,
        "guide": guide,
        "groups": selectors.pocket_guide_groups(guide),
        "school_priorities": own.get(PlanKind.SIP, []),
        "business_priorities": own.get(PlanKind.BDP, []),
        "plans": plans,
    }


class SchoolPocketGuideView(ScopedViewMixin, View):
    def get(self, request, pk):
        return render(
            request, "planning/school_pocket_guide.html", _school_pocket_guide_context(request, pk)
        )


def pocket_guide_pdf(user, *, school: int, year: int):
    """The school's pocket guide as PDF, built in the task worker (common.pdfs)."""
    school = _pocket_guide_school(user, school)
    year = AcademicYear.objects.get(pk=year, trust=school.trust)
    context = school_pocket_guide_context(user, school, year)
    return (
        "planning/pdf/pocket_guide.html",
        context,
        f"pocket-guide-{school.urn}-{year.start_year}.pdf",
    )


class SchoolPocketGuidePdfView(ScopedViewMixin, View):
    def get(self, request, pk):
        school = _pocket_guide_school(request.user, pk)
        year = _year(school.trust, request)
        return pdfs.serve(
            request,
            builder="trustwide.planning.views.strategic.pocket_guide_pdf",
            params={"school": school.pk, "year": year.pk},
            trust_id=school.trust_id,
            title=f"Pocket guide: {school.name}",
            back_url=reverse("planning:school-pocket-guide", args=[school.pk]),
        )


class MonitoringScaleView(ScopedViewMixin, View):
    def get(self, request, slug):
        return self.handle(request, slug)

    def post(self, request, slug):
        return self.handle(request, slug)

    def handle(self, request, slug):
        trust = _trust(request, slug, Perm.TRUST_VIEW)
        deny_unless(rules.may_edit_strategic_plan(request.user, trust.pk), rules.SCALE_REFUSED)
        scale = services.scale_for_trust(trust.pk)
        form = ScaleForm(
            request.POST or None,
            initial={
                "grades": "\n".join(scale.grades),
                "good_or_better_count": scale.good_or_better_count,
            },
        )

        def save(form):
            services.monitoring_scale_save(
                actor=request.user,
                trust=trust,
                grades=form.grade_list(),
                good_or_better_count=form.cleaned_data["good_or_better_count"],
            )

        url = reverse("planning:strategic-plan", args=[slug])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            context={
                "title": "Lesson observation judgement scale",
                "back_url": url,
                "back": "Strategic plan",
                "intro": "Lesson observations are judged on this scale. The top grades you choose count towards "
                "'% of teaching at least good'.",
            },
        )


class RollupView(ScopedViewMixin, View):
    def get(self, request, slug):
        trusts = pagecache.with_versions(Trust.objects.all())
        trust = _trust(request, slug, Perm.TRUST_VIEW, trusts)
        deny_unless(rules.may_view_rollup(request.user, trust), rules.TRUST_PLANS_HIDDEN)
        year = _year(trust, request)
        terms = list(
            Term.objects.filter(academic_year=year)
            .select_related("academic_year")
            .order_by("number")
        )
        term = next((t for t in terms if request.GET.get("term") == t.name), None)
        if term is None:
            from django.utils import timezone

            today = timezone.localdate()
            started = [t for t in terms if t.starts_on <= today]
            term = started[-1] if started else terms[0]

        attention = bool(request.GET.get("attention"))
        params = {
            "year": year.pk,
            "term": term.pk,
            "attention": attention,
            "base_query": paging.without(request.GET, "page"),
            "page": paging.page_key(request.GET.get("page")),
        }

        def body() -> str:
            rows, total, before = selectors.rollup(user=request.user, trust=trust, term=term)
            schools = selectors.rollup_schools(rows)
            flagged = selectors.rollup_schools(rows, attention_only=True)
            page = paging.page_of(
                flagged if attention else schools,
                params["page"],
                base_query=params["base_query"],
                label="Pages of the roll-up",
                target="rollup-body",
            )
            overdue = selectors.overdue_actions_for(
                user=request.user, trust=trust, academic_year=year, limit=30
            )
            context = {"term": term, "rows": selectors.with_hub_rows(rows, page.rows)}
            context.update(total=total, previous=before, page=page, overdue=overdue)
            context.update(rule=rag.DERIVATION_RULE, attention=attention, schools=len(schools))
            context["attention_count"] = len(flagged)
            return render_to_string("planning/partials/_rollup_body.html", context)

        # Every school's ratings: kept per viewer's grants, term, filters, page and data version.
        context = {
            "trust": trust,
            "year": year,
            "terms": terms,
            "term": term,
            "years": list(trust.academic_years.all()),
            "attention": attention,
            "body_html": pagecache.cached_html(
                "plan-rollup", trust=trust, user=request.user, params=params, render=body
            ),
        }
        return render(request, "planning/rollup.html", context)
