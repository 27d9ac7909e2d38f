"""History rules (see trustwide/audit/history.py)."""

from trustwide.audit.history import all_by_view_permission

from .models import ConcernRule, HeadReportCommentary

VISIBLE = all_by_view_permission(ConcernRule, HeadReportCommentary)
