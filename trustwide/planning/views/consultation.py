"""Strategic plan versions and consultation pages: the list of versions, one version with its
comments side by side per priority (and the comment form while it is the open draft), the
comparison with another version, issuing, answering and the board's approval."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin, add_errors, deny_unless, form_page
from trustwide.trusts.utils import academic_start_year

from .. import reviews, rules, selectors, services
from ..forms import BoardAgreeForm, MspAnswerForm, MspCommentForm, MspVersionIssueForm
from ..models import ConsultationComment, MspVersion
from .strategic import _trust


def _version(request, pk) -> MspVersion:
    return get_object_or_404_for(
        request.user,
        Perm.STRATEGIC_PLAN_VIEW,
        MspVersion.objects.select_related("strategic_plan__trust"),
        pk=pk,
    )


def _version_url(version) -> str:
    return reverse("planning:msp-version", args=[version.pk])


class MspVersionListView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug)
        plan = selectors.current_strategic_plan(user=request.user, trust=trust)
        versions = list(plan.versions.all()) if plan else []
        return render(
            request,
            "planning/msp_versions.html",
            {
                "trust": trust,
                "plan": plan,
                "versions": versions,
                "can_issue": plan is not None
                and rules.may_edit_strategic_plan(request.user, trust.pk),
            },
        )


class MspVersionIssueView(ScopedViewMixin, View):
    def get(self, request, slug):
        return self.handle(request, slug)

    def post(self, request, slug):
        return self.handle(request, slug)

    def handle(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.may_edit_strategic_plan(request.user, trust.pk), rules.MSP_ISSUE_REFUSED)
        plan = selectors.current_strategic_plan(user=request.user, trust=trust)
        form = MspVersionIssueForm(request.POST or None)
        if plan is None:
            return redirect("planning:strategic-plan", slug=slug)
        return form_page(
            request,
            form,
            lambda f: services.msp_version_issue(
                actor=request.user,
                strategic_plan=plan,
                label=f.cleaned_data["label"],
                for_consultation=f.cleaned_data["for_consultation"],
            ),
            success_url=_version_url,
            title="Issue a version of the strategic plan",
            back_url=reverse("planning:msp-versions", args=[slug]),
            success_message="Version issued.",
            context={
                "intro": "The plan as it stands now is frozen as this version; earlier drafts close."
            },
        )


class MspVersionView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.page(request, _version(request, pk), None)

    def post(self, request, pk):
        version = _version(request, pk)
        deny_unless(
            rules.may_comment_on_msp(request.user, version.strategic_plan.trust),
            rules.MSP_COMMENT_REFUSED,
        )
        form = MspCommentForm(request.POST)
        if form.is_valid():
            try:
                services.msp_comment(actor=request.user, version=version, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "Comment added.")
                return redirect(_version_url(version) + f"#{form.cleaned_data['priority_code']}")
        return self.page(request, version, form, status=400)

    def page(self, request, version, failed_form, status=200):
        trust = version.strategic_plan.trust
        comments: dict[str, list] = {}
        for c in version.comments.select_related("author", "responded_by"):
            comments.setdefault(c.priority_code, []).append(c)
        latest = version.strategic_plan.versions.order_by("-number").first()
        rows = [(p, comments.get(p["code"], [])) for p in version.snapshot.get("priorities", [])]
        issued_year = academic_start_year(timezone.localtime(version.issued_at).date())
        return render(
            request,
            "planning/msp_version.html",
            {
                "trust": trust,
                "version": version,
                "rows": rows,
                "latest": latest,
                "superseded": latest.number != version.number,
                # Mid-year reviews of the year the version was issued in (March before an
                # April draft) are the draft's inputs.
                "inputs": reviews.mid_year_inputs(request.user, trust.pk, issued_year),
                # October's year-end review of the year before, presented to the board.
                "year_end_inputs": reviews.msp_year_inputs(trust.pk, issued_year),
                "failed_form": failed_form,
                "can_comment": version.consultation_open
                and latest.number == version.number
                and rules.may_comment_on_msp(request.user, trust),
                "can_answer": rules.may_edit_strategic_plan(request.user, trust.pk),
                "previous": version.strategic_plan.versions.filter(number__lt=version.number)
                .order_by("-number")
                .first(),
            },
            status=status,
        )


class MspVersionCompareView(ScopedViewMixin, View):
    """This version against another (?with=<number>, default the one before)."""

    def get(self, request, pk):
        version = _version(request, pk)
        others = version.strategic_plan.versions.exclude(pk=version.pk)
        wanted = request.GET.get("with", "")
        other = (
            others.filter(number=int(wanted)).first()
            if wanted.isdigit()
            else others.filter(number__lt=version.number).order_by("-number").first()
        )
        older, newer, diff = None, version, None
        if other is not None:
            older, newer = sorted([version, other], key=lambda v: v.number)
            diff = services.msp_compare(older.snapshot, newer.snapshot)
        return render(
            request,
            "planning/msp_compare.html",
            {
                "trust": version.strategic_plan.trust,
                "version": version,
                "older": older,
                "newer": newer,
                "diff": diff,
                "others": others,
            },
        )


class MspCommentAnswerView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        comment = get_object_or_404_for(
            request.user,
            Perm.STRATEGIC_PLAN_VIEW,
            ConsultationComment.objects.select_related("version__strategic_plan"),
            pk=pk,
        )
        plan = comment.version.strategic_plan
        deny_unless(
            rules.may_edit_strategic_plan(request.user, plan.trust_id), rules.MSP_ISSUE_REFUSED
        )
        form = MspAnswerForm(request.POST or None, initial={"response": comment.response})
        back = _version_url(comment.version) + f"#{comment.priority_code}"
        return form_page(
            request,
            form,
            lambda f: services.msp_comment_answer(
                actor=request.user, comment=comment, response=f.cleaned_data["response"]
            ),
            success_url=back,
            title=f"Answer a comment on {comment.priority_code}",
            back_url=back,
            success_message="Answer saved.",
            context={"intro": comment.text},
        )


class MspVersionApproveView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        version = _version(request, pk)
        trust = version.strategic_plan.trust
        deny_unless(rules.may_edit_strategic_plan(request.user, trust.pk), rules.MSP_ISSUE_REFUSED)
        form = BoardAgreeForm(
            request.POST or None, meetings=selectors.board_meetings_in_trust(trust.pk)
        )
        return form_page(
            request,
            form,
            lambda f: services.msp_version_approve(
                actor=request.user, version=version, meeting=f.cleaned_data["meeting"]
            ),
            success_url=_version_url(version),
            title="Record the board's approval",
            back_url=_version_url(version),
            success_message="Approved.",
            context={"intro": str(version)},
        )
