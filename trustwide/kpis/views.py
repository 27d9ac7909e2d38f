from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin, deny_unless
from trustwide.trusts.models import School, Trust
from trustwide.trusts.utils import default_year

from . import definitions as d
from . import rules, selectors, services
from .forms import ReadingFilterForm, TargetsForm
from .models import KpiTarget


def _current_year(trust) -> int | None:
    current = default_year(trust.academic_years.all())
    return current.start_year if current else None


class KpiDefinitionsView(ScopedViewMixin, View):
    def get(self, request):
        deny_unless(rules.sees_kpis_somewhere(request.user), rules.KPIS_HIDDEN)
        return render(request, "kpis/definitions.html", {"kpis": d.KPIS})


class SchoolKpiView(ScopedViewMixin, View):
    """Every KPI of a school for a year, period and pupil group, with its context."""

    def get(self, request, pk):
        school = get_object_or_404_for(
            request.user, Perm.KPI_VIEW, School.objects.select_related("trust", "hub"), pk=pk
        )
        years = list(school.trust.academic_years.all())
        form = ReadingFilterForm(
            request.GET or None,
            years=years,
            initial={"year": _current_year(school.trust), "period": "year", "group": "all"},
        )
        year, period, group = _current_year(school.trust), "year", "all"
        if form.is_valid():
            year = form.cleaned_data["year"]
            period = form.cleaned_data["period"] or "year"
            group = form.cleaned_data["group"] or "all"
        readings = (
            selectors.school_readings(school=school, academic_year=year, period=period, group=group)
            if year
            else []
        )
        context = {
            "school": school,
            "form": form,
            "readings": readings,
            "year": year,
            "period": period,
            "group": group,
            "can_set_targets": rules.may_set_school_targets(request.user, school),
        }
        template = "kpis/partials/_readings.html" if request.htmx else "kpis/school_kpis.html"
        return render(request, template, context)


class SimilarSchoolsView(ScopedViewMixin, View):
    """The published schools behind a school's "similar schools" percentile for one KPI, named
    (public DfE school-level figures), for anyone who reads the school's KPIs."""

    def get(self, request, pk, code):
        school = get_object_or_404_for(
            request.user, Perm.KPI_VIEW, School.objects.select_related("trust"), pk=pk
        )
        try:
            kpi = d.kpi_by_code(code)
        except KeyError:
            raise Http404("No such KPI.") from None
        similar = selectors.similar_schools(kpi=kpi, school=school)
        rows = sorted(similar.rows, key=lambda r: r[4] or "") if similar else []
        context = {"school": school, "kpi": kpi, "similar": similar, "rows": rows}
        return render(request, "kpis/similar_schools.html", context)


class _TargetsView(ScopedViewMixin, View):
    template = "kpis/targets.html"

    def _context(self, request, trust, school, form, year):
        return {
            "trust": trust,
            "school": school,
            "form": form,
            "year": year,
            "years": list(trust.academic_years.all()),
        }

    def _year(self, request, trust) -> int:
        try:
            return int(request.GET.get("year") or request.POST.get("year") or _current_year(trust))
        except (TypeError, ValueError):
            return _current_year(trust)

    def _current(self, trust, school, year) -> dict[str, float]:
        rows = KpiTarget.objects.filter(trust=trust, school=school, academic_year=year, group="all")
        return {t.kpi_code: t.target for t in rows}

    def _save(self, request, trust, school, year):
        form = TargetsForm(request.POST, current=self._current(trust, school, year))
        if not form.is_valid():
            return render(
                request,
                self.template,
                self._context(request, trust, school, form, year),
                status=400,
            )
        try:
            with transaction.atomic():
                for code, value in form.cleaned_data.items():
                    services.kpi_target_set(
                        actor=request.user,
                        trust=trust,
                        school=school,
                        academic_year=year,
                        kpi_code=code,
                        target=value,
                    )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return render(
                request,
                self.template,
                self._context(request, trust, school, form, year),
                status=400,
            )
        messages.success(request, "Targets saved.")
        return None


class TrustTargetsView(_TargetsView):
    def _trust(self, request, slug):
        trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
        deny_unless(
            rules.may_set_trust_targets(request.user, trust.pk), rules.TRUST_TARGETS_REFUSED
        )
        return trust

    def get(self, request, slug):
        trust = self._trust(request, slug)
        year = self._year(request, trust)
        form = TargetsForm(current=self._current(trust, None, year))
        return render(request, self.template, self._context(request, trust, None, form, year))

    def post(self, request, slug):
        trust = self._trust(request, slug)
        year = self._year(request, trust)
        return self._save(request, trust, None, year) or redirect(f"{request.path}?year={year}")


class SchoolTargetsView(_TargetsView):
    def _school(self, request, pk):
        school = get_object_or_404_for(
            request.user, Perm.KPI_VIEW, School.objects.select_related("trust"), pk=pk
        )
        deny_unless(
            rules.may_set_school_targets(request.user, school), rules.SCHOOL_TARGETS_REFUSED
        )
        return school

    def get(self, request, pk):
        school = self._school(request, pk)
        year = self._year(request, school.trust)
        form = TargetsForm(current=self._current(school.trust, school, year))
        return render(
            request, self.template, self._context(request, school.trust, school, form, year)
        )

    def post(self, request, pk):
        school = self._school(request, pk)
        year = self._year(request, school.trust)
        return self._save(request, school.trust, school, year) or redirect(
            f"{request.path}?year={year}"
        )
