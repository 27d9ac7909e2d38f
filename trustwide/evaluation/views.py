"""Self-evaluation pages. Out of scope is 404 (objects are fetched through access); in scope
but not allowed is 403; every write goes through services."""

from __future__ import annotations

import mimetypes
from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common import pdfs
from trustwide.common.exports import docx_response, xlsx_response
from trustwide.common.views import ScopedViewMixin, add_errors, deny_unless, form_page
from trustwide.trusts.models import AcademicYear, School, Trust
from trustwide.trusts.selectors import hubs_for
from trustwide.trusts.utils import default_year

from . import exports, rules, selectors, services
from .forms import (
    EvidenceForm,
    FrameworkCopyForm,
    FrameworkEditForm,
    JudgementForm,
    MatrixFilterForm,
    SefCreateForm,
    StatementRatingForm,
    TrustSelfReviewCreateForm,
    ValidationForm,
)
from .models import (
    Evidence,
    Framework,
    FrameworkKind,
    SefStatus,
    SelfEvaluation,
    TrustSelfReview,
    TrustStatementRating,
)

# --------------------------------------------------------------------------- helpers


def _school(request, pk, rule) -> School:
    """The school if the user sees it (else 404) and `rule(user, school)` allows (else 403)."""
    school = get_object_or_404_for(
        request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust", "hub"), pk=pk
    )
    deny_unless(rule(request.user, school), rules.SCHOOL_SEF_REFUSED)
    return school


def _sef(request, pk, rule, *, details: bool = False) -> SelfEvaluation:
    """The SEF if the user sees its school (else 404) and `rule(user, school)` allows (else 403)."""
    return _sef_for(request.user, pk, rule, details=details)


def _sef_for(user, pk, rule, *, details: bool = False) -> SelfEvaluation:
    queryset = selectors.sef_queryset()
    sef = get_object_or_404_for(user, Perm.SCHOOL_VIEW, queryset, pk=pk)
    deny_unless(rule(user, sef.school), rules.SEF_REFUSED)
    return selectors.sef_with_details(user=user, pk=pk) if details else sef


def _judgement(sef: SelfEvaluation, area_code: str):
    judgement = sef.judgements.filter(area_code=area_code).first()
    if judgement is None:
        raise Http404("This self-evaluation has no such area.")
    return judgement


def _trust(request, slug) -> Trust:
    return get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)


def _back_to_sef(sef) -> str:
    return reverse("evaluation:sef-detail", kwargs={"pk": sef.pk})


# --------------------------------------------------------------------------- school SEFs


class SchoolSefListView(ScopedViewMixin, View):
    def get(self, request, pk):
        school = _school(request, pk, rules.may_view_sef)
        context = {
            "school": school,
            "sefs": list(selectors.sefs_of_school(user=request.user, school=school)),
            "can_edit": rules.may_edit_sef(request.user, school),
        }
        return render(request, "evaluation/school_sefs.html", context)


class SefCreateView(ScopedViewMixin, View):
    def _form(self, school, data=None):
        years = AcademicYear.objects.filter(trust=school.trust).order_by("-start_year")
        current = years.filter(is_current=True).first()
        active = selectors.school_frameworks(trust=school.trust)
        earlier = SelfEvaluation.objects.filter(school=school).select_related(
            "academic_year", "framework"
        )
        default = active.filter(code=selectors.DEFAULT_FRAMEWORK_CODE).first()
        return SefCreateForm(
            data,
            years=years,
            frameworks=active,
            earlier=earlier,
            initial={
                "academic_year": current,
                "framework": default,
                "start_from": earlier.order_by("-academic_year__start_year").first(),
            },
        )

    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        school = _school(request, pk, rules.may_edit_sef)
        form = self._form(school, request.POST or None)

        def save(form):
            return services.sef_create(
                actor=request.user,
                school=school,
                academic_year=form.cleaned_data["academic_year"],
                framework=form.cleaned_data["framework"],
                start_from=form.cleaned_data["start_from"],
            )

        return form_page(
            request,
            form,
            save,
            success_url=_back_to_sef,
            success_message="Self-evaluation started.",
            title=f"Start a self-evaluation for {school.name}",
            back_url=reverse("evaluation:school-sefs", kwargs={"pk": school.pk}),
            context={"back": "Self-evaluation", "submit_label": "Start"},
        )


def _with_area_names(sef, evidence):
    """Evidence is tagged with area codes; pages show the areas' names."""
    spec = sef.framework.spec
    for item in evidence:
        names = []
        for code in item.areas:
            try:
                names.append(spec.area(code).name)
            except KeyError:
                names.append(code)
        item.area_names = names
    return evidence


class SefDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        user = request.user
        sef = _sef(request, pk, rules.may_view_sef, details=True)
        school = sef.school
        previous = selectors.previous_sef(sef)
        blocks = selectors.sef_area_blocks(sef, previous)
        spec = sef.framework.spec
        can_edit = rules.may_edit_sef(user, school)
        can_validate = rules.may_validate_sef(user, school)
        context = {
            "sef": sef,
            "school": school,
            "spec": spec,
            "blocks": blocks,
            "previous": previous,
            "accuracy": selectors.accuracy_by_scale(spec, selectors.sef_pairs(sef)),
            "can_edit": can_edit and sef.status == SefStatus.DRAFT,
            "can_submit": can_edit and sef.status == SefStatus.DRAFT,
            "can_reopen": (can_edit and sef.status == SefStatus.SUBMITTED)
            or (can_validate and sef.status != SefStatus.DRAFT),
            "can_sign_off": can_validate and sef.status == SefStatus.SUBMITTED,
            "can_record_validation": bool(rules.validator_roles(user, school))
            and sef.status != SefStatus.DRAFT,
            "can_start_next": can_edit,
            "can_view_history": rules.may_see_sef_history(user, school),
            "evidence": _with_area_names(sef, list(sef.evidence.all())),
        }
        return render(request, "evaluation/sef_detail.html", context)


class SefHistoryView(ScopedViewMixin, View):
    def get(self, request, pk):
        sef = _sef(request, pk, rules.may_see_sef_history)
        page = Paginator(selectors.sef_history(sef), 50).get_page(request.GET.get("page"))
        return render(request, "evaluation/sef_history.html", {"sef": sef, "page": page})


class JudgementEditView(ScopedViewMixin, View):
    def _setup(self, request, pk, area):
        sef = _sef(request, pk, rules.may_edit_sef)
        judgement = _judgement(sef, area)
        spec = sef.framework.spec
        return sef, judgement, spec, spec.area(area)

    def _render(self, request, sef, judgement, area, form, status=200):
        return render(
            request,
            "evaluation/judgement_form.html",
            {"sef": sef, "judgement": judgement, "area": area, "form": form},
            status=status,
        )

    def get(self, request, pk, area):
        sef, judgement, spec, area_def = self._setup(request, pk, area)
        if sef.status != SefStatus.DRAFT:
            messages.error(
                request, "This self-evaluation is not a draft: return it to draft before editing."
            )
            return redirect(_back_to_sef(sef))
        initial = {
            name: getattr(judgement, name)
            for name in ("grade_code", *services.JUDGEMENT_TEXT_FIELDS)
        }
        form = JudgementForm(spec=spec, area_code=area, initial=initial)
        return self._render(request, sef, judgement, area_def, form)

    def post(self, request, pk, area):
        sef, judgement, spec, area_def = self._setup(request, pk, area)
        form = JudgementForm(request.POST, spec=spec, area_code=area)
        if form.is_valid():
            try:
                services.judgement_update(
                    actor=request.user, judgement=judgement, **form.cleaned_data
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, f"{area_def.name} saved.")
                return redirect(_back_to_sef(sef) + f"#area-{area}")
        return self._render(request, sef, judgement, area_def, form, status=400)


class _SefTransitionView(ScopedViewMixin, View):
    rule = staticmethod(rules.may_edit_sef)
    service = None
    done = ""

    def post(self, request, pk):
        sef = _sef(request, pk, self.rule)
        try:
            result = type(self).service(actor=request.user, sef=sef)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(_back_to_sef(sef))
        messages.success(request, self.done)
        return redirect(_back_to_sef(result))


class SefSubmitView(_SefTransitionView):
    service = staticmethod(services.sef_submit)
    done = "Self-evaluation submitted for validation."


class SefValidateView(_SefTransitionView):
    rule = staticmethod(rules.may_validate_sef)
    service = staticmethod(services.sef_validate)
    done = "Self-evaluation signed off as validated."


class SefReopenView(_SefTransitionView):
    rule = staticmethod(rules.may_try_reopen_sef)  # the service judges the status
    service = staticmethod(services.sef_reopen)
    done = "Self-evaluation returned to draft."


class SefNextYearView(_SefTransitionView):
    service = staticmethod(services.sef_start_next_year)
    done = "Next year's self-evaluation started from this one."


class EvidenceCreateView(ScopedViewMixin, View):
    def _setup(self, request, pk):
        sef = _sef(request, pk, rules.may_edit_sef)
        areas = services.applicable_areas(sef.framework.spec, sef.school)
        return sef, areas

    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        sef, areas = self._setup(request, pk)
        if request.method == "POST":
            form = EvidenceForm(request.POST, request.FILES, areas=areas)
        else:
            form = EvidenceForm(
                areas=areas,
                initial={"areas": [request.GET["area"]]} if request.GET.get("area") else {},
            )

        def save(form):
            data = form.cleaned_data
            services.evidence_add(
                actor=request.user,
                sef=sef,
                kind=data["kind"],
                title=data["title"],
                areas=data["areas"],
                text=data["text"],
                url=data["url"],
                file=data["file"],
            )

        return form_page(
            request,
            form,
            save,
            success_url=_back_to_sef(sef) + "#evidence",
            success_message="Evidence added.",
            title="Add evidence",
            back_url=_back_to_sef(sef),
            context={
                "back": f"SEF {sef.academic_year.label}: {sef.school.name}",
                "multipart": True,
                "submit_label": "Add evidence",
                "intro": "Evidence can be text, a link or a file, and is tagged to the areas it supports.",
            },
        )


def _evidence(request, pk, rule) -> Evidence:
    evidence = get_object_or_404_for(
        request.user, Perm.SCHOOL_VIEW, Evidence.objects.select_related("sef__school__trust"), pk=pk
    )
    deny_unless(rule(request.user, evidence.sef.school), rules.EVIDENCE_REFUSED)
    return evidence


class EvidenceFileView(ScopedViewMixin, View):
    def get(self, request, pk):
        evidence = _evidence(request, pk, rules.may_view_sef)
        if not evidence.file:
            raise Http404("This evidence has no file.")
        content_type = mimetypes.guess_type(evidence.file_name)[0] or "application/octet-stream"
        return FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=evidence.file_name,
            content_type=content_type,
        )


class EvidenceDeleteView(ScopedViewMixin, View):
    def get(self, request, pk):
        evidence = _evidence(request, pk, rules.may_edit_sef)
        return render(
            request,
            "evaluation/evidence_confirm_delete.html",
            {"evidence": evidence, "sef": evidence.sef},
        )

    def post(self, request, pk):
        evidence = _evidence(request, pk, rules.may_edit_sef)
        sef = evidence.sef
        services.evidence_delete(actor=request.user, evidence=evidence)
        messages.success(request, "Evidence removed.")
        return redirect(_back_to_sef(sef) + "#evidence")


class ValidationCreateView(ScopedViewMixin, View):
    def _setup(self, request, pk, area):
        sef = _sef(request, pk, rules.may_view_sef)
        roles = rules.validator_roles(request.user, sef.school)
        deny_unless(bool(roles), rules.VALIDATION_REFUSED)
        judgement = _judgement(sef, area)
        spec = sef.framework.spec
        return sef, judgement, spec, roles

    def _render(self, request, sef, judgement, spec, form, status=200):
        context = {
            "sef": sef,
            "judgement": judgement,
            "area": spec.area(judgement.area_code),
            "form": form,
            "grade": selectors.grade_view(spec, judgement.area_code, judgement.grade_code),
        }
        return render(request, "evaluation/validation_form.html", context, status=status)

    def get(self, request, pk, area):
        sef, judgement, spec, roles = self._setup(request, pk, area)
        form = ValidationForm(
            spec=spec,
            area_code=area,
            roles=roles,
            initial={"validated_on": timezone.localdate(), "verdict": "agree"},
        )
        return self._render(request, sef, judgement, spec, form)

    def post(self, request, pk, area):
        sef, judgement, spec, roles = self._setup(request, pk, area)
        form = ValidationForm(request.POST, spec=spec, area_code=area, roles=roles)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.validation_record(
                    actor=request.user,
                    judgement=judgement,
                    role=data["role"],
                    agrees=data["verdict"] == "agree",
                    grade_code=data["grade_code"] if data["verdict"] != "agree" else "",
                    rationale=data["rationale"],
                    validated_on=data["validated_on"],
                    validator_name=data["validator_name"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "agrees" in error.error_dict:
                    error.error_dict["verdict"] = error.error_dict.pop("agrees")
                add_errors(form, error)
            else:
                messages.success(request, "Validation recorded.")
                return redirect(_back_to_sef(sef) + f"#area-{area}")
        return self._render(request, sef, judgement, spec, form, status=400)


def sef_pdf(user, *, sef: int):
    """The SEF as PDF, built in the task worker (common.pdfs) with the requester's access."""
    sef = _sef_for(user, sef, rules.may_view_sef, details=True)
    context = exports.sef_export_context(sef)
    return "evaluation/print/sef.html", context, exports.sef_filename(sef, "pdf")


class SefPdfView(ScopedViewMixin, View):
    def get(self, request, pk):
        sef = _sef(request, pk, rules.may_view_sef)
        return pdfs.serve(
            request,
            builder="trustwide.evaluation.views.sef_pdf",
            params={"sef": sef.pk},
            trust_id=sef.school.trust_id,
            title=f"Self-evaluation: {sef.school.name}",
            back_url=_back_to_sef(sef),
        )


class SefDocxView(ScopedViewMixin, View):
    def get(self, request, pk):
        sef = _sef(request, pk, rules.may_view_sef, details=True)
        return docx_response(
            exports.sef_docx(exports.sef_export_context(sef)), exports.sef_filename(sef, "docx")
        )


# --------------------------------------------------------------------------- trust matrix


def _overview_trust(request, slug) -> Trust:
    trust = _trust(request, slug)
    deny_unless(rules.may_see_trust_overview(request.user, trust), rules.OVERVIEW_HIDDEN)
    return trust


def _matrix(request, trust):
    user = request.user
    years = selectors.trust_years(trust)
    frameworks = selectors.matrix_framework_choices(trust=trust)
    hubs = list(hubs_for(user=user, trust=trust))
    form = MatrixFilterForm(request.GET or None, years=years, frameworks=frameworks, hubs=hubs)
    filters = form.cleaned_data if form.is_valid() else {}
    year = next((y for y in years if y.pk == filters.get("year")), None) or default_year(years)
    codes = [code for code, _ in frameworks]
    code = filters.get("framework") or (
        selectors.DEFAULT_FRAMEWORK_CODE
        if selectors.DEFAULT_FRAMEWORK_CODE in codes
        else (codes[0] if codes else "")
    )
    matrix = selectors.trust_matrix(
        user=user,
        trust=trust,
        year=year,
        framework_code=code,
        hub_id=filters.get("hub"),
        phase=filters.get("phase"),
    )
    if not form.is_bound:
        form = MatrixFilterForm(
            initial={"year": year.pk if year else None, "framework": code},
            years=years,
            frameworks=frameworks,
            hubs=hubs,
        )
    return matrix, form, hubs


class TrustMatrixView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _overview_trust(request, slug)
        matrix, form, hubs = _matrix(request, trust)
        context = {
            "trust": trust,
            "matrix": matrix,
            "form": form,
            "show_hub_filter": bool(hubs),
            "query": request.GET.urlencode(),
        }
        template = (
            "evaluation/partials/_matrix.html" if request.htmx else "evaluation/trust_matrix.html"
        )
        return render(request, template, context)


class TrustMatrixXlsxView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _overview_trust(request, slug)
        matrix, _form, _hubs = _matrix(request, trust)
        themes = selectors.development_themes(matrix)
        label = matrix.year.label.replace("/", "-") if matrix.year else "none"
        return xlsx_response(
            exports.matrix_xlsx(matrix, themes), f"{trust.slug}-sef-matrix-{label}.xlsx"
        )


class TrustThemesView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _overview_trust(request, slug)
        matrix, form, hubs = _matrix(request, trust)
        context = {
            "trust": trust,
            "matrix": matrix,
            "form": form,
            "show_hub_filter": bool(hubs),
            "themes": selectors.development_themes(matrix),
        }
        return render(request, "evaluation/trust_themes.html", context)


# --------------------------------------------------------------------------- frameworks


def _framework_trust(request, slug) -> Trust:
    trust = _trust(request, slug)
    deny_unless(rules.may_see_frameworks(request.user, trust), rules.FRAMEWORKS_HIDDEN)
    return trust


def _framework(trust, pk) -> Framework:
    framework = (
        Framework.objects.available_to(trust.pk)
        .select_related("trust", "copied_from")
        .filter(pk=pk)
        .first()
    )
    if framework is None:
        raise Http404("No such framework.")
    return framework


def _require_manage(request, trust) -> None:
    deny_unless(rules.may_manage_frameworks(request.user, trust.pk), rules.FRAMEWORK_MANAGE_REFUSED)


class FrameworkListView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _framework_trust(request, slug)
        frameworks = list(selectors.frameworks_for(trust=trust, include_inactive=True))
        context = {
            "trust": trust,
            "builtin": [f for f in frameworks if f.is_builtin],
            "own": [f for f in frameworks if not f.is_builtin],
            "can_manage": rules.may_manage_frameworks(request.user, trust.pk),
        }
        return render(request, "evaluation/framework_list.html", context)


class FrameworkDetailView(ScopedViewMixin, View):
    def get(self, request, slug, pk):
        trust = _framework_trust(request, slug)
        framework = _framework(trust, pk)
        context = {
            "trust": trust,
            "framework": framework,
            "spec": framework.spec,
            "can_manage": rules.may_manage_frameworks(request.user, trust.pk),
            "in_use": services.framework_in_use(framework),
        }
        return render(request, "evaluation/framework_detail.html", context)


class FrameworkCopyView(ScopedViewMixin, View):
    def _setup(self, request, slug, pk):
        trust = _framework_trust(request, slug)
        _require_manage(request, trust)
        return trust, _framework(trust, pk)

    def get(self, request, slug, pk):
        return self.handle(request, slug, pk)

    def post(self, request, slug, pk):
        return self.handle(request, slug, pk)

    def handle(self, request, slug, pk):
        trust, framework = self._setup(request, slug, pk)
        form = FrameworkCopyForm(
            request.POST or None,
            initial={
                "name": f"{framework.name} ({trust.name})",
                "code": slugify(f"{trust.slug}-{framework.code}")[:80],
            },
        )

        def save(form):
            return services.framework_copy(
                actor=request.user,
                framework=framework,
                trust=trust,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
            )

        return form_page(
            request,
            form,
            save,
            success_message="Framework copied into your trust: edit it below.",
            success_url=lambda copy: reverse(
                "evaluation:framework-edit", kwargs={"slug": trust.slug, "pk": copy.pk}
            ),
            title=f"Copy {framework.name} into {trust.name}",
            back_url=reverse("evaluation:framework-list", kwargs={"slug": trust.slug}),
            context={
                "back": "Frameworks",
                "submit_label": "Copy",
                "intro": "The copy belongs to your trust; you can then rename it and edit its areas and prompts. "
                "Its grade scales stay as they are.",
            },
        )


class FrameworkEditView(ScopedViewMixin, View):
    def _setup(self, request, slug, pk):
        trust = _framework_trust(request, slug)
        _require_manage(request, trust)
        framework = _framework(trust, pk)
        deny_unless(not framework.is_builtin, rules.BUILTIN_FRAMEWORK_REFUSED)
        return trust, framework

    def _render(self, request, trust, framework, form, status=200):
        context = {
            "trust": trust,
            "framework": framework,
            "form": form,
            "in_use": services.framework_in_use(framework),
            "areas": [
                (code, [form[f"{p}__{code}"] for p in ("name", "description", "prompts")])
                for code in form.area_fields
            ],
        }
        return render(request, "evaluation/framework_edit.html", context, status=status)

    def get(self, request, slug, pk):
        trust, framework = self._setup(request, slug, pk)
        form = FrameworkEditForm(spec=framework.spec, initial={"name": framework.name})
        return self._render(request, trust, framework, form)

    def post(self, request, slug, pk):
        trust, framework = self._setup(request, slug, pk)
        form = FrameworkEditForm(request.POST, spec=framework.spec)
        if form.is_valid():
            try:
                edited = services.framework_edit(
                    actor=request.user,
                    framework=framework,
                    name=form.cleaned_data["name"],
                    areas=form.area_changes(),
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                if edited.pk != framework.pk:
                    messages.success(
                        request,
                        f"Saved as version {edited.version}: version {framework.version} is in use and stays as it was.",
                    )
                else:
                    messages.success(request, "Framework saved.")
                return redirect("evaluation:framework-detail", slug=trust.slug, pk=edited.pk)
        return self._render(request, trust, framework, form, status=400)


# --------------------------------------------------------------------------- trust self-review


def _self_review_trust(request, slug, rule=rules.may_see_self_review) -> Trust:
    trust = _trust(request, slug)
    deny_unless(rule(request.user, trust.pk), rules.SELF_REVIEW_HIDDEN)
    return trust


def _self_review(request, pk, rule=rules.may_see_self_review) -> TrustSelfReview:
    review = get_object_or_404_for(
        request.user,
        Perm.TRUST_VIEW,
        TrustSelfReview.objects.select_related("trust", "academic_year", "framework"),
        pk=pk,
    )
    deny_unless(rule(request.user, review.trust_id), rules.SELF_REVIEW_HIDDEN)
    return review


def _self_review_create_form(trust, data=None):
    years = AcademicYear.objects.filter(trust=trust).order_by("-start_year")
    frameworks = selectors.frameworks_for(trust=trust, kinds=[FrameworkKind.TRUST_SELF_REVIEW])
    return TrustSelfReviewCreateForm(
        data,
        years=years,
        frameworks=frameworks,
        initial={"academic_year": years.filter(is_current=True).first()},
    )


class TrustSelfReviewListView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _self_review_trust(request, slug)
        can_edit = rules.may_edit_self_review(request.user, trust.pk)
        context = {
            "trust": trust,
            "reviews": list(selectors.trust_self_reviews(trust=trust)),
            "can_edit": can_edit,
            "form": _self_review_create_form(trust) if can_edit else None,
        }
        return render(request, "evaluation/trust_self_review_list.html", context)


class TrustSelfReviewCreateView(ScopedViewMixin, View):
    def post(self, request, slug):
        trust = _self_review_trust(request, slug, rules.may_edit_self_review)
        form = _self_review_create_form(trust, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            earlier = (
                TrustSelfReview.objects.filter(
                    trust=trust,
                    framework__code=data["framework"].code,
                    academic_year__start_year__lt=data["academic_year"].start_year,
                )
                .order_by("-academic_year__start_year")
                .first()
            )
            try:
                review = services.trust_self_review_create(
                    actor=request.user,
                    trust=trust,
                    academic_year=data["academic_year"],
                    framework=data["framework"],
                    start_from=earlier,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Trust self-review started.")
                return redirect("evaluation:trust-self-review-detail", pk=review.pk)
        context = {
            "trust": trust,
            "reviews": list(selectors.trust_self_reviews(trust=trust)),
            "can_edit": True,
            "form": form,
        }
        return render(request, "evaluation/trust_self_review_list.html", context, status=400)


class TrustSelfReviewDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        review = _self_review(request, pk)
        spec = review.framework.spec
        rows = []
        for rating in review.ratings.all():
            rows.append(
                (
                    spec.area(rating.area_code),
                    rating,
                    selectors.grade_view(spec, rating.area_code, rating.grade_code),
                )
            )
        counts = Counter(grade.code for _area, _rating, grade in rows if grade)
        scale = spec.scales[0]
        legend = (
            [
                (selectors.grade_view(spec, rows[0][0].code, g.code), counts.get(g.code, 0))
                for g in scale.grades
            ]
            if rows
            else []
        )
        context = {
            "review": review,
            "trust": review.trust,
            "spec": spec,
            "rows": rows,
            "legend": legend,
            "can_edit": rules.may_edit_self_review(request.user, review.trust_id),
        }
        return render(request, "evaluation/trust_self_review_detail.html", context)


class TrustStatementEditView(ScopedViewMixin, View):
    def _setup(self, request, pk, area):
        review = _self_review(request, pk, rules.may_edit_self_review)
        rating = TrustStatementRating.objects.filter(review=review, area_code=area).first()
        if rating is None:
            raise Http404("No such statement in this self-review.")
        spec = review.framework.spec
        return review, rating, spec

    def get(self, request, pk, area):
        return self.handle(request, pk, area)

    def post(self, request, pk, area):
        return self.handle(request, pk, area)

    def handle(self, request, pk, area):
        review, rating, spec = self._setup(request, pk, area)
        form = StatementRatingForm(
            request.POST or None,
            spec=spec,
            area_code=area,
            initial={
                "grade_code": rating.grade_code,
                "current_position": rating.current_position,
                "actions": rating.actions,
            },
        )
        back = reverse("evaluation:trust-self-review-detail", kwargs={"pk": review.pk})
        statement = spec.area(rating.area_code)
        return form_page(
            request,
            form,
            lambda f: services.trust_statement_rate(
                actor=request.user, rating=rating, **f.cleaned_data
            ),
            success_url=f"{back}#s-{area}",
            success_message="Statement saved.",
            title=statement.name,
            back_url=back,
            context={"back": str(review), "intro": statement.description},
        )
