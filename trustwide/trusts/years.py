"""Academic years and their terms: adding next year, editing term dates, and which year is
current (switched by the administrator, or by the scheduled job in September; never silently
mid-year). Term dates are validated together so every message names the term at fault."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from trustwide.audit.services import audited_create, audited_update
from trustwide.common.services import require

from . import rules, services
from .models import AcademicYear, Term, TermName
from .utils import academic_start_year, year_label

SWITCH_LABEL = "Scheduled: the academic year starts on 1 September"
TERM_LABELS = dict(TermName.choices)


def term_problems(
    start_year: int, dates: dict[str, tuple[datetime.date, datetime.date]]
) -> dict[str, str]:
    """Term name -> message. Each term lies inside the year, ends after it starts, and the
    three come in order without overlapping."""
    first, last = datetime.date(start_year, 9, 1), datetime.date(start_year + 1, 8, 31)
    problems: dict[str, str] = {}
    for name, (starts_on, ends_on) in dates.items():
        label = f"{TERM_LABELS[name]} term"
        if ends_on < starts_on:
            problems[name] = (
                f"{label}: it ends ({ends_on:%d/%m/%Y}) before it starts ({starts_on:%d/%m/%Y})."
            )
        elif starts_on < first or ends_on > last:
            problems[name] = (
                f"{label}: {starts_on:%d/%m/%Y} to {ends_on:%d/%m/%Y} falls outside the academic "
                f"year {year_label(start_year)} (01/09/{start_year} to 31/08/{start_year + 1})."
            )
    order = [n for n in (TermName.AUTUMN, TermName.SPRING, TermName.SUMMER) if n in dates]
    for earlier, later in zip(order, order[1:], strict=False):
        if earlier in problems or later in problems:
            continue
        if dates[later][0] <= dates[earlier][1]:
            problems[later] = (
                f"{TERM_LABELS[later]} term: starts {dates[later][0]:%d/%m/%Y}, before the "
                f"{TERM_LABELS[earlier].lower()} term ends ({dates[earlier][1]:%d/%m/%Y}): terms may not overlap."
            )
    return problems


@transaction.atomic
def academic_year_add(
    *, actor, trust, start_year: int, dates: dict | None = None, actor_label=None
) -> AcademicYear:
    """Add an academic year with its three terms (typical dates unless given)."""
    if actor is not None:
        require(rules.may_edit_trust(actor, trust), rules.EDIT_TRUST_REFUSED)
    if AcademicYear.objects.filter(trust=trust, start_year=start_year).exists():
        raise ValidationError(
            {"start_year": f"The academic year {year_label(start_year)} already exists."}
        )
    term_dates = None
    if dates:
        problems = term_problems(start_year, dates)
        if problems:
            raise ValidationError(problems)
        term_dates = [
            (name, *dates[name]) for name in (TermName.AUTUMN, TermName.SPRING, TermName.SUMMER)
        ]
    return services.academic_year_create(
        actor=actor,
        trust=trust,
        start_year=start_year,
        term_dates=term_dates,
        actor_label=actor_label,
    )


@transaction.atomic
def terms_update(
    *,
    actor,
    year: AcademicYear,
    dates: dict[str, tuple[datetime.date, datetime.date]],
    actor_label=None,
) -> AcademicYear:
    """Change a year's term dates, all or nothing; each changed term is audited."""
    if actor is not None:
        require(rules.may_edit_trust(actor, year.trust), rules.EDIT_TRUST_REFUSED)
    terms = {t.name: t for t in Term.objects.select_for_update().filter(academic_year=year)}
    merged = {name: (t.starts_on, t.ends_on) for name, t in terms.items()} | dates
    problems = term_problems(year.start_year, merged)
    if problems:
        raise ValidationError(problems)
    for name, (starts_on, ends_on) in dates.items():
        term = terms.get(name)
        if term is None:
            audited_create(
                actor=actor,
                model=Term,
                academic_year=year,
                name=name,
                starts_on=starts_on,
                ends_on=ends_on,
                number=0,
                actor_label=actor_label,
            )
        else:
            audited_update(
                actor=actor,
                instance=term,
                starts_on=starts_on,
                ends_on=ends_on,
                actor_label=actor_label,
            )
    return year


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
