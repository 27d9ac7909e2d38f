"""Policy register pages: the trust register (trust-wide policies and every school's the user
may see, filtered by school, category and review state), the school register (its own and the
trust-wide ones), a policy with its review history, forms, retire, delete and Excel exports."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.exports import build_xlsx, xlsx_response
from trustwide.common.views import ScopedViewMixin, deny_unless, form_page
from trustwide.trusts.models import School, Trust

from . import review_dates, rules, selectors, services
from .forms import PolicyForm, RegisterFilterForm, ReviewForm
from .models import Policy


def _school(request, pk) -> School:
    school = get_object_or_404_for(
        request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
    )
    deny_unless(rules.may_see_school_register(request.user, school), rules.SCHOOL_REGISTER_REFUSED)
    return school


def _trust(request, slug) -> Trust:
    trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
    deny_unless(rules.may_see_register(request.user, trust), rules.TRUST_REGISTER_REFUSED)
    return trust


def _policy(request, pk) -> Policy:
    qs = selectors.visible_policies(request.user).select_related("trust", "school", "owner")
    try:
        return qs.get(pk=pk)
    except Policy.DoesNotExist as exc:
        raise Http404("No policy found.") from exc


def _editable(request, pk) -> Policy:
    policy = _policy(request, pk)
    deny_unless(
        rules.may_edit(request.user, trust=policy.trust, school=policy.school), rules.EDIT_REFUSED
    )
    return policy


def register_url(policy: Policy) -> str:
    if policy.school_id:
        return reverse("policies:school-register", args=[policy.school_id])
    return reverse("policies:trust-register", args=[policy.trust.slug])


def _context(request, reg: selectors.Register, form) -> dict:
    """The register, and the counts by review state, each a link that keeps the other filters."""
    counts = []
    for state in selectors.STATES:
        query = request.GET.copy()
        query["due"] = state
        counts.append(
            {
                "state": state,
                "label": review_dates.DUE_STATE_LABELS[state],
                "n": reg.counts[state],
                "query": query.urlencode(),
                "selected": request.GET.get("due") == state,
            }
        )
    return {
        "register": reg,
        "rows": reg.rows,
        "counts": counts,
        "form": form,
        "today": reg.today,
        "query": request.GET.urlencode(),
        "due_soon_days": review_dates.DUE_SOON_DAYS,
    }


class TrustRegisterView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug)
        form = RegisterFilterForm(
            request.GET or None, schools=selectors.register_schools(request.user, trust)
        )
        reg = selectors.register(request.user, trust=trust, **form.values())
        context = {
            **_context(request, reg, form),
            "trust": trust,
            "show_school": True,
            "can_add": rules.may_edit(request.user, trust=trust),
            "filter_url": reverse("policies:trust-register", args=[trust.slug]),
            "export_url": reverse("policies:trust-export", args=[trust.slug]),
        }
        template = (
            "policies/partials/_register.html" if request.htmx else "policies/trust_register.html"
        )
        return render(request, template, context)


class SchoolRegisterView(ScopedViewMixin, View):
    def get(self, request, pk):
        school = _school(request, pk)
        form = RegisterFilterForm(request.GET or None)
        reg = selectors.register(request.user, trust=school.trust, school=school, **form.values())
        context = {
            **_context(request, reg, form),
            "school": school,
            "trust": school.trust,
            "show_school": True,
            "can_add": rules.may_edit(request.user, trust=school.trust, school=school),
            "filter_url": reverse("policies:school-register", args=[school.pk]),
            "export_url": reverse("policies:school-export", args=[school.pk]),
        }
        template = (
            "policies/partials/_register.html" if request.htmx else "policies/school_register.html"
        )
        return render(request, template, context)


class PolicyDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        policy = _policy(request, pk)
        today = timezone.localdate()
        state = policy.due_state(today)
        return render(
            request,
            "policies/policy_detail.html",
            {
                "policy": policy,
                "reviews": selectors.policy_reviews(policy),
                "state": state,
                "state_label": review_dates.DUE_STATE_LABELS[state],
                "register_url": register_url(policy),
                "can_edit": rules.may_edit(request.user, trust=policy.trust, school=policy.school),
                "computed": policy.next_review_on == policy.computed_next_review(),
            },
        )


class PolicyCreateView(ScopedViewMixin, View):
    """Add a policy: from the trust register (trust-wide or any school: trust-level editors) or
    from a school's register (that school's editors)."""

    def _where(self, request, pk=None, slug=None):
        if pk is not None:
            school = _school(request, pk)
            deny_unless(
                rules.may_edit(request.user, trust=school.trust, school=school), rules.EDIT_REFUSED
            )
            return (
                school.trust,
                school,
                reverse("policies:school-register", args=[school.pk]),
                school.name,
            )
        trust = _trust(request, slug)
        deny_unless(rules.may_edit(request.user, trust=trust), rules.ADD_TRUST_POLICY_REFUSED)
        return (
            trust,
            None,
            reverse("policies:trust-register", args=[trust.slug]),
            f"{trust.name} policy register",
        )

    def get(self, request, pk=None, slug=None):
        return self.handle(request, pk, slug)

    def post(self, request, pk=None, slug=None):
        return self.handle(request, pk, slug)

    def handle(self, request, pk, slug):
        trust, school, back, where = self._where(request, pk, slug)
        form = PolicyForm(
            request.POST or None, trust=trust, school=school, choose_school=school is None
        )

        def save(form):
            values = form.values()
            chosen = values.pop("school", None) if school is None else school
            return services.policy_create(actor=request.user, trust=trust, school=chosen, **values)

        return form_page(
            request,
            form,
            save,
            success_url=lambda p: reverse("policies:policy-detail", args=[p.pk]),
            success_message="Policy added.",
            context={
                "title": "Add a policy",
                "subtitle": where,
                "back_url": back,
                "back": "Policy register",
            },
        )


class PolicyEditView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        policy = _editable(request, pk)
        # The form works on its own copy: the service compares against the stored values.
        form = PolicyForm(
            request.POST or None,
            instance=Policy.objects.get(pk=policy.pk),
            trust=policy.trust,
            school=policy.school,
        )

        def save(form):
            return services.policy_update(actor=request.user, policy=policy, **form.values())

        url = reverse("policies:policy-detail", args=[policy.pk])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Policy updated.",
            context={
                "title": f"Edit policy: {policy.title}",
                "back_url": url,
                "back": policy.title,
                "subtitle": policy.school.name if policy.school_id else "Trust-wide policy",
            },
        )


class PolicyReviewView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        policy = _editable(request, pk)
        form = ReviewForm(request.POST or None, policy=policy)

        def save(form):
            return services.policy_record_review(
                actor=request.user, policy=policy, **form.cleaned_data
            )

        url = reverse("policies:policy-detail", args=[policy.pk])
        last = (
            f"Last approved {policy.approved_on:%d/%m/%Y}"
            if policy.approved_on
            else "Not yet approved"
        )
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Review recorded.",
            context={
                "title": f"Record a review: {policy.title}",
                "back_url": url,
                "back": policy.title,
                "subtitle": f"{last}; reviewed every {policy.review_every_months} months.",
            },
        )


class _ConfirmView(ScopedViewMixin, View):
    """GET asks for confirmation; POST calls the service and goes back."""

    template = "policies/confirm.html"
    action = ""

    def get(self, request, pk):
        policy = _editable(request, pk)
        return render(
            request,
            self.template,
            {"policy": policy, "action": self.action, "review_count": policy.reviews.count()},
        )


class PolicyRetireView(_ConfirmView):
    action = "retire"

    def post(self, request, pk):
        policy = _editable(request, pk)
        services.policy_retire(actor=request.user, policy=policy)
        messages.success(request, "Policy retired: it stays on record, off the review lists.")
        return redirect("policies:policy-detail", pk=policy.pk)


class PolicyDeleteView(_ConfirmView):
    action = "delete"

    def post(self, request, pk):
        policy = _editable(request, pk)
        back, title = register_url(policy), policy.title
        services.policy_delete(actor=request.user, policy=policy)
        messages.success(request, f"Deleted the policy \u201c{title}\u201d.")
        return redirect(back)


HEADER = [
    "School",
    "Title",
    "Category",
    "Statutory",
    "Owner",
    "Approved by",
    "Last approved",
    "Review every (months)",
    "Next review due",
    "Review state",
    "Status",
    "Document",
    "Notes",
]


def _row(p: Policy) -> list:
    return [
        p.school.name if p.school_id else "Trust-wide",
        p.title,
        p.get_category_display(),
        "Yes" if p.statutory else "No",
        p.owner.full_name if p.owner_id else "",
        p.approver,
        p.approved_on,
        p.review_every_months,
        p.next_review_on,
        review_dates.DUE_STATE_LABELS[p.state],
        p.get_status_display(),
        p.document_url,
        p.notes,
    ]


def _xlsx(reg: selectors.Register, filename: str):
    data = build_xlsx([("Policy register", HEADER, [_row(p) for p in reg.rows])])
    return xlsx_response(data, filename)


class TrustExportView(ScopedViewMixin, View):
    """The register as Excel, with the page's filters."""

    def get(self, request, slug):
        trust = _trust(request, slug)
        form = RegisterFilterForm(
            request.GET or None, schools=selectors.register_schools(request.user, trust)
        )
        return _xlsx(
            selectors.register(request.user, trust=trust, **form.values()),
            f"policy-register-{trust.slug}.xlsx",
        )


class SchoolExportView(ScopedViewMixin, View):
    def get(self, request, pk):
        school = _school(request, pk)
        form = RegisterFilterForm(request.GET or None)
        reg = selectors.register(request.user, trust=school.trust, school=school, **form.values())
        return _xlsx(reg, f"policy-register-{school.urn}.xlsx")
