"""History rules (see trustwide/audit/history.py): peer review and support pages' rules."""

from trustwide.audit.history import all_by_view_permission

from .models import (
    CollaborationPlan,
    Deployment,
    Expertise,
    Finding,
    NonNegotiable,
    Review,
    ReviewAction,
    Reviewer,
    SupportAssessment,
    SupportRule,
    Triad,
)

VISIBLE = all_by_view_permission(
    Triad,
    Review,
    Reviewer,
    Finding,
    ReviewAction,
    SupportRule,
    SupportAssessment,
    NonNegotiable,
    Expertise,
    Deployment,
    CollaborationPlan,
)
