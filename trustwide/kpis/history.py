"""History rules (see trustwide/audit/history.py): targets are read on the KPI pages."""

from trustwide.audit.history import all_by_view_permission

from .models import KpiTarget

VISIBLE = all_by_view_permission(KpiTarget)
