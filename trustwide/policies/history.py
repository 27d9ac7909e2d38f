"""History rules (see trustwide/audit/history.py): the policy register's own selector."""

from . import selectors
from .models import PolicyReview

VISIBLE = {
    "policies.policy": selectors.visible_policies,
    "policies.policyreview": lambda user: PolicyReview.objects.filter(
        policy__in=selectors.visible_policies(user)
    ),
}
