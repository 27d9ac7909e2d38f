"""History rules (see trustwide/audit/history.py): SEFs and the trust self-review pages' rules."""

from trustwide.audit.history import all_by_view_permission

from .models import (
    AreaJudgement,
    Evidence,
    Framework,
    SelfEvaluation,
    TrustSelfReview,
    TrustStatementRating,
    Validation,
)

VISIBLE = all_by_view_permission(
    Framework,
    SelfEvaluation,
    AreaJudgement,
    Evidence,
    Validation,
    TrustSelfReview,
    TrustStatementRating,
)
