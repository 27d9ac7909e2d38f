"""History rules (see trustwide/audit/history.py): the trust, hub and school pages' own rules."""

from trustwide.audit.history import all_by_view_permission

from .models import (
    AcademicYear,
    ClosureDay,
    Hub,
    Inspection,
    School,
    SchoolLink,
    SchoolTerm,
    Term,
    Trust,
)

VISIBLE = all_by_view_permission(
    Trust, Hub, School, SchoolLink, Inspection, AcademicYear, Term, SchoolTerm, ClosureDay
)
