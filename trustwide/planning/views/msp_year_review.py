"""The trust's year-end review of its strategic plan: the list of reviews by year (with the
years that can be reviewed), the review as a report, writing it (outcome and impact statement
per trust priority, conclusions) and recording its presentation to the trust board."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin, deny_unless, form_page, messages_from

from .. import reviews, rules, selectors, services
from ..forms import BoardAgreeForm
from ..models import MspReviewStatus, MspYearReview
from ..services.msp_year_review import year_has_ended
from .strategic import _trust


def _review(request, pk) -> MspYearReview:
    return get_object_or_404_for(
        request.user,
        Perm.STRATEGIC_PLAN_VIEW,
        MspYearReview.objects.select_related(
            "strategic_plan__trust", "academic_year", "board_meeting", "presented_by"
        ),
        pk=pk,
    )


def _url(review) -> str:
    return reverse("planning:msp-year-review", args=[review.pk])


class MspYearReviewListView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug)
        plan = selectors.current_strategic_plan(user=request.user, trust=trust)
        done = list(plan.year_reviews.select_related("academic_year")) if plan else []
        reviewed = {r.academic_year_id for r in done}
        can_write = plan is not None and rules.may_edit_strategic_plan(request.user, trust.pk)
        startable = []
        if can_write:
            startable = [
                y
                for y in trust.academic_years.filter(
                    start_year__gte=plan.first_year, start_year__lt=plan.first_year + plan.years
                ).order_by("-start_year")
                if y.pk not in reviewed and year_has_ended(trust, y)
            ]
        return render(
            request,
            "planning/msp_year_reviews.html",
            {
                "trust": trust,
                "plan": plan,
                "reviews": done,
                "startable": startable,
                "can_write": can_write,
            },
        )


class MspYearReviewStartView(ScopedViewMixin, View):
    def post(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.may_edit_strategic_plan(request.user, trust.pk), rules.MSP_REVIEW_REFUSED)
        plan = selectors.current_strategic_plan(user=request.user, trust=trust)
        if plan is None:
            raise Http404("Start the strategic plan first.")
        wanted = request.POST.get("year", "")
        year = (
            trust.academic_years.filter(start_year=int(wanted)).first()
            if wanted.isdigit()
            else None
        )
        try:
            review = services.msp_year_review_start(
                actor=request.user, strategic_plan=plan, academic_year=year
            )
        except ValidationError as exc:
            messages_from(request, exc)
            return redirect("planning:msp-year-reviews", slug=slug)
        return redirect("planning:msp-year-review-edit", pk=review.pk)


class MspYearReviewView(ScopedViewMixin, View):
    def get(self, request, pk):
        review = _review(request, pk)
        trust = review.strategic_plan.trust
        return render(
            request,
            "planning/msp_year_review.html",
            {
                "trust": trust,
                "review": review,
                "report": reviews.msp_year_review_report(request.user, review),
                "can_write": review.status == MspReviewStatus.DRAFT
                and rules.may_edit_strategic_plan(request.user, trust.pk),
            },
        )


class MspYearReviewForm(forms.Form):
    conclusions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What the review concludes: shown as an input on the next MSP draft.",
    )

    def __init__(self, *args, review: MspYearReview, **kwargs):
        super().__init__(*args, **kwargs)
        self.priority_fields = []
        names = []
        for p in review.strategic_plan.priorities.order_by("number"):
            entry = review.entry(p.pk)
            outcome, impact = f"outcome_{p.pk}", f"impact_{p.pk}"
            self.fields[outcome] = forms.CharField(
                label=f"{p.code} outcome against its success indicators",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                initial=entry.get("outcome", ""),
            )
            self.fields[impact] = forms.CharField(
                label=f"{p.code} impact statement",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                initial=entry.get("impact", ""),
            )
            self.priority_fields.append((p.pk, outcome, impact))
            names += [outcome, impact]
        self.fields["conclusions"].initial = review.conclusions
        self.order_fields([*names, "conclusions"])

    def entries(self) -> dict:
        return {
            pk: {"outcome": self.cleaned_data[o], "impact": self.cleaned_data[i]}
            for pk, o, i in self.priority_fields
        }


class _FormView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)


class MspYearReviewEditView(_FormView):
    def handle(self, request, pk):
        review = _review(request, pk)
        deny_unless(
            rules.may_edit_strategic_plan(request.user, review.strategic_plan.trust_id),
            rules.MSP_REVIEW_REFUSED,
        )
        if review.status != MspReviewStatus.DRAFT:
            messages.error(request, "This review was presented to the board; it no longer changes.")
            return redirect(_url(review))
        form = MspYearReviewForm(request.POST or None, review=review)
        return form_page(
            request,
            form,
            lambda f: services.msp_year_review_update(
                actor=request.user,
                review=review,
                entries=f.entries(),
                conclusions=f.cleaned_data["conclusions"],
            ),
            success_url=_url(review),
            title=f"Year-end review of the strategic plan, {review.academic_year.label}",
            back_url=_url(review),
        )


class PresentForm(BoardAgreeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "meeting"
        ].help_text = (
            "The trust board meeting the review was presented to: held since the year ended."
        )


class MspYearReviewPresentView(_FormView):
    def handle(self, request, pk):
        review = _review(request, pk)
        trust = review.strategic_plan.trust
        deny_unless(rules.may_edit_strategic_plan(request.user, trust.pk), rules.MSP_REVIEW_REFUSED)
        form = PresentForm(
            request.POST or None, meetings=selectors.board_meetings_in_trust(trust.pk)
        )
        return form_page(
            request,
            form,
            lambda f: services.msp_year_review_present(
                actor=request.user, review=review, meeting=f.cleaned_data["meeting"]
            ),
            success_url=_url(review),
            title="Record the review's presentation to the trust board",
            back_url=_url(review),
            success_message="Presented to the board: its conclusions are an input of the next "
            "strategic plan draft.",
            context={"intro": str(review)},
        )
