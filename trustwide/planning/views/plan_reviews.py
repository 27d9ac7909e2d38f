"""Year-end and mid-year review pages: a school's reviews, a review as a report, writing it
(impact statement per priority, conclusions), submitting it, and governors' scrutiny."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin, deny_unless, form_page, messages_from
from trustwide.trusts.models import School

from .. import reviews, rules, services
from ..models import PlanReview, ReviewKind, ReviewStatus
from ._helpers import get_plan


def _review(user, pk) -> PlanReview:
    """A review of a plan the user may see; any other is 404."""
    return get_object_or_404_for(
        user,
        Perm.PLAN_VIEW,
        PlanReview.objects.select_related(
            "plan__school__trust", "plan__academic_year", "submitted_by", "scrutinised_by"
        ),
        pk=pk,
    )


def _url(review: PlanReview) -> str:
    return reverse("planning:review-detail", args=[review.pk])


class ReviewListView(ScopedViewMixin, View):
    def get(self, request, pk):
        school = get_object_or_404_for(
            request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
        )
        deny_unless(rules.may_view_plans(request.user, school), rules.PLANS_HIDDEN)
        return render(
            request,
            "planning/reviews.html",
            {
                "school": school,
                "rows": reviews.school_reviews(school),
                "can_write": rules.may_write_review(request.user, school),
                "kinds": ReviewKind,
            },
        )


class ReviewStartView(ScopedViewMixin, View):
    def post(self, request, pk, kind):
        plan = get_plan(request.user, pk)
        deny_unless(rules.may_write_review(request.user, plan.school), rules.REVIEW_REFUSED)
        try:
            review = services.review_start(actor=request.user, plan=plan, kind=kind)
        except ValidationError as exc:
            messages_from(request, exc)
            return redirect(reverse("planning:reviews", args=[plan.school_id]))
        return redirect(reverse("planning:review-edit", args=[review.pk]))


class ReviewDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        review = _review(request.user, pk)
        school = review.plan.school
        return render(
            request,
            "planning/review_detail.html",
            {
                "report": reviews.review_report(review),
                "review": review,
                "can_write": review.status == ReviewStatus.DRAFT
                and rules.may_write_review(request.user, school),
                "can_scrutinise": review.kind == ReviewKind.YEAR_END
                and review.status == ReviewStatus.SUBMITTED
                and rules.may_agree_plan(request.user, school),
            },
        )


class ReviewForm(forms.Form):
    conclusions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What the review concludes, to carry into next year's planning.",
    )

    def __init__(self, *args, review: PlanReview, **kwargs):
        super().__init__(*args, **kwargs)
        self.priority_fields = []
        for p in review.plan.priorities.order_by("number"):
            name = f"impact_{p.pk}"
            self.fields[name] = forms.CharField(
                label=f"Impact: priority {p.number}, {p.title}",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                initial=review.impacts.get(str(p.pk), ""),
            )
            self.priority_fields.append((p.pk, name))
        self.fields["conclusions"].initial = review.conclusions
        self.order_fields([n for _pk, n in self.priority_fields] + ["conclusions"])

    def impacts(self) -> dict:
        return {pk: self.cleaned_data[name] for pk, name in self.priority_fields}


class _FormView(ScopedViewMixin, View):
    """A form page on one review: GET shows it, POST saves it (handle does both)."""

    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        raise NotImplementedError


class ReviewEditView(_FormView):
    def handle(self, request, pk):
        review = _review(request.user, pk)
        deny_unless(rules.may_write_review(request.user, review.plan.school), rules.REVIEW_REFUSED)
        form = ReviewForm(request.POST or None, review=review)
        return form_page(
            request,
            form,
            lambda f: services.review_update(
                actor=request.user,
                review=review,
                impacts=f.impacts(),
                conclusions=f.cleaned_data["conclusions"],
            ),
            success_url=_url(review),
            title=f"{review.get_kind_display()}: {review.plan.title}",
            back_url=_url(review),
        )


class ReviewSubmitView(ScopedViewMixin, View):
    def post(self, request, pk):
        review = _review(request.user, pk)
        deny_unless(rules.may_write_review(request.user, review.plan.school), rules.REVIEW_REFUSED)
        try:
            services.review_submit(actor=request.user, review=review)
        except ValidationError as exc:
            messages_from(request, exc)
        else:
            messages.success(
                request,
                "Sent to governors for scrutiny."
                if review.kind == ReviewKind.YEAR_END
                else "Submitted: its conclusions are an input of next year's strategic plan.",
            )
        return redirect(_url(review))


class ScrutinyForm(forms.Form):
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Governors' scrutiny",
        help_text="What governors concluded, for the trust board.",
    )


class ReviewScrutiniseView(_FormView):
    def handle(self, request, pk):
        review = _review(request.user, pk)
        deny_unless(rules.may_agree_plan(request.user, review.plan.school), rules.SCRUTINY_REFUSED)
        return form_page(
            request,
            ScrutinyForm(request.POST or None),
            lambda f: services.review_scrutinise(
                actor=request.user, review=review, notes=f.cleaned_data["notes"]
            ),
            success_url=_url(review),
            success_message="Scrutiny recorded: the review goes on to the trust board.",
            title=f"Scrutinise: {review}",
            back_url=_url(review),
        )
