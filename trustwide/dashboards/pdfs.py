"""Builders of the dashboards' report PDFs, run by the task worker (common.pdfs): each takes the
requesting user and the ids the view resolved, applies the same access as the page, and returns
(template, context, filename)."""

from django.core.exceptions import PermissionDenied
from django.utils.text import slugify

from trustwide.access import Perm, get_object_or_404_for
from trustwide.trusts.models import AcademicYear, School, Term, Trust

from . import reports, rules


def _term(trust_id: int, term_id: int | None) -> Term | None:
    if term_id is None:
        return None
    return Term.objects.select_related("academic_year").get(
        pk=term_id, academic_year__trust_id=trust_id
    )


def board_report(user, *, trust: int, year: int | None, term: int | None):
    trust = get_object_or_404_for(user, Perm.TRUST_VIEW, Trust, pk=trust)
    if not rules.sees_trust_dashboard(user, trust, Perm.REPORT_VIEW):
        raise PermissionDenied(rules.TRUST_PAGES_HIDDEN)
    term = _term(trust.pk, term)
    if term is not None and term.academic_year_id == year:
        year = term.academic_year
    elif year is not None:
        year = AcademicYear.objects.get(pk=year, trust=trust)
    context = reports.board_report_context(user=user, trust=trust, year=year, term=term)
    name = f"{trust.slug}-board-report-{context['year_label'].replace('/', '-')}.pdf"
    return "dashboards/pdf/board_report.html", context, name


def head_report(user, *, school: int, term: int | None):
    school = get_object_or_404_for(
        user, Perm.REPORT_VIEW, School.objects.select_related("trust", "hub"), pk=school
    )
    term = _term(school.trust_id, term)
    context = reports.head_report_context(user=user, school=school, term=term)
    name = f"{slugify(school.name)}-head-report-{slugify(str(term)) if term else 'no-term'}.pdf"
    return "dashboards/pdf/head_report.html", context, name
