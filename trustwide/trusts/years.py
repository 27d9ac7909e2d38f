"""Academic years and their terms: adding next year, editing term dates, and which year is
current (switched by the administrator, or by the scheduled job in September; never silently
mid-year). Term dates are validated together so every message names the term at fault."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from trustwide.audit.services import audited_create, audited_delete, audited_update
from trustwide.common.services import require

from . import rules, services
from .calendar import calendars_for, term_dates_for
from .models import (
    AcademicYear,
    ClosureDay,
    ClosureReason,
    SchoolTerm,
    Term,
    TermName,
    default_term_dates,
)
from .utils import academic_start_year, year_label

SWITCH_LABEL = "Scheduled: the academic year starts on 1 September"
TERM_LABELS = dict(TermName.choices)


def _fmt(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


def _four(value) -> tuple:
    """(starts, ends) or (starts, ends, first half ends, second half starts)."""
    return (*value, None, None) if len(value) == 2 else tuple(value)


def term_problems(
    start_year: int, dates: dict[str, tuple], *, half_terms: bool = False
) -> dict[str, str]:
    """Term name (or "<term>_half" for its half-terms) -> message. Each term lies inside the
    year, ends after it starts, and the three come in order without overlapping; a half-term
    break lies inside its term, and the year's six half-terms need every break."""
    first, last = datetime.date(start_year, 9, 1), datetime.date(start_year + 1, 8, 31)
    problems: dict[str, str] = {}
    for name, value in dates.items():
        starts_on, ends_on, half_ends, half_starts = _four(value)
        label = f"{TERM_LABELS[name]} term"
        if ends_on < starts_on:
            problems[name] = (
                f"{label}: it ends ({_fmt(ends_on)}) before it starts ({_fmt(starts_on)})."
            )
            continue
        if starts_on < first or ends_on > last:
            problems[name] = (
                f"{label}: {_fmt(starts_on)} to {_fmt(ends_on)} falls outside the academic "
                f"year {year_label(start_year)} (01/09/{start_year} to 31/08/{start_year + 1})."
            )
            continue
        half = _half_problem(TERM_LABELS[name], starts_on, ends_on, half_ends, half_starts)
        if half is None and half_terms and (half_ends is None or half_starts is None):
            half = (
                f"{TERM_LABELS[name]} half-term: the year has six half-terms, so give the last "
                f"day of {TERM_LABELS[name].lower()} 1 and the first day of "
                f"{TERM_LABELS[name].lower()} 2."
            )
        if half:
            problems[f"{name}_half"] = half
    order = [n for n in (TermName.AUTUMN, TermName.SPRING, TermName.SUMMER) if n in dates]
    for earlier, later in zip(order, order[1:], strict=False):
        if earlier in problems or later in problems:
            continue
        if dates[later][0] <= dates[earlier][1]:
            problems[later] = (
                f"{TERM_LABELS[later]} term: starts {_fmt(dates[later][0])}, before the "
                f"{TERM_LABELS[earlier].lower()} term ends ({_fmt(dates[earlier][1])}): terms may not overlap."
            )
    return problems


def _half_problem(label, starts_on, ends_on, half_ends, half_starts) -> str | None:
    if half_ends is None and half_starts is None:
        return None
    if half_ends is None or half_starts is None:
        missing = f"{label} 1 ends" if half_ends is None else f"{label} 2 starts"
        return f"{label} half-term: give both dates of the break ({missing} is missing)."
    if not starts_on <= half_ends <= ends_on:
        return (
            f"{label} 1: ends {_fmt(half_ends)}, outside the {label.lower()} term "
            f"({_fmt(starts_on)} to {_fmt(ends_on)}): a half-term lies inside its term."
        )
    if not starts_on <= half_starts <= ends_on:
        return (
            f"{label} 2: starts {_fmt(half_starts)}, outside the {label.lower()} term "
            f"({_fmt(starts_on)} to {_fmt(ends_on)}): a half-term lies inside its term."
        )
    if half_starts <= half_ends:
        return (
            f"{label} 2: starts {_fmt(half_starts)}, before {label.lower()} 1 ends "
            f"({_fmt(half_ends)}): half-terms may not overlap."
        )
    return None


def closure_problem(calendar, day: datetime.date, what: str = "") -> str | None:
    """Why a closure day cannot be on `day` in this calendar (it must be a weekday in a term,
    not in a half-term break); None when it can."""
    what = what or f"Closure day {_fmt(day)}"
    term = calendar.term_on(day)
    if day.weekday() >= 5:
        return f"{what}: it is a {day:%A}; schools are closed at weekends anyway."
    if term is None:
        return f"{what}: it falls outside the terms of {calendar.year.label}."
    if term.in_break(day):
        return f"{what}: it falls in the {term.get_name_display().lower()} half-term break."
    return None


def _closures_still_in_term(year: AcademicYear, school=None, *, every_school=False) -> None:
    """After a change of term dates, each closure day (the school's; with every_school, the
    trust's and every school's) must still be in term on its own calendar."""
    days = ClosureDay.objects.filter(academic_year=year).select_related("school")
    days = list(days if every_school else days.filter(school=school))
    calendars = calendars_for(
        year, list({d.school_id: d.school for d in days if d.school}.values())
    )
    problems = []
    for day in days:
        what = f"{day.get_reason_display()} {_fmt(day.on)}"
        if day.school:
            what += f" ({day.school.name})"
        if p := closure_problem(calendars[day.school_id], day.on, what):
            problems.append(p)
    if problems:
        raise ValidationError(
            {"__all__": [f"{p} Move or remove it on the closure days first." for p in problems]}
        )


TERM_NAMES = (TermName.AUTUMN, TermName.SPRING, TermName.SUMMER)


@transaction.atomic
def academic_year_add(
    *,
    actor,
    trust,
    start_year: int,
    dates: dict | None = None,
    actor_label=None,
    half_terms: bool | None = None,
) -> AcademicYear:
    """Add an academic year with its three terms (typical dates unless given). `dates` maps
    each term to (starts, ends) or, with its half-term break, (starts, ends, first half ends,
    second half starts). `half_terms` None: as the trust's newest year (three terms if none)."""
    if actor is not None:
        require(rules.may_edit_trust(actor, trust), rules.EDIT_TRUST_REFUSED)
    if AcademicYear.objects.filter(trust=trust, start_year=start_year).exists():
        raise ValidationError(
            {"start_year": f"The academic year {year_label(start_year)} already exists."}
        )
    if half_terms is None:
        newest = AcademicYear.objects.filter(trust=trust).order_by("-start_year").first()
        half_terms = bool(newest and newest.half_terms)
    term_dates = None
    if dates:
        problems = term_problems(start_year, dates, half_terms=half_terms)
        if problems:
            raise ValidationError(problems)
        term_dates = [(name, *_four(dates[name])) for name in TERM_NAMES]
    elif half_terms:
        term_dates = [(*t, *default_half_term(t[1], t[2])) for t in default_term_dates(start_year)]
    return services.academic_year_create(
        actor=actor,
        trust=trust,
        start_year=start_year,
        term_dates=term_dates,
        half_terms=half_terms,
        actor_label=actor_label,
    )


def default_half_term(starts_on: datetime.date, ends_on: datetime.date) -> tuple:
    """A week's break in the middle of the term: (first half ends, second half starts), the
    Friday before and the Monday after the middle week."""
    middle = starts_on + (ends_on - starts_on) / 2
    monday = middle - datetime.timedelta(days=middle.weekday())
    return monday - datetime.timedelta(days=3), monday + datetime.timedelta(days=7)


def _term_values(dates, half_terms: bool) -> dict[str, tuple]:
    """Stored values of each term: without half-terms the break dates are cleared."""
    out = {}
    for name, value in dates.items():
        starts_on, ends_on, half_ends, half_starts = _four(value)
        out[name] = (
            starts_on,
            ends_on,
            *((half_ends, half_starts) if half_terms else (None, None)),
        )
    return out


@transaction.atomic
def terms_update(
    *,
    actor,
    year: AcademicYear,
    dates: dict[str, tuple],
    actor_label=None,
    half_terms: bool | None = None,
) -> AcademicYear:
    """Change a year's term dates (and whether it has six half-terms), all or nothing; each
    changed term is audited. The trust's closure days must stay in term."""
    if actor is not None:
        require(rules.may_edit_trust(actor, year.trust), rules.EDIT_TRUST_REFUSED)
    year = AcademicYear.objects.select_for_update().get(pk=year.pk)
    half_terms = year.half_terms if half_terms is None else half_terms
    terms = {t.name: t for t in Term.objects.select_for_update().filter(academic_year=year)}
    merged = {name: _stored(t) for name, t in terms.items()}
    for name, value in dates.items():  # (starts, ends) alone keeps the stored break
        merged[name] = (
            tuple(value) + merged.get(name, (None,) * 4)[2:] if len(value) == 2 else value
        )
    problems = term_problems(year.start_year, merged, half_terms=half_terms)
    if problems:
        raise ValidationError(problems)
    if half_terms != year.half_terms:
        year = audited_update(
            actor=actor, instance=year, half_terms=half_terms, actor_label=actor_label
        )
    for name, (starts_on, ends_on, half_ends, half_starts) in _term_values(
        merged, half_terms
    ).items():
        fields = {
            "starts_on": starts_on,
            "ends_on": ends_on,
            "first_half_ends_on": half_ends,
            "second_half_starts_on": half_starts,
        }
        term = terms.get(name)
        if term is None:
            audited_create(
                actor=actor,
                model=Term,
                academic_year=year,
                name=name,
                number=0,
                actor_label=actor_label,
                **fields,
            )
        elif any(getattr(term, k) != v for k, v in fields.items()):
            audited_update(actor=actor, instance=term, actor_label=actor_label, **fields)
    _closures_still_in_term(year, every_school=True)
    return year


def _stored(row) -> tuple:
    return (row.starts_on, row.ends_on, row.first_half_ends_on, row.second_half_starts_on)


@transaction.atomic
def academic_year_make_current(
    *, actor, year: AcademicYear, today: datetime.date | None = None, actor_label=None
) -> AcademicYear:
    """Make this the trust's current year (the others stop being current). A year that has
    ended cannot become current again."""
    if actor is not None:
        require(rules.may_edit_trust(actor, year.trust), rules.EDIT_TRUST_REFUSED)
    today = today or datetime.date.today()
    if year.ends_on < today:
        raise ValidationError(
            f"The academic year {year.label} ended on {year.ends_on:%d/%m/%Y}: "
            "it cannot become the current year again."
        )
    for other in (
        AcademicYear.objects.select_for_update()
        .filter(trust=year.trust, is_current=True)
        .exclude(pk=year.pk)
    ):
        audited_update(actor=actor, instance=other, is_current=False, actor_label=actor_label)
    return audited_update(actor=actor, instance=year, is_current=True, actor_label=actor_label)


def switch_current_years(today: datetime.date) -> list[AcademicYear]:
    """The September switch: in September only, each trust whose current year is an earlier
    one moves to the year that has just started, if the trust has added it. Outside September
    nothing changes by itself (the administrator switches on the years page)."""
    if today.month != 9:
        return []
    start_year = academic_start_year(today)
    switched = []
    for year in AcademicYear.objects.filter(start_year=start_year, is_current=False).select_related(
        "trust"
    ):
        current = AcademicYear.objects.filter(trust=year.trust, is_current=True).first()
        if current is not None and current.start_year >= start_year:
            continue  # already on this year or (run early) a later one: leave the trust's choice
        switched.append(
            academic_year_make_current(actor=None, year=year, today=today, actor_label=SWITCH_LABEL)
        )
    return switched


# -- a school's own term dates and the closure days ------------------------------------------


def _require_calendar(actor, year: AcademicYear, school=None) -> None:
    if actor is not None:
        require(rules.may_edit_calendar(actor, year.trust, school), rules.EDIT_CALENDAR_REFUSED)
    if school is not None and school.trust_id != year.trust_id:
        raise ValidationError("That school belongs to another trust.")


@transaction.atomic
def school_terms_set(
    *, actor, school, year: AcademicYear, dates: dict[str, tuple], actor_label=None
) -> list[SchoolTerm]:
    """Give a school its own dates for the year's three terms (its local authority's), all or
    nothing, validated as the trust's are (the year's half-terms included); its own closure
    days must stay in term. Each changed term is audited."""
    _require_calendar(actor, year, school)
    terms = {t.name: t for t in Term.objects.filter(academic_year=year)}
    missing = [TERM_LABELS[n] for n in TERM_NAMES if n not in dates or n not in terms]
    if missing:
        raise ValidationError(f"Give the dates of every term ({', '.join(missing)} missing).")
    problems = term_problems(year.start_year, dates, half_terms=year.half_terms)
    if problems:
        raise ValidationError(problems)
    own = {
        row.term_id: row
        for row in SchoolTerm.objects.select_for_update().filter(
            school=school, term__in=terms.values()
        )
    }
    saved = []
    for name, (starts_on, ends_on, half_ends, half_starts) in _term_values(
        dates, year.half_terms
    ).items():
        fields = {
            "starts_on": starts_on,
            "ends_on": ends_on,
            "first_half_ends_on": half_ends,
            "second_half_starts_on": half_starts,
        }
        row = own.get(terms[name].pk)
        if row is None:
            row = audited_create(
                actor=actor,
                model=SchoolTerm,
                school=school,
                term=terms[name],
                actor_label=actor_label,
                **fields,
            )
        elif any(getattr(row, k) != v for k, v in fields.items()):
            row = audited_update(actor=actor, instance=row, actor_label=actor_label, **fields)
        saved.append(row)
    _closures_still_in_term(year, school)
    return saved


@transaction.atomic
def school_terms_clear(*, actor, school, year: AcademicYear, actor_label=None) -> int:
    """The school goes back to the trust's term dates for the year (its own closure days must
    fall in the trust's terms). Returns the number of terms removed."""
    _require_calendar(actor, year, school)
    rows = list(SchoolTerm.objects.filter(school=school, term__academic_year=year))
    for row in rows:
        audited_delete(actor=actor, instance=row, actor_label=actor_label)
    _closures_still_in_term(year, school)
    return len(rows)


@transaction.atomic
def closure_day_add(
    *,
    actor,
    year: AcademicYear,
    on: datetime.date,
    reason: str,
    school=None,
    note: str = "",
    actor_label=None,
) -> ClosureDay:
    """A day the school (or, with no school, every school of the trust) is closed to pupils:
    a weekday in term, on the calendar it belongs to, once."""
    _require_calendar(actor, year, school)
    label = f"{ClosureReason(reason).label} {_fmt(on)}"
    problem = closure_problem(term_dates_for(school, year), on, label)
    if problem:
        raise ValidationError({"on": problem})
    if ClosureDay.objects.filter(academic_year=year, school=school, on=on).exists():
        raise ValidationError({"on": f"{label}: that day is already a closure day."})
    return audited_create(
        actor=actor,
        model=ClosureDay,
        academic_year=year,
        school=school,
        on=on,
        reason=reason,
        note=note,
        actor_label=actor_label,
    )


@transaction.atomic
def closure_day_delete(*, actor, day: ClosureDay, actor_label=None) -> None:
    _require_calendar(actor, day.academic_year, day.school)
    audited_delete(actor=actor, instance=day, actor_label=actor_label)
