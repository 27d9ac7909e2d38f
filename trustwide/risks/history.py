"""History rules (see trustwide/audit/history.py): the risk registers' own selector."""

from trustwide.audit.history import all_by_view_permission

from . import selectors
from .models import RiskReview, RiskSettings

VISIBLE = {
    "risks.risk": selectors.visible_risks,
    "risks.riskreview": lambda user: RiskReview.objects.filter(
        risk__in=selectors.visible_risks(user)
    ),
    **all_by_view_permission(RiskSettings),
}
