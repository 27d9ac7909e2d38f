"""Results by subject (issue 18 item 6): the trust's school x subject grid and a school's list of
subjects. Aggregates only: no pupil is named or counted below the KPI group sizes here."""

from django.shortcuts import render
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin, deny_unless
from trustwide.trusts.models import School, Trust
from trustwide.trusts.utils import default_year, year_label

from . import rules, subjects
from .forms import SubjectResultsForm


def _choices(request, trust, *, with_figure: bool):
    """(form, year, key stage, figure) from the query string; defaults when absent or invalid."""
    years = list(trust.academic_years.all())
    current = default_year(years)
    year = current.start_year if current else None
    form = SubjectResultsForm(
        request.GET or None,
        years=years,
        figures=subjects.KS4_FIGURES,
        initial={"year": year, "key_stage": "ks4", "figure": "grade4"},
    )
    if not with_figure:
        form.fields.pop("figure")
    key_stage, figure = "ks4", "grade4"
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        key_stage = form.cleaned_data["key_stage"] or "ks4"
        figure = form.cleaned_data.get("figure") or "grade4"
    return form, year, key_stage, figure


class TrustSubjectResultsView(ScopedViewMixin, View):
    """Schools x subjects for a year and key stage: the schools the user reads KPIs for."""

    def get(self, request, slug):
        trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
        deny_unless(
            rules.sees_subject_results_in_trust(request.user, trust.pk),
            rules.SUBJECT_RESULTS_HIDDEN,
        )
        form, year, key_stage, figure = _choices(request, trust, with_figure=True)
        context = {
            "trust": trust,
            "form": form,
            "year": year,
            "year_label": year_label(year) if year else "",
            "last_year_label": year_label(year - 1) if year else "",
            "key_stage": key_stage,
            "figure": figure,
            "figure_name": dict(subjects.KS4_FIGURES)[figure],
            "no_national": subjects.NO_NATIONAL,
        }
        if year:
            if key_stage == "ks4":
                schools = subjects.visible_schools(
                    user=request.user, trust=trust, academic_year=year
                )
                grid = subjects.ks4_trust_grid(schools=schools, trust=trust, academic_year=year)
                context.update(grid=grid, rows=grid.rows(figure))
            else:
                kept, rows, without = subjects.ks2_trust_grid(
                    user=request.user, trust=trust, academic_year=year
                )
                context.update(ks2_schools=kept, rows=rows, ks2_without=without)
        return render(request, "kpis/trust_subjects.html", context)


class SchoolSubjectResultsView(ScopedViewMixin, View):
    """A school's subjects with last year, the trust average and the national figure."""

    def get(self, request, pk):
        school = get_object_or_404_for(
            request.user, Perm.KPI_VIEW, School.objects.select_related("trust"), pk=pk
        )
        deny_unless(
            rules.may_view_subject_results(request.user, school), rules.SUBJECT_RESULTS_HIDDEN
        )
        form, year, key_stage, _figure = _choices(request, school.trust, with_figure=False)
        with_trust = rules.sees_trust_subject_averages(request.user, school.trust_id)
        context = {
            "school": school,
            "form": form,
            "year": year,
            "year_label": year_label(year) if year else "",
            "last_year_label": year_label(year - 1) if year else "",
            "key_stage": key_stage,
            "with_trust": with_trust,
            "no_national": subjects.NO_NATIONAL,
            "average_min": subjects.AVERAGE_MIN,
            "share_min": subjects.SHARE_MIN,
        }
        if year and key_stage == "ks4":
            context["lines"] = subjects.ks4_school_subjects(
                school=school, academic_year=year, with_trust=with_trust
            )
        elif year:
            context["ks2_lines"] = subjects.ks2_school_subjects(
                school=school, academic_year=year, with_trust=with_trust
            )
        return render(request, "kpis/school_subjects.html", context)
