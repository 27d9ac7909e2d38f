"""Risk register pages: school register, trust register with roll-up and heatmap, risk
detail with reviews, forms, threshold and board-paper exports."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common import pagecache, paging, pdfs
from trustwide.common.exports import build_xlsx, xlsx_response
from trustwide.common.views import ScopedViewMixin, deny_unless, form_page
from trustwide.trusts.models import School, Trust

from . import rules, selectors, services
from .forms import ReviewForm, RiskForm, ThresholdForm
from .models import Risk


def _school(request, pk) -> School:
    return _school_for(request.user, pk)


def _school_for(user, pk) -> School:
    school = get_object_or_404_for(
        user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
    )
    deny_unless(rules.may_see_school_register(user, school), rules.SCHOOL_REGISTER_REFUSED)
    return school


def _trust(request, slug, trusts=Trust) -> Trust:
    return _trust_for(request.user, trusts, slug=slug)


def _trust_for(user, trusts=Trust, **lookup) -> Trust:
    trust = get_object_or_404_for(user, Perm.TRUST_VIEW, trusts, **lookup)
    deny_unless(rules.may_see_trust_register(user, trust), rules.TRUST_REGISTER_REFUSED)
    return trust


def _risk(request, pk) -> Risk:
    qs = selectors.visible_risks(request.user).select_related(
        "trust", "school", "owner", "mitigating_action__priority__plan"
    )
    try:
        return qs.get(pk=pk)
    except Risk.DoesNotExist as exc:
        raise Http404("No risk found.") from exc


def _register_url(risk: Risk) -> str:
    if risk.school_id:
        return reverse("risks:school-register", args=[risk.school_id])
    return reverse("risks:trust-register", args=[risk.trust.slug])


class SchoolRegisterView(ScopedViewMixin, View):
    def get(self, request, pk):
        school = _school(request, pk)
        risks = selectors.school_register(school)
        return render(
            request,
            "risks/school_register.html",
            {
                "school": school,
                "risks": risks,
                "heatmap": selectors.heatmap(risks),
                "can_edit": rules.may_edit(request.user, trust=school.trust, school=school),
                "today": timezone.localdate(),
                "threshold": selectors.threshold_for(school.trust),
            },
        )


ROLLED_CAPTION = "School risks at or above the threshold (rolled up from school registers)"


class TrustRegisterView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug, pagecache.with_versions(Trust.objects.all()))
        schools = selectors.register_schools(request.user, trust)
        context = {
            "trust": trust,
            "can_edit": rules.may_edit(request.user, trust=trust),
            "today": timezone.localdate(),
            "limited": schools is not None,
        }

        # Two long tables, each a page at a time; each pager keeps the other's page.
        pages = {name: paging.page_key(request.GET.get(name)) for name in ("rolled", "bysch")}
        bases = {name: paging.without(request.GET, name) for name in pages}

        def body() -> str:
            own, rolled, threshold = selectors.trust_register(trust, schools)
            hm, summary = selectors.schools_heatmap(trust, schools)
            summary = selectors.most_at_risk_first(summary)
            more = {"own": own, "rolled": rolled, "heatmap": hm, "summary": summary}
            more["rolled_page"] = paging.page_of(
                rolled,
                pages["rolled"],
                base_query=bases["rolled"],
                param="rolled",
                label="Pages of the rolled-up school risks",
                target="rolled-risks",
            )
            more["summary_page"] = paging.page_of(
                summary,
                pages["bysch"],
                base_query=bases["bysch"],
                param="bysch",
                label="Pages of the active risks by school",
                target="risks-by-school",
            )
            more["rolled_caption"] = ROLLED_CAPTION + paging.caption_range(more["rolled_page"])
            return render_to_string(
                "risks/partials/_trust_register_body.html",
                {**context, **more, "threshold": threshold},
            )

        # Every school's rows: kept per audience (which schools, may edit), pages and data version.
        params = {"schools": sorted(schools) if schools is not None else None}
        params.update(can_edit=context["can_edit"], pages=pages, bases=bases)
        context["body_html"] = pagecache.cached_html(
            "trust-risks", trust=trust, user=request.user, params=params, render=body
        )
        return render(request, "risks/trust_register.html", context)


class RiskDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        risk = _risk(request, pk)
        selectors.attach_movement([risk])
        return render(
            request,
            "risks/risk_detail.html",
            {
                "risk": risk,
                "reviews": list(risk.reviews.select_related("reviewed_by")),
                "can_edit": rules.may_edit(request.user, trust=risk.trust, school=risk.school),
                "register_url": _register_url(risk),
                "threshold": selectors.threshold_for(risk.trust) if risk.school_id else None,
            },
        )


class RiskCreateView(ScopedViewMixin, View):
    def _where(self, request, pk=None, slug=None):
        if pk is not None:
            school = _school(request, pk)
            deny_unless(
                rules.may_edit(request.user, trust=school.trust, school=school), rules.EDIT_REFUSED
            )
            return (
                school.trust,
                school,
                reverse("risks:school-register", args=[school.pk]),
                school.name,
            )
        trust = _trust(request, slug)
        deny_unless(rules.may_edit(request.user, trust=trust), rules.EDIT_REFUSED)
        return (
            trust,
            None,
            reverse("risks:trust-register", args=[trust.slug]),
            f"{trust.name} (trust register)",
        )

    def get(self, request, pk=None, slug=None):
        return self.handle(request, pk, slug)

    def post(self, request, pk=None, slug=None):
        return self.handle(request, pk, slug)

    def handle(self, request, pk, slug):
        trust, school, back, where = self._where(request, pk, slug)
        form = RiskForm(request.POST or None, trust=trust, school=school)

        def save(form):
            return services.risk_create(
                actor=request.user, trust=trust, school=school, **form.values()
            )

        return form_page(
            request,
            form,
            save,
            success_url=lambda r: reverse("risks:risk-detail", args=[r.pk]),
            success_message="Risk added.",
            context={
                "title": "Add a risk",
                "subtitle": where,
                "back_url": back,
                "back": "Risk register",
            },
        )


class RiskEditView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        risk = _risk(request, pk)
        deny_unless(
            rules.may_edit(request.user, trust=risk.trust, school=risk.school), rules.EDIT_REFUSED
        )
        form = RiskForm(
            request.POST or None,
            instance=Risk.objects.get(pk=risk.pk),
            trust=risk.trust,
            school=risk.school,
        )

        def save(form):
            return services.risk_update(actor=request.user, risk=risk, **form.values())

        url = reverse("risks:risk-detail", args=[risk.pk])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Risk updated.",
            context={"title": f"Edit risk: {risk.title}", "back_url": url, "back": risk.title},
        )


class RiskReviewView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        risk = _risk(request, pk)
        deny_unless(
            rules.may_edit(request.user, trust=risk.trust, school=risk.school), rules.EDIT_REFUSED
        )
        form = ReviewForm(
            request.POST or None,
            initial={"likelihood": risk.residual_likelihood, "impact": risk.residual_impact},
        )

        def save(form):
            return services.risk_review(actor=request.user, risk=risk, **form.cleaned_data)

        url = reverse("risks:risk-detail", args=[risk.pk])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Review recorded.",
            context={
                "title": f"Review risk: {risk.title}",
                "back_url": url,
                "back": risk.title,
                "subtitle": f"Residual score now {risk.residual_score} "
                f"({risk.residual_likelihood} x {risk.residual_impact}).",
            },
        )


class RiskDeleteView(ScopedViewMixin, View):
    """Delete a risk entered in error: GET asks for confirmation, POST deletes. A risk that has
    simply ended is closed (its status), which keeps it and its reviews on record."""

    def _allowed(self, request, pk) -> Risk:
        risk = _risk(request, pk)
        deny_unless(
            rules.may_edit(request.user, trust=risk.trust, school=risk.school), rules.EDIT_REFUSED
        )
        return risk

    def get(self, request, pk):
        risk = self._allowed(request, pk)
        return render(
            request, "risks/risk_delete.html", {"risk": risk, "review_count": risk.reviews.count()}
        )

    def post(self, request, pk):
        risk = self._allowed(request, pk)
        register_url = _register_url(risk)
        title = risk.title
        services.risk_delete(actor=request.user, risk=risk)
        messages.success(request, f"Deleted the risk \u201c{title}\u201d.")
        return redirect(register_url)


class ThresholdView(ScopedViewMixin, View):
    def get(self, request, slug):
        return self.handle(request, slug)

    def post(self, request, slug):
        return self.handle(request, slug)

    def handle(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.may_set_threshold(request.user, trust), rules.THRESHOLD_REFUSED)
        form = ThresholdForm(
            request.POST or None, initial={"threshold": selectors.threshold_for(trust)}
        )
        url = reverse("risks:trust-register", args=[trust.slug])

        def save(form):
            return services.threshold_set(
                actor=request.user, trust=trust, threshold=form.cleaned_data["threshold"]
            )

        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Threshold saved.",
            context={"title": "Roll-up threshold", "back_url": url, "back": "Trust risk register"},
        )


HEADER = [
    "Level",
    "School",
    "Title",
    "Category",
    "Owner",
    "Inherent L",
    "Inherent I",
    "Inherent score",
    "Residual L",
    "Residual I",
    "Residual score",
    "Rating",
    "Movement",
    "Previous score",
    "Controls",
    "Mitigation",
    "Plan action",
    "Review date",
    "Status",
]


def _row(r: Risk) -> list:
    return [
        r.level.title(),
        r.school.name if r.school_id else "",
        r.title,
        r.get_category_display(),
        r.owner.full_name if r.owner_id else "",
        r.inherent_likelihood,
        r.inherent_impact,
        r.inherent_score,
        r.residual_likelihood,
        r.residual_impact,
        r.residual_score,
        r.residual_band[1],
        selectors.MOVEMENT_WORDS[r.movement],
        r.previous_score,
        r.controls,
        r.mitigation,
        str(r.mitigating_action) if r.mitigating_action_id else "",
        r.review_on.strftime("%d/%m/%Y"),
        r.get_status_display(),
    ]


def _school_export(user, school) -> dict:
    risks = selectors.school_register(school)
    return {
        "title": f"Risk register: {school.name}",
        "sheets": [("School risks", risks)],
        "context": {"school": school, "risks": risks, "heatmap": selectors.heatmap(risks)},
        "filename": f"risk-register-{school.urn}",
    }


def _trust_export(user, trust) -> dict:
    schools = selectors.register_schools(user, trust)
    own, rolled, threshold = selectors.trust_register(trust, schools)
    hm, summary = selectors.schools_heatmap(trust, schools)
    return {
        "title": f"Trust risk register: {trust.name}",
        "sheets": [("Trust risks", own), (f"School risks {threshold}+", rolled)],
        "context": {
            "trust": trust,
            "own": own,
            "rolled": rolled,
            "threshold": threshold,
            "heatmap": hm,
            "summary": summary,
        },
        "filename": f"trust-risk-register-{trust.slug}",
    }


def _pdf(export: dict):
    context = {**export["context"], "title": export["title"], "generated": timezone.localdate()}
    return "risks/pdf/register.html", context, f"{export['filename']}.pdf"


def school_register_pdf(user, *, school: int):
    """Built in the task worker (common.pdfs) with the requester's access."""
    return _pdf(_school_export(user, _school_for(user, school)))


def trust_register_pdf(user, *, trust: int):
    """Built in the task worker (common.pdfs) with the requester's access."""
    return _pdf(_trust_export(user, _trust_for(user, pk=trust)))


def _xlsx(export: dict):
    sheets = [(name, HEADER, [_row(r) for r in risks]) for name, risks in export["sheets"]]
    return xlsx_response(build_xlsx(sheets), f"{export['filename']}.xlsx")


class SchoolExportView(ScopedViewMixin, View):
    def get(self, request, pk, fmt):
        school = _school(request, pk)
        if fmt == "xlsx":
            return _xlsx(_school_export(request.user, school))
        if fmt != "pdf":
            raise Http404("Unknown format.")
        return pdfs.serve(
            request,
            builder="trustwide.risks.views.school_register_pdf",
            params={"school": school.pk},
            trust_id=school.trust_id,
            title=f"Risk register: {school.name}",
            back_url=reverse("risks:school-register", args=[school.pk]),
        )


class TrustExportView(ScopedViewMixin, View):
    def get(self, request, slug, fmt):
        trust = _trust(request, slug)
        if fmt == "xlsx":
            return _xlsx(_trust_export(request.user, trust))
        if fmt != "pdf":
            raise Http404("Unknown format.")
        return pdfs.serve(
            request,
            builder="trustwide.risks.views.trust_register_pdf",
            params={"trust": trust.pk},
            trust_id=trust.pk,
            title=f"Trust risk register: {trust.name}",
            back_url=reverse("risks:trust-register", args=[trust.slug]),
        )
