"""Peer review and support pages. Objects come through trustwide.access (out of scope: 404;
visible but not allowed: 403); every write is a service call."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views import View

from trustwide.access import (
    Perm,
    get_object_or_404_for,
    restrict,
    school_ids,
)
from trustwide.common import pagecache, paging, pdfs
from trustwide.common.views import ScopedViewMixin, add_errors, deny_unless, form_page
from trustwide.trusts.models import School, Trust

from . import forms, rules, selectors, services
from . import rota as rota_rules
from . import support as support_rules
from .models import Deployment, Expertise, ReviewAction, ReviewStatus


def get_trust(user, slug, trusts=Trust) -> Trust:
    return get_object_or_404_for(user, Perm.TRUST_VIEW, trusts, slug=slug)


def get_review(user, pk):
    return selectors.review_detail(user=user, pk=pk)


def trust_schools(trust: Trust):
    return School.objects.filter(trust=trust).select_related("hub").order_by("name")


# --------------------------------------------------------------------------- trust view


# Page parameter: (the overview's list, the pager's label, rows a page). A triad's row holds
# three schools' visits, so fewer of them make a page.
OVERVIEW_PAGERS = {
    "triads": ("calendar", "Pages of the rota calendar", 10),
    "actions": ("open_actions", "Pages of the open review actions", paging.PER_PAGE),
    "deploys": ("deployments_by_school", "Pages of the deployments", paging.PER_PAGE),
}


class OverviewView(ScopedViewMixin, View):
    """Rota calendar, reviews done and due, open review actions by school, givers and takers,
    deployments by school."""

    def get(self, request, slug):
        user = request.user
        trust = get_trust(user, slug, pagecache.with_versions(Trust.objects.all()))
        deny_unless(rules.may_read_in_trust(user, trust), rules.PEER_REVIEW_HIDDEN)
        year = selectors.chosen_year(trust, request.GET.get("year"))
        context = {
            "trust": trust,
            "year": year,
            "years": selectors.trust_years(trust),
            "can_manage": rules.may_form_rota(user, trust.pk),
            "can_arrange_external": bool(_managed_schools(user, trust)),
        }

        # Long tables a page at a time (each pager keeps the others' pages); hubs collapsed.
        pages = {name: paging.page_key(request.GET.get(name)) for name in OVERVIEW_PAGERS}
        bases = {name: paging.without(request.GET, name) for name in pages}
        hubs_open = request.GET.get("hubs") == "open"

        def body() -> str:
            data = selectors.overview(user=user, trust=trust, year=year)
            for name, (rows, label, per_page) in OVERVIEW_PAGERS.items():
                data[f"{name}_page"] = paging.page_of(
                    data[rows],
                    pages[name],
                    base_query=bases[name],
                    param=name,
                    per_page=per_page,
                    label=label,
                    target=f"overview-{name}",
                )
            schools_on_map = sum(len(g.rows) for g in data["hub_map"])
            data["hubs_collapsed"] = schools_on_map > paging.PER_PAGE and not hubs_open
            data["hubs_open_url"] = paging.link_with(request.GET, hubs="open")
            return render_to_string("peer_review/_overview_body.html", {**context, **data})

        # Every school's reviews, actions and deployments: per viewer's grants and data version.
        params = {"year": year.pk if year else None, "can_manage": context["can_manage"]}
        params.update(pages=pages, bases=bases, hubs_open=hubs_open)
        context["body_html"] = pagecache.cached_html(
            "peer-review-overview", trust=trust, user=user, params=params, render=body
        )
        return render(request, "peer_review/overview.html", context)


def _managed_schools(user, trust):
    return trust_schools(trust).filter(pk__in=school_ids(user, Perm.PEER_REVIEW_MANAGE))


class RotaView(ScopedViewMixin, View):
    """Form triads (or let the product propose them) and generate the year's rota."""

    def _setup(self, request, slug):
        trust = get_trust(request.user, slug)
        deny_unless(rules.may_form_rota(request.user, trust.pk), rules.ROTA_REFUSED)
        year = selectors.chosen_year(trust, request.GET.get("year") or request.POST.get("year"))
        schools = list(trust_schools(trust))
        return trust, year, schools

    def _render(
        self, request, trust, year, schools, options, triads_form, status=200, proposed=False
    ):
        return render(
            request,
            "peer_review/rota.html",
            {
                "trust": trust,
                "year": year,
                "years": selectors.trust_years(trust),
                "schools": schools,
                "options": options,
                "form": triads_form,
                "proposed": proposed,
                "existing": selectors.triads_for(user=request.user, trust=trust, academic_year=year)
                if year
                else [],
            },
            status=status,
        )

    def get(self, request, slug):
        trust, year, schools = self._setup(request, slug)
        options = forms.RotaOptionsForm(request.GET if "propose" in request.GET else None)
        initial, proposed = {}, False
        existing = (
            selectors.triads_for(user=request.user, trust=trust, academic_year=year) if year else []
        )
        for t in existing:
            for s in t.schools.all():
                initial[s.pk] = t.number
        count = max(1, len(rota_rules.group_sizes(len(schools)))) if len(schools) >= 2 else 1
        if "propose" in request.GET and options.is_valid() and len(schools) >= 2:
            groups = rota_rules.propose_triads(
                selectors.school_infos(trust, schools),
                hubs=options.cleaned_data["hubs"],
                phases=options.cleaned_data["phases"],
                last_year=selectors.last_year_groups(trust, year),
                seed=year.start_year,
            )
            initial = {sid: n for n, g in enumerate(groups, start=1) for sid in g}
            proposed = True
        form = forms.TriadsForm(
            schools=schools,
            groups=max(count, max(initial.values(), default=1)),
            initial_groups=initial,
        )
        return self._render(
            request,
            trust,
            year,
            schools,
            options if options.is_bound else forms.RotaOptionsForm(),
            form,
            proposed=proposed,
        )

    def post(self, request, slug):
        trust, year, schools = self._setup(request, slug)
        count = max(1, len(rota_rules.group_sizes(len(schools)))) if len(schools) >= 2 else 1
        form = forms.TriadsForm(request.POST, schools=schools, groups=count + 2)
        if form.is_valid():
            try:
                reviews = services.rota_create(
                    actor=request.user, trust=trust, academic_year=year, groups=form.groups()
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request, f"Triads formed and {len(reviews)} reviews planned for {year.label}."
                )
                return redirect(
                    reverse("peer_review:overview", kwargs={"slug": trust.slug})
                    + f"?year={year.start_year}"
                )
        return self._render(
            request, trust, year, schools, forms.RotaOptionsForm(), form, status=400
        )


class ExternalReviewCreateView(ScopedViewMixin, View):
    def dispatch_setup(self, request, slug):
        trust = get_trust(request.user, slug)
        schools = _managed_schools(request.user, trust)
        deny_unless(schools.exists(), rules.EXTERNAL_REFUSED)
        return trust, schools

    def get(self, request, slug):
        return self._page(request, slug)

    def post(self, request, slug):
        return self._page(request, slug)

    def _page(self, request, slug):
        trust, schools = self.dispatch_setup(request, slug)
        year = selectors.chosen_year(trust, None)
        form = forms.ExternalReviewForm(request.POST or None, schools=schools)

        def save(f):
            d = f.cleaned_data
            partners = [{"name": d["partner_name"], "organisation": d["organisation"]}]
            if d["second_partner"]:
                partners.append({"name": d["second_partner"], "organisation": d["organisation"]})
            return services.external_review_create(
                actor=request.user,
                school=d["school"],
                academic_year=year,
                visit_on=d["visit_on"],
                focus=d["focus"],
                partners=partners,
            )

        return form_page(
            request,
            form,
            save,
            title="Arrange an external audit",
            back_url=reverse("peer_review:overview", kwargs={"slug": trust.slug}),
            success_url=lambda r: reverse("peer_review:review-detail", kwargs={"pk": r.pk}),
            success_message="External audit arranged.",
            context={
                "intro": "External audit partners use the same report form; their judgements "
                "count as external validation of the school's SEF."
            },
        )


# --------------------------------------------------------------------------- reviews


def _report_context(review) -> dict:
    """The review, its findings with grade labels, actions and reviewers (page and PDF)."""
    findings = list(review.findings.all())
    labels = selectors.grade_labels(review) if findings else {}
    for f in findings:
        f.school_grade_label = labels.get(f.school_grade_code, f.school_grade_code)
        f.grade_label = labels.get(f.grade_code, f.grade_code)
    return {
        "review": review,
        "school": review.school,
        "findings": findings,
        "actions": list(review.actions.all()),
        "reviewers": list(review.reviewers.all()),
    }


class ReviewDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        user = request.user
        review = get_review(user, pk)
        school = review.school
        context = {
            **_report_context(review),
            "pack": selectors.pre_visit_pack(user=user, review=review),
            "can_write": rules.may_write_findings(user, review)
            and review.status != ReviewStatus.AGREED,
            "can_manage": rules.may_manage_review(user, school),
            "can_agree": rules.may_agree_report(user, school)
            and review.status == ReviewStatus.DRAFTED,
            "can_plan": rules.may_add_to_plan(user, school),
        }
        return render(request, "peer_review/review_detail.html", context)


class ReviewEditView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self._page(request, pk)

    def post(self, request, pk):
        return self._page(request, pk)

    def _page(self, request, pk):
        review = get_review(request.user, pk)
        deny_unless(
            rules.may_manage_review(request.user, review.school), rules.REVIEW_MANAGE_REFUSED
        )
        form = forms.ReviewEditForm(
            request.POST or None, initial={"visit_on": review.visit_on, "focus": review.focus}
        )
        url = reverse("peer_review:review-detail", kwargs={"pk": review.pk})
        return form_page(
            request,
            form,
            lambda f: services.review_update(actor=request.user, review=review, **f.cleaned_data),
            title=f"Change the review of {review.school.name}",
            back_url=url,
            success_url=url,
            context={
                "intro": "The reviewers' access to the school moves with the visit: from "
                f"{services.PRE_VISIT_DAYS} days before to {services.REPORT_DAYS} days after."
            },
        )


class ReviewerAddView(ReviewEditView):
    def _page(self, request, pk):
        review = get_review(request.user, pk)
        deny_unless(
            rules.may_manage_review(request.user, review.school), rules.REVIEW_MANAGE_REFUSED
        )
        schools = (
            review.triad.schools.exclude(pk=review.school_id)
            if review.triad_id
            else School.objects.none()
        )
        form = forms.ReviewerAddForm(request.POST or None, schools=schools)
        url = reverse("peer_review:review-detail", kwargs={"pk": review.pk})

        def save(f):
            d = f.cleaned_data
            user = None
            if d["from_school"] is not None and not d["name"]:
                user = services.named_leader(d["from_school"])
            return services.reviewer_add(
                actor=request.user,
                review=review,
                user=user,
                name=d["name"] or (str(user) if user else ""),
                from_school=d["from_school"],
                is_external=d["is_external"],
                organisation=d["organisation"],
            )

        return form_page(
            request,
            form,
            save,
            title=f"Add a reviewer to the review of {review.school.name}",
            back_url=url,
            success_url=url,
            success_message="Reviewer added.",
        )


class _WriteView(ReviewEditView):
    def review_for_writing(self, request, pk):
        review = get_review(request.user, pk)
        deny_unless(rules.may_write_findings(request.user, review), rules.FINDINGS_REFUSED)
        return review


class FindingCreateView(_WriteView):
    def _page(self, request, pk):
        review = self.review_for_writing(request, pk)
        form = forms.FindingForm(
            request.POST or None,
            areas=selectors.sef_area_choices(review),
            grades=selectors.grade_choices(review),
            initial={"area_code": (review.focus_area_codes or [""])[0]},
        )
        url = reverse("peer_review:review-detail", kwargs={"pk": review.pk})
        return form_page(
            request,
            form,
            lambda f: services.finding_record(
                actor=request.user, review=review, **f.service_kwargs()
            ),
            title=f"Findings: review of {review.school.name}",
            back_url=url,
            success_url=url,
            success_message="Findings recorded.",
            context={
                "intro": f"Focus: {review.focus}. Agreeing or giving a different grade records a "
                "validation of the school's SEF, which feeds SEF accuracy."
            },
        )


class ReviewActionCreateView(_WriteView):
    def _page(self, request, pk):
        review = self.review_for_writing(request, pk)
        form = forms.ReviewActionForm(request.POST or None, findings=review.findings.all())
        url = reverse("peer_review:review-detail", kwargs={"pk": review.pk})
        return form_page(
            request,
            form,
            lambda f: services.review_action_create(
                actor=request.user, review=review, **f.cleaned_data
            ),
            title=f"Action: review of {review.school.name}",
            back_url=url,
            success_url=url,
            success_message="Action added.",
        )


class ReportEditView(_WriteView):
    def _page(self, request, pk):
        review = self.review_for_writing(request, pk)
        form = forms.ReportForm(
            request.POST or None,
            initial={"summary": review.summary, "strengths_to_share": review.strengths_to_share},
        )
        url = reverse("peer_review:review-detail", kwargs={"pk": review.pk})
        return form_page(
            request,
            form,
            lambda f: services.review_report_save(
                actor=request.user, review=review, **f.cleaned_data
            ),
            title=f"Report: review of {review.school.name}",
            back_url=url,
            success_url=url,
            success_message="Report drafted: the headteacher can now agree it.",
        )


def report_pdf(user, *, review: int):
    """The review report as PDF, built in the task worker (common.pdfs) with the requester's
    access."""
    review = get_review(user, review)
    return (
        "peer_review/pdf/report.html",
        _report_context(review),
        f"review-{review.school.urn}-{review.visit_on:%Y%m%d}.pdf",
    )


class ReportPdfView(ScopedViewMixin, View):
    def get(self, request, pk):
        review = get_review(request.user, pk)
        return pdfs.serve(
            request,
            builder="trustwide.peer_review.views.report_pdf",
            params={"review": review.pk},
            trust_id=review.school.trust_id,
            title=f"Review of {review.school.name}",
            back_url=reverse("peer_review:review-detail", kwargs={"pk": review.pk}),
        )


class ReportAgreeView(ScopedViewMixin, View):
    def post(self, request, pk):
        review = get_review(request.user, pk)
        deny_unless(rules.may_agree_report(request.user, review.school), rules.AGREE_REFUSED)
        try:
            services.review_agree(actor=request.user, review=review)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Report agreed.")
        return redirect("peer_review:review-detail", pk=review.pk)


class ActionToPlanView(ReviewEditView):
    def _page(self, request, pk):
        item = get_object_or_404_for(
            request.user,
            Perm.PEER_REVIEW_VIEW,
            ReviewAction.objects.select_related(
                "review__school__trust", "review__academic_year", "owner"
            ),
            pk=pk,
        )
        review = item.review
        deny_unless(rules.may_add_to_plan(request.user, review.school), rules.TO_PLAN_REFUSED)
        form = forms.ToPlanForm(
            request.POST or None, priorities=selectors.plan_priority_choices(review)
        )
        url = reverse("peer_review:review-detail", kwargs={"pk": review.pk})
        return form_page(
            request,
            form,
            lambda f: services.review_action_to_plan(
                actor=request.user, review_action=item, priority=f.cleaned_data["priority"]
            ),
            title="Add the action to the school's plan",
            back_url=url,
            success_url=url,
            success_message="Added to the plan; its progress now shows on the review.",
            context={"subtitle": item.what},
        )


# --------------------------------------------------------------------------- school page


class SchoolView(ScopedViewMixin, View):
    def get(self, request, pk):
        user = request.user
        school = get_object_or_404_for(
            user, Perm.SCHOOL_VIEW, School.objects.select_related("trust", "hub"), pk=pk
        )
        sees_reviews = rules.may_read_reviews(user, school)
        sees_support = rules.may_read_support(user, school)
        deny_unless(sees_reviews or sees_support, rules.SCHOOL_HIDDEN)
        reviews = []
        if sees_reviews:
            reviews = list(
                restrict(
                    selectors.review_queryset().filter(school=school), user, Perm.PEER_REVIEW_VIEW
                )
                .prefetch_related("reviewers")
                .order_by("-visit_on")
            )
        actions = (
            list(
                restrict(
                    ReviewAction.objects.filter(review__school=school), user, Perm.PEER_REVIEW_VIEW
                )
                .select_related("review", "owner", "plan_action")
                .order_by("due_on")
            )
            if sees_reviews
            else []
        )
        latest, non_negotiables = selectors.school_non_negotiables(user=user, school=school)
        context = {
            "school": school,
            "reviews": reviews,
            "actions": actions,
            "sees_reviews": sees_reviews,
            "sees_support": sees_support,
            "latest": latest,
            "non_negotiables": non_negotiables,
            "history": selectors.assessment_history(user=user, school=school)
            if sees_support
            else [],
            "deployments": selectors.school_deployments(user=user, school=school),
        }
        return render(request, "peer_review/school.html", context)


# --------------------------------------------------------------------------- support


def _support_trust(request, slug, *, manage: bool = False) -> Trust:
    trust = get_trust(request.user, slug)
    if manage:
        deny_unless(rules.may_manage_support(request.user, trust.pk), rules.SUPPORT_MANAGE_REFUSED)
    else:
        deny_unless(rules.may_read_support_in_trust(request.user, trust), rules.SUPPORT_HIDDEN)
    return trust


class SupportView(ScopedViewMixin, View):
    def get(self, request, slug):
        user = request.user
        trust = _support_trust(request, slug)
        latest = selectors.latest_assessments(user=user, trust=trust)
        rule = services.rule_for(trust).rule
        visible = school_ids(user, Perm.SUPPORT_VIEW)
        schools = [s for s in trust_schools(trust) if s.pk in visible]
        nn = selectors.non_negotiables_for(trust=trust)
        context = {
            "trust": trust,
            "rows": [(s, latest.get(s.pk)) for s in schools],
            "rule_lines": rule.describe(),
            "non_negotiables": [
                (label, [n for n in nn if n.category == code])
                for code, label in support_rules.CATEGORY_LABELS.items()
            ],
            "collaborations": selectors.collaboration_plans_for(user=user, trust=trust),
            "can_manage": rules.may_manage_support(user, trust.pk),
        }
        return render(request, "peer_review/support.html", context)


class SupportAssessView(ScopedViewMixin, View):
    def post(self, request, slug):
        trust = _support_trust(request, slug, manage=True)
        done = services.support_assess(actor=request.user, trust=trust)
        messages.success(request, f"Support categories worked out for {len(done)} schools.")
        return redirect("peer_review:support", slug=trust.slug)


class SupportRuleView(ScopedViewMixin, View):
    def get(self, request, slug):
        return self._page(request, slug)

    def post(self, request, slug):
        return self._page(request, slug)

    def _page(self, request, slug):
        trust = _support_trust(request, slug, manage=True)
        form = forms.SupportRuleForm(request.POST or None, rule=services.rule_for(trust).rule)
        url = reverse("peer_review:support", kwargs={"slug": trust.slug})
        return form_page(
            request,
            form,
            lambda f: services.support_rule_save(
                actor=request.user, trust=trust, settings=f.cleaned_data
            ),
            title="The trust's support rule",
            back_url=url,
            success_url=url,
            success_message="Rule saved. Work out the categories again to apply it.",
            context={"intro": "Points for each signal; the total gives the category."},
        )


class NonNegotiableCreateView(SupportRuleView):
    def _page(self, request, slug):
        trust = _support_trust(request, slug, manage=True)
        form = forms.NonNegotiableForm(request.POST or None)
        url = reverse("peer_review:support", kwargs={"slug": trust.slug})
        return form_page(
            request,
            form,
            lambda f: services.non_negotiable_create(
                actor=request.user, trust=trust, **f.cleaned_data
            ),
            title="Add a non-negotiable",
            back_url=url,
            success_url=url,
            context={"intro": "Every school in the category sees it with its plans."},
        )


class CollaborationCreateView(SupportRuleView):
    def _page(self, request, slug):
        trust = _support_trust(request, slug, manage=True)
        form = forms.CollaborationForm(request.POST or None, schools=trust_schools(trust))
        url = reverse("peer_review:support", kwargs={"slug": trust.slug})

        def save(f):
            d = dict(f.cleaned_data)
            d["schools"] = list(d["schools"])
            return services.collaboration_plan_create(actor=request.user, trust=trust, **d)

        return form_page(
            request,
            form,
            save,
            title="New collaboration plan",
            back_url=url,
            success_url=url,
            context={
                "intro": "A collaboration answers the five tests: purpose, mutuality, change, "
                "pace and prioritisation."
            },
        )


# --------------------------------------------------------------------------- expertise and deployments


class ExpertiseMineView(SupportRuleView):
    def _page(self, request, slug):
        trust = get_trust(request.user, slug)
        user = request.user
        own = Expertise.objects.filter(trust=trust, user=user).first()
        initial = {}
        if own:
            initial = {f: getattr(own, f) for f in forms.ExpertiseForm.base_fields}
        schools = trust_schools(trust).filter(pk__in=school_ids(user, Perm.SCHOOL_VIEW))
        form = forms.ExpertiseForm(request.POST or None, initial=initial, schools=schools)
        url = reverse("peer_review:expertise-mine", kwargs={"slug": trust.slug})
        return form_page(
            request,
            form,
            lambda f: services.expertise_save(actor=user, trust=trust, user=user, **f.cleaned_data),
            title="My expertise",
            back_url=reverse("trusts:trust-detail", kwargs={"slug": trust.slug}),
            success_url=url,
            success_message="Your expertise is saved.",
            context={
                "intro": f"What you could offer other schools of {trust.name}, and how many days a term. "
                "Trust leaders use the register to match people to schools' priorities."
            },
        )


class ExpertiseRegisterView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _support_trust(request, slug, manage=True)
        year = selectors.chosen_year(trust, request.GET.get("year"))
        register = selectors.expertise_register(trust=trust)
        used = selectors.used_days(trust, year) if year else {}
        rows = [
            (e, used.get(e.pk, 0), e.days_per_term * rota_rules.TERMS - used.get(e.pk, 0))
            for e in register
        ]
        return render(
            request,
            "peer_review/expertise_register.html",
            {
                "trust": trust,
                "year": year,
                "rows": rows,
                "matches": selectors.match_expertise(trust=trust, academic_year=year)
                if year
                else [],
                "deployments": selectors.deployments_for(
                    user=request.user, trust=trust, academic_year=year
                ),
            },
        )


class DeploymentCreateView(SupportRuleView):
    def _page(self, request, slug):
        trust = _support_trust(request, slug, manage=True)
        year = selectors.chosen_year(trust, None)
        register = Expertise.objects.filter(trust=trust).select_related("user", "home_school")
        initial = {
            k: request.GET[k]
            for k in ("expertise", "to_school")
            if request.GET.get(k, "").isdigit()
        }
        form = forms.DeploymentForm(
            request.POST or None, register=register, schools=trust_schools(trust), initial=initial
        )
        url = reverse("peer_review:expertise-register", kwargs={"slug": trust.slug})
        return form_page(
            request,
            form,
            lambda f: services.deployment_create(
                actor=request.user, academic_year=year, **f.cleaned_data
            ),
            title="Record a deployment",
            back_url=url,
            success_url=url,
            success_message="Deployment recorded; it shows on both schools.",
        )


class DeploymentEditView(ReviewEditView):
    def _page(self, request, pk):
        deployment = get_object_or_404_for(
            request.user,
            Perm.SUPPORT_VIEW,
            Deployment.objects.select_related("expertise__user", "to_school__trust", "from_school"),
            pk=pk,
        )
        trust = deployment.to_school.trust
        deny_unless(rules.may_manage_support(request.user, trust.pk), rules.SUPPORT_MANAGE_REFUSED)
        form = forms.DeploymentOutcomeForm(
            request.POST or None,
            initial={"status": deployment.status, "outcome": deployment.outcome},
        )
        url = reverse("peer_review:school", kwargs={"pk": deployment.to_school_id})
        return form_page(
            request,
            form,
            lambda f: services.deployment_update(
                actor=request.user, deployment=deployment, **f.cleaned_data
            ),
            title=f"Outcome: {deployment}",
            back_url=url,
            success_url=url,
        )
