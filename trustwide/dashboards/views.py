from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.audit.models import PupilAccessKind
from trustwide.audit.services import record_pupil_access
from trustwide.common import pagecache, paging, pdfs
from trustwide.common.exports import xlsx_response
from trustwide.common.views import ScopedViewMixin, deny_unless, form_page
from trustwide.kpis import definitions as kd
from trustwide.kpis.groups import GROUP_LABELS, YEAR_GROUPS
from trustwide.trusts.calendar import term_dates_for
from trustwide.trusts.models import AcademicYear, School, Term, Trust
from trustwide.trusts.utils import chosen_year, current_term, current_year, year_label

from . import charts, concerns, reports, rules, selectors, services
from .forms import (
    CommentaryForm,
    ConcernRuleForm,
    SchoolDashboardFilterForm,
    TermForm,
    TrustDashboardFilterForm,
)
from .pupils import pupil_lists


def _trust_for(request, slug, perm=Perm.KPI_VIEW) -> Trust:
    # With its data version: trust-wide pages are cached on it (common.pagecache).
    trusts = pagecache.with_versions(Trust.objects.all())
    trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, trusts, slug=slug)
    deny_unless(rules.sees_trust_dashboard(request.user, trust, perm), rules.TRUST_PAGES_HIDDEN)
    return trust


def _school_for(request, pk, perm=Perm.KPI_VIEW) -> School:
    return get_object_or_404_for(
        request.user, perm, School.objects.select_related("trust", "hub"), pk=pk
    )


def _years(trust, *, terms: bool = False) -> list[AcademicYear]:
    years = AcademicYear.objects.filter(trust=trust).order_by("-start_year")
    return list(years.prefetch_related("terms") if terms else years)


def _term(request, trust, year) -> tuple[Term | None, TermForm, list[Term]]:
    terms = selectors.terms_of(trust)
    form = TermForm(request.GET or None, terms=terms)
    term = None
    if form.is_valid() and form.cleaned_data.get("term"):
        term = next((t for t in terms if t.pk == form.cleaned_data["term"]), None)
    term = term or current_term(year.terms.all() if year else ())
    if term is not None:
        form.initial["term"] = term.pk
    return term, form, terms


# --------------------------------------------------------------------------- trust dashboard


class TrustDashboardView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust_for(request, slug)
        years = _years(trust)
        hubs = selectors.visible_hubs(request.user, trust)
        form = TrustDashboardFilterForm(request.GET or None, years=years, hubs=hubs)
        data = form.cleaned_data if form.is_valid() else {}
        year = chosen_year(years, data.get("year"))
        if year is None:
            return render(request, "dashboards/no_year.html", {"trust": trust})
        filters = {
            "year": year.start_year,
            "hub": data.get("hub"),
            "phase": data.get("phase") or None,
            "attention": bool(data.get("attention")),
            "sort": data.get("sort") or "school",
            "dir": data.get("dir") or "asc",
            # Sorting and filtering start again at the first page; the pager keeps the rest.
            "base_query": paging.without(request.GET, "sort", "dir", "page"),
            "page": paging.page_key(request.GET.get("page")),
        }

        def table() -> str:
            dashboard = selectors.trust_dashboard(
                user=request.user,
                trust=trust,
                academic_year=year.start_year,
                hub_id=filters["hub"],
                phase=filters["phase"],
                sort=filters["sort"],
                direction=filters["dir"],
                attention_only=filters["attention"],
            )
            base = filters["base_query"]
            sorted_by = (
                f"{base}{'&' if base else ''}sort={dashboard.sort}&dir={dashboard.direction}"
            )
            page = paging.page_of(
                dashboard.rows,
                filters["page"],
                base_query=sorted_by,
                label="Pages of the schools table",
                target="trust-table",
            )
            context = {"dashboard": dashboard, "page": page, "year": year, "base_query": base}
            order = {"sort": dashboard.sort, "dir": dashboard.direction}
            context["attention_url"] = paging.link_with(
                request.GET, ("page",), attention="on", **order
            )
            context["attention_off_url"] = paging.link_with(
                request.GET, ("page", "attention"), **order
            )
            return render_to_string("dashboards/partials/_trust_table.html", context)

        # The per-school rows are the page's cost: kept per viewer's grants and data version.
        table_html = pagecache.cached_html(
            "trust-dashboard", trust=trust, user=request.user, params=filters, render=table
        )
        if request.htmx:
            return HttpResponse(table_html)
        context = {
            "trust": trust,
            "form": form,
            "table_html": table_html,
            "show_hub_filter": len(hubs) > 1,
            "can_see_board_report": rules.sees_board_report(request.user, trust),
        }
        return render(request, "dashboards/trust_dashboard.html", context)


class TrustConcernsView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust_for(request, slug)
        years = _years(trust)
        year = chosen_year(years, None)
        if year is None:
            return render(request, "dashboards/no_year.html", {"trust": trust})
        term = current_term(year.terms.all() if year else ())
        rule = selectors.concern_rule(trust)
        dashboard = selectors.trust_dashboard(
            user=request.user, trust=trust, academic_year=year.start_year, rule=rule
        )
        rollup_rows, total, previous = selectors.plan_rollup(
            user=request.user, trust=trust, term=term
        )
        context = {
            "trust": trust,
            "year": year,
            "term": term,
            "rule": rule,
            "dashboard": dashboard,
            "trust_concerns": concerns.trust_concerns(dashboard=dashboard),
            "schools_of_concern": selectors.schools_of_concern(
                rule=rule, dashboard=dashboard, rollup_rows=rollup_rows
            ),
            "rollup_rows": rollup_rows,
            "rollup_total": total,
            "previous_term": previous,
            "can_change_rule": rules.may_change_concern_rule(request.user, trust.pk),
        }
        return render(request, "dashboards/trust_concerns.html", context)


class ConcernRuleView(ScopedViewMixin, View):
    def _trust(self, request, slug):
        trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
        deny_unless(
            rules.may_change_concern_rule(request.user, trust.pk), rules.CONCERN_RULE_REFUSED
        )
        return trust

    def get(self, request, slug):
        return self.handle(request, slug)

    def post(self, request, slug):
        return self.handle(request, slug)

    def handle(self, request, slug):
        trust = self._trust(request, slug)
        form = ConcernRuleForm(request.POST or None, instance=selectors.concern_rule(trust))

        def save(form):
            services.concern_rule_save(
                actor=request.user,
                trust=trust,
                **{f: form.cleaned_data[f] for f in services.RULE_FIELDS},
            )

        url = reverse("dashboards:trust-concerns", kwargs={"slug": trust.slug})
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Schools-of-concern rule saved.",
            title="Schools-of-concern rule",
            back_url=url,
            context={
                "back": "Priorities from data",
                "submit_label": "Save rule",
                "intro": "A school is listed when it meets any test that is switched on (0 switches a test off).",
            },
        )


# --------------------------------------------------------------------------- school dashboard


def _school_year(request, school):
    years = _years(school.trust)
    form = SchoolDashboardFilterForm(request.GET or None, years=years)
    data = form.cleaned_data if form.is_valid() else {}
    return years, form, chosen_year(years, data.get("year")), data


def _school_charts(board: selectors.SchoolDashboard) -> list[charts.Chart]:
    kpi = kd.kpi_by_code(board.code)
    out = []
    main = next((r for _label, r in board.groups if _label == "All pupils"), None)
    reference = (
        ("National", main.national.value)
        if main is not None and main.national is not None
        else None
    )
    if reference is None:
        reading = next((r for r in board.readings if r.kpi.code == board.code), None)
        if reading is not None and reading.national is not None:
            reference = ("National", reading.national.value)
    out.append(
        charts.bar_chart(
            title=f"{kpi.name} by pupil group",
            unit=kpi.unit,
            better=kpi.better,
            decimals=kpi.decimals,
            reference=reference,
            items=[
                (label, r.value, r.display if r.computed else "no data")
                for label, r in board.groups
                if not label.startswith(("Year", "Reception"))
            ],
        )
    )
    terms = board.term_trend.get(board.code, {})
    if terms:
        series = [(f"{year_label(y)}", terms[y]) for y in sorted(terms)]
        out.append(
            charts.line_chart(
                title=f"{kpi.name} by term",
                x_labels=["Autumn", "Spring", "Summer"],
                series=series,
                unit=kpi.unit,
                better=kpi.better,
                decimals=kpi.decimals,
            )
        )
    years = board.year_trend.get(board.code, {})
    if years:
        ys = sorted(years)
        out.append(
            charts.line_chart(
                title=f"{kpi.name} by year",
                x_labels=[year_label(y) for y in ys],
                series=[("School", [years[y] for y in ys])],
                unit=kpi.unit,
                better=kpi.better,
                decimals=kpi.decimals,
            )
        )
    return out


class SchoolDashboardView(ScopedViewMixin, View):
    def get(self, request, pk):
        school = _school_for(request, pk)
        years, form, year, data = _school_year(request, school)
        if year is None:
            return render(request, "dashboards/no_year.html", {"trust": school.trust})
        board = selectors.school_dashboard(
            school=school,
            academic_year=year.start_year,
            period=data.get("period") or "year",
            code=data.get("kpi") or "overall_absence",
        )
        context = {
            "school": school,
            "form": form,
            "board": board,
            "year": year,
            "charts": _school_charts(board),
            "kpi": kd.kpi_by_code(board.code),
            "year_groups": selectors.year_groups_of(school, year.start_year),
            "query": request.GET.urlencode(),
        }
        template = (
            "dashboards/partials/_school_body.html"
            if request.htmx
            else "dashboards/school_dashboard.html"
        )
        return render(request, template, context)


class YearGroupView(ScopedViewMixin, View):
    def get(self, request, pk, group):
        school = _school_for(request, pk)
        if group not in YEAR_GROUPS:
            raise Http404("No such year group.")
        years, form, year, data = _school_year(request, school)
        if year is None:
            return render(request, "dashboards/no_year.html", {"trust": school.trust})
        period = data.get("period") or "year"
        readings = selectors.headline_readings(
            school=school,
            academic_year=year.start_year,
            period=period,
            group=group,
            with_percentiles=False,
        )
        term = current_term(term_dates_for(school, year).terms)  # on the school's own dates
        lists = pupil_lists(
            user=request.user,
            school=school,
            academic_year=year.start_year,
            term=term,
            year_group=YEAR_GROUPS[group],
        )
        if lists is not None:
            record_pupil_access(
                actor=request.user,
                trust_id=school.trust_id,
                school_id=school.pk,
                kind=PupilAccessKind.YEAR_GROUP_LISTS,
                description=f"{GROUP_LABELS[group]} pupil lists, {year.label}",
                path=request.get_full_path(),
                pupil_keys=[
                    p.pupil_key
                    for rows in (
                        lists.persistent_absence,
                        lists.attendance_fell,
                        lists.not_on_track,
                    )
                    for p in rows
                ],
            )
        shown = [r for r in readings if r.kpi.unit == "%"]
        # KPIs point different ways (absence: lower is better), so the summary lists values
        # rather than naming a "best" one.
        chart = charts.bar_chart(
            title=f"{GROUP_LABELS[group]}: headline KPIs",
            items=[(r.kpi.name, r.value, r.display) for r in shown],
            summary=f"{GROUP_LABELS[group]}: "
            + "; ".join(f"{r.kpi.name.lower()} {r.display}" for r in shown)
            + ".",
        )
        context = {
            "school": school,
            "form": form,
            "year": year,
            "group": group,
            "group_label": GROUP_LABELS[group],
            "readings": readings,
            "lists": lists,
            "term": term,
            "chart": chart,
            "period": period,
        }
        return render(request, "dashboards/year_group.html", context)


class SchoolConcernsView(ScopedViewMixin, View):
    def get(self, request, pk):
        school = _school_for(request, pk)
        year = current_year(school.trust)
        found = (
            concerns.school_concerns(school=school, academic_year=year.start_year) if year else []
        )
        return render(
            request,
            "dashboards/school_concerns.html",
            {
                "school": school,
                "year": year,
                "concerns": found,
                "can_plan": rules.may_plan_from_concern(request.user, school),
            },
        )


class ConcernToPriorityView(ScopedViewMixin, View):
    def post(self, request, pk):
        school = _school_for(request, pk)
        deny_unless(rules.may_plan_from_concern(request.user, school), rules.PLAN_EDIT_REFUSED)
        year = current_year(school.trust)
        found = (
            concerns.school_concerns(school=school, academic_year=year.start_year) if year else []
        )
        concern = concerns.find(found, request.POST.get("key", ""))
        if concern is None:
            messages.error(
                request, "That concern is no longer in the list (the data may have changed)."
            )
            return redirect("dashboards:school-concerns", pk=school.pk)
        try:
            priority = services.concern_to_priority(
                actor=request.user, school=school, concern=concern, academic_year=year
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("dashboards:school-concerns", pk=school.pk)
        messages.success(
            request, f"Added to the plan as draft priority {priority.number}: {priority.title}."
        )
        return redirect(reverse("planning:plan-detail", args=[priority.plan_id]))


# --------------------------------------------------------------------------- head's report


def _head_report(request, pk):
    school = _school_for(request, pk, Perm.REPORT_VIEW)
    year = current_year(school.trust)
    term, form, _terms = _term(request, school.trust, year)
    context = reports.head_report_context(user=request.user, school=school, term=term)
    context.update({"term_form": form, "can_edit": rules.may_edit_commentary(request.user, school)})
    return school, context


class HeadReportView(ScopedViewMixin, View):
    def get(self, request, pk):
        _school, context = _head_report(request, pk)
        return render(request, "dashboards/head_report.html", context)


class HeadReportPdfView(ScopedViewMixin, View):
    """Rendered in the task worker and cached (common.pdfs); access checked here first."""

    def get(self, request, pk):
        school = _school_for(request, pk, Perm.REPORT_VIEW)
        term, _form, _terms = _term(request, school.trust, current_year(school.trust))
        return pdfs.serve(
            request,
            builder="trustwide.dashboards.pdfs.head_report",
            params={"school": school.pk, "term": term.pk if term else None},
            trust_id=school.trust_id,
            title=f"Head's report: {school.name}",
            back_url=reverse("dashboards:head-report", args=[school.pk]),
        )


class CommentaryEditView(ScopedViewMixin, View):
    def _load(self, request, pk):
        school = _school_for(request, pk, Perm.REPORT_VIEW)
        deny_unless(rules.may_edit_commentary(request.user, school), rules.COMMENTARY_REFUSED)
        year = current_year(school.trust)
        term, _form, terms = _term(request, school.trust, year)
        if request.method == "POST":
            chosen = next((t for t in terms if str(t.pk) == request.POST.get("term")), None)
            term = chosen or term
        if term is None:
            raise Http404("No term is set up for this trust.")
        return school, term

    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        """The form posts back to its own address, ?term= included, so the term chosen stays."""
        school, term = self._load(request, pk)
        form = CommentaryForm(
            request.POST or None, instance=selectors.commentary_for(school=school, term=term)
        )
        report = f"{reverse('dashboards:head-report', args=[school.pk])}?term={term.pk}"
        return form_page(
            request,
            form,
            lambda f: services.commentary_save(
                actor=request.user, school=school, term=term, **f.cleaned_data
            ),
            success_url=report,
            success_message="Commentary saved.",
            title=f"Commentary for {term}",
            back_url=report,
            context={
                "back": "Head's report",
                "subtitle": school.name,
                "submit_label": "Save commentary",
            },
        )


# --------------------------------------------------------------------------- board report


def _board_period(request, trust):
    """(year, term, term form) of the board report: the term asked for, else the current one."""
    years = _years(trust)
    year = chosen_year(years, None)
    term, form, _terms = _term(request, trust, year)
    if term is not None and year is not None and term.academic_year_id != year.pk:
        year = next((y for y in years if y.pk == term.academic_year_id), year)
    return year, term, form


def _board(request, slug):
    trust = _trust_for(request, slug, Perm.REPORT_VIEW)
    year, term, form = _board_period(request, trust)
    context = reports.board_report_context(user=request.user, trust=trust, year=year, term=term)
    context["term_form"] = form
    return trust, context


class BoardReportView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust_for(request, slug, Perm.REPORT_VIEW)
        year, term, form = _board_period(request, trust)

        # The pager keeps the term (and anything else asked for); the page decides what is shown.
        params = {
            "year": year.pk if year else None,
            "term": term.pk if term else None,
            "base_query": paging.without(request.GET, "page"),
            "page": paging.page_key(request.GET.get("page")),
        }

        def body() -> str:
            context = reports.board_report_context(
                user=request.user, trust=trust, year=year, term=term
            )
            context = reports.board_report_page(
                context, params["page"], base_query=params["base_query"]
            )
            return render_to_string("dashboards/includes/_board_body.html", context)

        # A page of schools' rows, the roll-up and the SEF matrix: kept per audience, page and
        # data version.
        context = {
            "trust": trust,
            "term": term,
            "term_form": form,
            "year_label": year_label(year.start_year if year else timezone.localdate().year),
            "body_html": pagecache.cached_html(
                "board-report", trust=trust, user=request.user, params=params, render=body
            ),
        }
        return render(request, "dashboards/board_report.html", context)


class BoardReportPdfView(ScopedViewMixin, View):
    """Rendered in the task worker and cached (common.pdfs); access checked here first."""

    def get(self, request, slug):
        trust = _trust_for(request, slug, Perm.REPORT_VIEW)
        year, term, _form = _board_period(request, trust)
        return pdfs.serve(
            request,
            builder="trustwide.dashboards.pdfs.board_report",
            params={
                "trust": trust.pk,
                "year": year.pk if year else None,
                "term": term.pk if term else None,
            },
            trust_id=trust.pk,
            title=f"Board report: {trust.name}",
            back_url=reverse("dashboards:board-report", args=[trust.slug]),
        )


class BoardReportXlsxView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust, context = _board(request, slug)
        return xlsx_response(
            reports.board_report_xlsx(context),
            f"{trust.slug}-board-report-{context['year_label'].replace('/', '-')}.xlsx",
        )
