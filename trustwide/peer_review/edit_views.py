"""Edit and delete pages for non-negotiables, collaboration plans, reviewers, findings and
review actions (the approach of governance/edit_views.py).

Every page finds its object through trustwide.access first (outside the scope: 404), then
checks the same permission as the page that creates it (visible but not allowed: 403).
Deleting shows a confirmation page; where a delete is refused (an action already in the
school's plan, a review whose report is agreed) that page says why and offers no button."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin, delete_page, deny_unless, form_page
from trustwide.trusts.models import School

from . import forms, rules, selectors, services
from .models import Finding, NonNegotiable, ReviewAction, Reviewer


class _Page(ScopedViewMixin, View):
    """GET and POST both go to handle()."""

    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)


# --------------------------------------------------------------------------- support


def _support_url(trust) -> str:
    return reverse("peer_review:support", kwargs={"slug": trust.slug})


def _non_negotiable(request, pk) -> NonNegotiable:
    item = get_object_or_404_for(
        request.user, Perm.SUPPORT_VIEW, NonNegotiable.objects.select_related("trust"), pk=pk
    )
    deny_unless(rules.may_manage_support(request.user, item.trust_id), rules.SUPPORT_MANAGE_REFUSED)
    return item


class NonNegotiableEditView(_Page):
    def handle(self, request, pk):
        item = _non_negotiable(request, pk)
        form = forms.NonNegotiableForm(
            request.POST or None,
            initial={"category": item.category, "kind": item.kind, "text": item.text},
        )
        url = _support_url(item.trust)
        return form_page(
            request,
            form,
            lambda f: services.non_negotiable_update(
                actor=request.user, item=item, **f.cleaned_data
            ),
            title="Edit a non-negotiable",
            back_url=url,
            success_url=url,
            success_message="Non-negotiable saved.",
            context={"intro": "Every school in the category sees it with its plans."},
        )


class NonNegotiableDeleteView(_Page):
    def handle(self, request, pk):
        item = _non_negotiable(request, pk)
        url = _support_url(item.trust)
        return delete_page(
            request,
            title="Delete this non-negotiable?",
            explanation=f"“{item.text}” ({item.get_kind_display().lower()}, {item.get_category_display().lower()} "
            "schools). Schools in the category no longer see it with their plans. The history keeps a "
            "record.",
            delete=lambda: services.non_negotiable_delete(actor=request.user, item=item),
            back_url=url,
            done_url=url,
            done_message="Non-negotiable deleted.",
        )


def _collaboration(request, pk):
    plan = selectors.collaboration_plan_detail(user=request.user, pk=pk)
    deny_unless(rules.may_manage_support(request.user, plan.trust_id), rules.SUPPORT_MANAGE_REFUSED)
    return plan


class CollaborationEditView(_Page):
    def handle(self, request, pk):
        plan = _collaboration(request, pk)
        fields = ("title", "purpose", "mutuality", "change", "pace", "prioritisation")
        initial = {f: getattr(plan, f) for f in fields}
        initial["schools"] = [s.pk for s in plan.schools.all()]
        form = forms.CollaborationForm(
            request.POST or None,
            initial=initial,
            schools=School.objects.filter(trust_id=plan.trust_id).order_by("name"),
        )
        url = _support_url(plan.trust)

        def save(f):
            d = dict(f.cleaned_data)
            d["schools"] = list(d["schools"])
            return services.collaboration_plan_update(actor=request.user, plan=plan, **d)

        return form_page(
            request,
            form,
            save,
            title=f"Edit the collaboration plan: {plan.title}",
            back_url=url,
            success_url=url,
            success_message="Collaboration plan saved.",
            context={
                "intro": "A collaboration answers the five tests: purpose, mutuality, change, "
                "pace and prioritisation."
            },
        )


class CollaborationDeleteView(_Page):
    def handle(self, request, pk):
        plan = _collaboration(request, pk)
        url = _support_url(plan.trust)
        names = ", ".join(s.name for s in plan.schools.all())
        return delete_page(
            request,
            title=f"Delete the collaboration plan “{plan.title}”?",
            explanation=f"Between {names}. The history keeps a record.",
            delete=lambda: services.collaboration_plan_delete(actor=request.user, plan=plan),
            back_url=url,
            done_url=url,
            done_message="Collaboration plan deleted.",
        )


# --------------------------------------------------------------------------- reviews


def _review_url(review) -> str:
    return reverse("peer_review:review-detail", kwargs={"pk": review.pk})


class ReviewerRemoveView(_Page):
    def handle(self, request, pk):
        reviewer = get_object_or_404_for(
            request.user,
            Perm.PEER_REVIEW_VIEW,
            Reviewer.objects.select_related("review__school__trust", "from_school", "membership"),
            pk=pk,
        )
        review = reviewer.review
        deny_unless(
            rules.may_manage_review(request.user, review.school), rules.REVIEW_MANAGE_REFUSED
        )
        url = _review_url(review)
        explanation = "For a reviewer entered in error. "
        m = reviewer.membership
        if m is not None and (m.ends_on is None or m.ends_on >= timezone.localdate()):
            until = f" to {m.ends_on:%d/%m/%Y}" if m.ends_on else ""
            explanation += (
                f"The access to {review.school.name} given to them for this visit "
                f"(from {m.starts_on:%d/%m/%Y}{until}) is taken back. "
            )
        explanation += "Findings they recorded stay with the review. The history keeps a record."
        return delete_page(
            request,
            title=f"Remove {reviewer} from the review of {review.school.name}?",
            button="Remove reviewer",
            explanation=explanation,
            delete=lambda: services.reviewer_remove(actor=request.user, reviewer=reviewer),
            back_url=url,
            done_url=url,
            done_message=f"{reviewer.name} removed from the review.",
        )


def _for_writing(request, obj):
    deny_unless(rules.may_write_findings(request.user, obj.review), rules.FINDINGS_REFUSED)
    return obj


def _finding(request, pk) -> Finding:
    return _for_writing(
        request,
        get_object_or_404_for(
            request.user,
            Perm.PEER_REVIEW_VIEW,
            Finding.objects.select_related(
                "review__school__trust", "review__academic_year", "validation"
            ),
            pk=pk,
        ),
    )


class FindingEditView(_Page):
    def handle(self, request, pk):
        finding = _finding(request, pk)
        review = finding.review
        initial = {
            "area_code": finding.area_code,
            "area_name": "" if finding.area_code else finding.area_name,
            "findings": finding.findings,
            "strengths": finding.strengths,
            "agrees": {True: "yes", False: "no"}.get(finding.agrees, ""),
            "grade_code": finding.grade_code if finding.agrees is False else "",
        }
        form = forms.FindingForm(
            request.POST or None,
            areas=selectors.sef_area_choices(review),
            grades=selectors.grade_choices(review),
            initial=initial,
        )
        url = _review_url(review)
        return form_page(
            request,
            form,
            lambda f: services.finding_update(
                actor=request.user, finding=finding, **f.service_kwargs()
            ),
            title=f"Edit findings: review of {review.school.name}",
            back_url=url,
            success_url=url,
            success_message="Findings saved.",
            context={
                "intro": "The validation of the school's SEF follows: changing the area, the view "
                "on the grade or the findings replaces it, and 'No view on the grade' "
                "withdraws it from SEF accuracy."
            },
        )


class FindingDeleteView(_Page):
    def handle(self, request, pk):
        finding = _finding(request, pk)
        review = finding.review
        url = _review_url(review)
        explanation = f"Findings on {finding.area_name}. "
        if finding.validation_id:
            explanation += "Its validation of the school's SEF is withdrawn, so SEF accuracy no longer counts it. "
        explanation += "Actions agreed from it stay on the review. The history keeps a record."
        return delete_page(
            request,
            title=f"Delete the findings on {finding.area_name}?",
            explanation=explanation,
            blocker=services.write_blocker(review) if request.method == "GET" else None,
            delete=lambda: services.finding_delete(actor=request.user, finding=finding),
            back_url=url,
            done_url=url,
            done_message="Findings deleted.",
        )


def _review_action(request, pk) -> ReviewAction:
    return _for_writing(
        request,
        get_object_or_404_for(
            request.user,
            Perm.PEER_REVIEW_VIEW,
            ReviewAction.objects.select_related(
                "review__school__trust",
                "review__academic_year",
                "owner",
                "finding",
                "plan_action__priority__plan__school",
            ),
            pk=pk,
        ),
    )


class ReviewActionEditView(_Page):
    def handle(self, request, pk):
        from trustwide.planning.models import ActionStatus
        from trustwide.planning.rules import may_update_progress

        item = _review_action(request, pk)
        review = item.review
        in_plan = item.plan_action
        statuses = (
            ActionStatus.choices if in_plan and may_update_progress(request.user, in_plan) else None
        )
        initial = {
            "what": item.what,
            "owner_name": str(item.owner) if item.owner_id else item.owner_name,
            "due_on": item.due_on,
            "finding": item.finding_id,
        }
        if in_plan:
            initial["status"] = in_plan.status
        form = forms.ReviewActionEditForm(
            request.POST or None, findings=review.findings.all(), statuses=statuses, initial=initial
        )
        url = _review_url(review)
        intro = ""
        if in_plan:
            intro = (
                "This action is in the school's plan. Changes here change the review's record; the plan's "
                "action keeps its own wording, owner and dates, changed in the plan."
            )
            intro += (
                " Its status is the plan action's."
                if statuses
                else (
                    " Its status is kept in the plan by the action's owner and the school's leaders."
                )
            )
        return form_page(
            request,
            form,
            lambda f: services.review_action_update(
                actor=request.user, review_action=item, **f.service_kwargs(item)
            ),
            title=f"Edit action: review of {review.school.name}",
            back_url=url,
            success_url=url,
            success_message="Action saved.",
            context={"intro": intro},
        )


class ReviewActionDeleteView(_Page):
    def handle(self, request, pk):
        item = _review_action(request, pk)
        review = item.review
        url = _review_url(review)
        blocker = None
        if request.method == "GET":
            blocker = services.write_blocker(review) or services.review_action_delete_blocker(item)
        return delete_page(
            request,
            title="Delete this review action?",
            explanation=f"“{item.what}”, owned by {item.owner_label}, due {item.due_on:%d/%m/%Y}. For an action "
            "agreed in error. The history keeps a record.",
            blocker=blocker,
            delete=lambda: services.review_action_delete(actor=request.user, review_action=item),
            back_url=url,
            done_url=url,
            done_message="Action deleted.",
        )
