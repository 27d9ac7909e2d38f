"""In-year tracking pages: the share of pupils on track (EXS or GDS) per subject and year group
for a term, with the change since the term before, and the pupils not on track behind a cell
(pupils.view only, every view recorded). Counts come from data.tracking (DuckDB over the
school's assessments); shares of fewer than PUPIL_SHARE_MIN pupils are not shown."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.views import View

from trustwide.audit.models import PupilAccessKind
from trustwide.audit.services import record_pupil_access
from trustwide.common.views import ScopedViewMixin, deny_unless
from trustwide.data import tracking as data_tracking
from trustwide.data.selectors import pupils_for
from trustwide.kpis.definitions import PUPIL_SHARE_MIN
from trustwide.kpis.groups import GROUP_LABELS, YEAR_GROUPS
from trustwide.trusts.utils import current_term

from . import rules
from .views import _school_for, _school_year

_CORE = ("reading", "writing", "maths")
_YEAR_LABELS = {n: GROUP_LABELS[code] for code, n in YEAR_GROUPS.items()}


def year_label(n: int) -> str:
    return _YEAR_LABELS.get(n, "Nursery" if n == -1 else f"Year {n}")


@dataclass
class Cell:
    on_track: int
    assessed: int
    share: float | None  # None when fewer than PUPIL_SHARE_MIN pupils were assessed
    change: float | None  # percentage points since the term before; None when either is hidden

    @property
    def display(self) -> str:
        if self.share is None:
            return f"fewer than {PUPIL_SHARE_MIN} pupils"
        return f"{self.share:.1f}%"

    @property
    def change_display(self) -> str:
        return "" if self.change is None else f"{self.change:+.1f} pp"


@dataclass
class Grid:
    term: str
    previous: str | None
    year_groups: list[int]
    # subject -> (year group, its label, the cell or None) for each year group
    rows: list[tuple[str, list[tuple[int, str, Cell | None]]]]


def _share(on_track: int, assessed: int) -> float | None:
    return 100.0 * on_track / assessed if assessed >= PUPIL_SHARE_MIN else None


def build_grid(counts, term: str) -> Grid:
    """The subject x year group grid for the term from data.tracking counts of every term."""
    previous = data_tracking.previous_term(term)
    by_key = {(c.subject, c.year_group, c.term): c for c in counts}
    now = [c for c in counts if c.term == term]
    subjects = sorted(
        {c.subject for c in now},
        key=lambda s: (s not in _CORE, _CORE.index(s) if s in _CORE else 0, s),
    )
    years = sorted({c.year_group for c in now})
    rows = []
    for subject in subjects:
        cells: list[tuple[int, str, Cell | None]] = []
        for year in years:
            c = by_key.get((subject, year, term))
            if c is None:
                cells.append((year, year_label(year), None))
                continue
            share = _share(c.on_track, c.assessed)
            before = by_key.get((subject, year, previous)) if previous else None
            before_share = _share(before.on_track, before.assessed) if before else None
            change = (
                share - before_share if share is not None and before_share is not None else None
            )
            cells.append((year, year_label(year), Cell(c.on_track, c.assessed, share, change)))
        rows.append((subject, cells))
    return Grid(term=term, previous=previous, year_groups=years, rows=rows)


def chosen_term(wanted, terms, counts, today=None) -> tuple[str, bool]:
    """(term, is_fallback): `wanted` if a term name; else the term under way (of the year's
    Term rows) if it has judgements; else the latest term that has, flagged as a fallback so
    the page says so."""
    if wanted in data_tracking.TERMS:
        return wanted, False
    under_way = current_term(terms, today)
    with_data = [t for t in data_tracking.TERMS if any(c.term == t for c in counts)]
    if under_way is not None and (under_way.name in with_data or not with_data):
        return under_way.name, False
    if with_data:
        return with_data[-1], under_way is not None
    return data_tracking.TERMS[0], False


class TrackingView(ScopedViewMixin, View):
    def get(self, request, pk):
        school = _school_for(request, pk)
        years, form, year, _data = _school_year(request, school)
        if year is None:
            return render(request, "dashboards/no_year.html", {"trust": school.trust})
        counts = data_tracking.tracking_counts(
            user=request.user,
            school=school,
            academic_year=year.start_year,
            terms=data_tracking.TERMS,
        )
        if counts is None:  # _school_for has checked kpi.view; kept for the selector's own check
            raise Http404("No such school.")
        term, fallback = chosen_term(request.GET.get("term"), year.terms.all(), counts)
        grid = build_grid(counts, term)
        context = {
            "school": school,
            "year": year,
            "years": years,
            "terms": data_tracking.TERMS,
            "grid": grid,
            "year_headers": [(n, year_label(n)) for n in grid.year_groups],
            "sees_pupils": rules.sees_tracking_pupils(request.user, school),
            "fallback": fallback,
            "min_n": PUPIL_SHARE_MIN,
        }
        return render(request, "dashboards/tracking.html", context)


class TrackingPupilsView(ScopedViewMixin, View):
    def get(self, request, pk, subject, year_group):
        school = _school_for(request, pk)
        deny_unless(rules.sees_tracking_pupils(request.user, school), rules.TRACKING_PUPILS_REFUSED)
        years, form, year, _data = _school_year(request, school)
        if year is None:
            raise Http404("No academic year.")
        under_way = current_term(year.terms.all())
        term = request.GET.get("term") or (under_way.name if under_way else "")
        if term not in data_tracking.TERMS:
            raise Http404("No such term.")
        rows = data_tracking.pupils_not_on_track(
            user=request.user,
            school=school,
            academic_year=year.start_year,
            term=term,
            subject=subject,
            year_group=year_group,
        )
        deny_unless(rows is not None, rules.TRACKING_PUPILS_REFUSED)
        keys = [key for key, _j in rows]
        names = {
            p.pupil_key: str(p)
            for p in pupils_for(user=request.user, school=school).filter(pupil_key__in=keys)
        }
        label = f"{year_label(year_group)} {subject} not on track, {term} {year.label}"
        record_pupil_access(
            actor=request.user,
            trust_id=school.trust_id,
            school_id=school.pk,
            kind=PupilAccessKind.YEAR_GROUP_LISTS,
            description=label,
            path=request.get_full_path(),
            pupil_keys=keys,
        )
        context = {
            "school": school,
            "year": year,
            "term": term,
            "subject": subject,
            "year_group_label": year_label(year_group),
            "pupils": [(names.get(k, "(no name on record)"), j) for k, j in rows],
        }
        return render(request, "dashboards/tracking_pupils.html", context)
