"""The academic calendar's pages: the trust's years and term dates (three terms or six
half-terms), the trust's and each school's closure days, and a school's own term dates."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import (
    ScopedViewMixin,
    delete_page,
    deny_unless,
    form_page,
    messages_from,
)

from . import rules, years
from . import utils as academic
from .calendar import term_dates_for
from .forms import ClosureDayForm, TermDatesForm
from .models import (
    AcademicYear,
    ClosureDay,
    School,
    SchoolTerm,
    TermName,
    Trust,
    default_term_dates,
)


def _on_term_fields(save):
    """Term messages name the term ("spring") or its half-term ("spring_half"): show each on
    that term's start-date field, or its first half-term field."""
    names = set(TermName.values)

    def field(key):
        if key in names:
            return f"{key}_starts_on"
        if key.endswith("_half") and key[: -len("_half")] in names:
            return f"{key[: -len('_half')]}_first_half_ends_on"
        return key

    def wrapped(form):
        try:
            return save(form)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            raise ValidationError({field(k): v for k, v in exc.error_dict.items()}) from exc

    return wrapped


def _years_trust(request, slug):
    trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
    deny_unless(rules.may_edit_trust(request.user, trust), rules.EDIT_TRUST_REFUSED)
    return trust


def _year(request, pk):
    year = get_object_or_404_for(
        request.user, Perm.TRUST_VIEW, AcademicYear.objects.select_related("trust"), pk=pk
    )
    deny_unless(rules.may_edit_trust(request.user, year.trust), rules.EDIT_TRUST_REFUSED)
    return year


def _school_year(request, pk, year_pk):
    """The school (in scope, else 404) and one of its trust's years; its calendar's editors only."""
    school = get_object_or_404_for(
        request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
    )
    year = AcademicYear.objects.filter(trust=school.trust_id, pk=year_pk).first()
    if year is None:
        raise Http404
    year.trust = school.trust
    deny_unless(
        rules.may_edit_calendar(request.user, school.trust, school), rules.EDIT_CALENDAR_REFUSED
    )
    return school, year


class AcademicYearListView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _years_trust(request, slug)
        rows = list(
            trust.academic_years.prefetch_related(
                "terms",
                Prefetch(
                    "closure_days",
                    queryset=ClosureDay.objects.filter(school=None),
                    to_attr="trust_closures",
                ),
            )
        )
        own = {}  # year -> the schools on their own term dates that year
        for year_id, school_id, name in (
            SchoolTerm.objects.filter(term__academic_year__trust=trust)
            .values_list("term__academic_year_id", "school_id", "school__name")
            .order_by("school__name")
            .distinct()
        ):
            own.setdefault(year_id, []).append((school_id, name))
        for year in rows:
            year.own_dates_schools = own.get(year.pk, [])
        return render(request, "trusts/academic_years.html", {"trust": trust, "years": rows})


class AcademicYearCreateView(ScopedViewMixin, View):
    def get(self, request, slug):
        return self.handle(request, slug)

    def post(self, request, slug):
        return self.handle(request, slug)

    def handle(self, request, slug):
        trust = _years_trust(request, slug)
        newest = trust.academic_years.order_by("-start_year").first()
        start_year = newest.start_year + 1 if newest else academic.current_academic_start_year()
        half_terms = bool(newest and newest.half_terms)
        terms = default_term_dates(start_year)
        if half_terms:
            terms = [(*t, *years.default_half_term(t[1], t[2])) for t in terms]
        initial = {"start_year": start_year, **TermDatesForm.initial_from(terms, half_terms)}
        form = TermDatesForm(request.POST or None, initial=initial, add_year=True)
        url = reverse("trusts:year-list", args=[trust.slug])
        return form_page(
            request,
            form,
            _on_term_fields(
                lambda f: years.academic_year_add(
                    actor=request.user,
                    trust=trust,
                    start_year=f.cleaned_data["start_year"],
                    dates=f.dates(),
                    half_terms=f.half_terms,
                )
            ),
            success_url=url,
            success_message=lambda y: f"Academic year {y.label} added with its terms.",
            title="Add an academic year",
            back_url=url,
            context={
                "back": "Academic years",
                "intro": "With six half-terms, give each term's half-term break: the last day "
                "of the first half and the first day of the second.",
            },
        )


class TermDatesView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        year = _year(request, pk)
        initial = TermDatesForm.initial_from(
            [
                (t.name, t.starts_on, t.ends_on, t.first_half_ends_on, t.second_half_starts_on)
                for t in year.terms.all()
            ],
            year.half_terms,
        )
        form = TermDatesForm(request.POST or None, initial=initial)
        url = reverse("trusts:year-list", args=[year.trust.slug])
        return form_page(
            request,
            form,
            _on_term_fields(
                lambda f: years.terms_update(
                    actor=request.user, year=year, dates=f.dates(), half_terms=f.half_terms
                )
            ),
            success_url=url,
            success_message=f"Term dates for {year.label} saved.",
            title=f"Term dates {year.label}",
            back_url=url,
            context={"back": "Academic years"},
        )


class AcademicYearMakeCurrentView(ScopedViewMixin, View):
    def post(self, request, pk):
        year = _year(request, pk)
        try:
            years.academic_year_make_current(actor=request.user, year=year)
        except ValidationError as exc:
            messages_from(request, exc)
        else:
            messages.success(request, f"{year.label} is now the current academic year.")
        return redirect("trusts:year-list", year.trust.slug)


class SchoolCalendarView(ScopedViewMixin, View):
    """A school's terms, half-terms and closure days for a year: its own dates or the trust's."""

    def get(self, request, pk):
        school = get_object_or_404_for(
            request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
        )
        deny_unless(
            rules.may_edit_calendar(request.user, school.trust, school),
            rules.EDIT_CALENDAR_REFUSED,
        )
        all_years = list(AcademicYear.objects.filter(trust=school.trust_id))
        year = academic.chosen_year(all_years, request.GET.get("year"))
        if year is None:
            raise Http404("The trust has no academic years yet.")
        calendar = term_dates_for(school, year)
        others = [y for y in all_years if y.pk != year.pk]
        return render(
            request,
            "trusts/school_calendar.html",
            {"school": school, "year": year, "calendar": calendar, "other_years": others},
        )


def _calendar_url(school, year) -> str:
    return f"{reverse('trusts:school-calendar', args=[school.pk])}?year={year.start_year}"


class SchoolTermsView(ScopedViewMixin, View):
    def get(self, request, pk, year_pk):
        return self.handle(request, pk, year_pk)

    def post(self, request, pk, year_pk):
        return self.handle(request, pk, year_pk)

    def handle(self, request, pk, year_pk):
        school, year = _school_year(request, pk, year_pk)
        calendar = term_dates_for(school, year)
        initial = TermDatesForm.initial_from(
            [
                (t.name, t.starts_on, t.ends_on, t.first_half_ends_on, t.second_half_starts_on)
                for t in calendar.terms
            ]
        )
        form = TermDatesForm(request.POST or None, initial=initial, structure=False)
        url = _calendar_url(school, year)
        return form_page(
            request,
            form,
            _on_term_fields(
                lambda f: years.school_terms_set(
                    actor=request.user, school=school, year=year, dates=f.dates()
                )
            ),
            success_url=url,
            success_message=f"{school.name} now keeps its own term dates for {year.label}.",
            title=f"{school.name}: own term dates {year.label}",
            back_url=url,
            context={
                "back": f"{school.name} calendar",
                "intro": f"For a school whose local authority sets other dates than the trust's. "
                f"{year.label} has {'six half-terms' if year.half_terms else 'three terms'}.",
            },
        )


class SchoolTermsClearView(ScopedViewMixin, View):
    def get(self, request, pk, year_pk):
        return self.handle(request, pk, year_pk)

    def post(self, request, pk, year_pk):
        return self.handle(request, pk, year_pk)

    def handle(self, request, pk, year_pk):
        school, year = _school_year(request, pk, year_pk)
        url = _calendar_url(school, year)
        return delete_page(
            request,
            title=f"{school.name}: back to the trust's term dates for {year.label}",
            explanation="The school's own term dates are removed; its closure days stay.",
            delete=lambda: years.school_terms_clear(actor=request.user, school=school, year=year),
            back_url=url,
            done_url=url,
            done_message=f"{school.name} follows the trust's term dates for {year.label}.",
            button="Use the trust's dates",
        )


class ClosureDayAddView(ScopedViewMixin, View):
    """A closure day of the trust (every school) or, with a school, of that school."""

    def get(self, request, **kwargs):
        return self.handle(request, **kwargs)

    def post(self, request, **kwargs):
        return self.handle(request, **kwargs)

    def handle(self, request, year_pk, pk=None):
        if pk is None:
            year, school = _year(request, year_pk), None
            url = reverse("trusts:year-list", args=[year.trust.slug])
            back, whose = "Academic years", f"every school of {year.trust.name}"
        else:
            school, year = _school_year(request, pk, year_pk)
            url, back, whose = _calendar_url(school, year), f"{school.name} calendar", school.name
        form = ClosureDayForm(request.POST or None)
        return form_page(
            request,
            form,
            lambda f: years.closure_day_add(
                actor=request.user, year=year, school=school, **f.cleaned_data
            ),
            success_url=url,
            success_message=lambda d: f"{d} added.",
            title=f"Add a closure day {year.label}",
            back_url=url,
            context={"back": back, "intro": f"A day in term when {whose} is closed to pupils."},
        )


class ClosureDayDeleteView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        day = get_object_or_404_for(
            request.user,
            Perm.SCHOOL_VIEW,
            ClosureDay.objects.select_related("academic_year__trust", "school"),
            pk=pk,
        )
        trust = day.academic_year.trust
        deny_unless(
            rules.may_edit_calendar(request.user, trust, day.school), rules.EDIT_CALENDAR_REFUSED
        )
        url = (
            _calendar_url(day.school, day.academic_year)
            if day.school
            else reverse("trusts:year-list", args=[trust.slug])
        )
        return delete_page(
            request,
            title=f"Remove the closure day {day.on:%d/%m/%Y}",
            explanation=f"{day} ({day.school.name if day.school else 'every school'}).",
            delete=lambda: years.closure_day_delete(actor=request.user, day=day),
            back_url=url,
            done_url=url,
            done_message=f"{day} removed.",
            button="Remove",
        )
