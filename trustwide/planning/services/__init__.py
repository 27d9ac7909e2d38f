"""Every write to planning goes through these services: keyword-only, actor first, permission
re-checked through trustwide.access, validated, audited in the same transaction."""

from .consultation import (
    msp_comment,
    msp_comment_answer,
    msp_compare,
    msp_snapshot,
    msp_version_approve,
    msp_version_issue,
)
from .monitoring import (
    activity_create,
    activity_update,
    monitoring_scale_save,
    record_create,
    scale_for_trust,
)
from .plans import (
    action_create,
    action_delete,
    action_progress_update,
    action_update,
    criterion_create,
    criterion_delete,
    criterion_update,
    milestone_create,
    milestone_delete,
    milestone_update,
    plan_copy_to_next_year,
    plan_create,
    plan_update,
    prefill_from_pocket_guide,
    priority_create,
    priority_delete,
    priority_update,
    staff_objective_create,
    staff_objective_delete,
    staff_objective_update,
)
from .publishing import pocket_guide_publish, pocket_guide_revoke_public, pocket_guide_share_public
from .review import RatingInput, termly_review_save
from .signoff import plan_board_agree, plan_return_by_trust, plan_sign_off
from .strategic import (
    pocket_guide_save,
    strategic_plan_create,
    strategic_plan_update,
    trust_priority_create,
    trust_priority_update,
)
from .workflow import (
    failing_criteria,
    plan_agree,
    plan_evaluate,
    plan_return,
    plan_smart_override,
    plan_start,
    plan_submit,
)

__all__ = [
    "RatingInput", "action_create", "action_delete", "action_progress_update", "action_update",
    "activity_create", "activity_update", "criterion_create", "criterion_delete", "criterion_update",
    "failing_criteria", "milestone_create", "milestone_delete", "milestone_update",
    "monitoring_scale_save", "msp_comment", "msp_comment_answer", "msp_compare", "msp_snapshot",
    "msp_version_approve", "msp_version_issue", "plan_agree", "plan_board_agree", "plan_return_by_trust", "plan_sign_off", "plan_copy_to_next_year", "plan_create", "plan_evaluate",
    "plan_return", "plan_smart_override", "plan_start", "plan_submit", "plan_update",
    "pocket_guide_publish", "pocket_guide_revoke_public", "pocket_guide_save", "pocket_guide_share_public", "prefill_from_pocket_guide", "priority_create", "priority_delete",
    "priority_update", "record_create", "scale_for_trust", "staff_objective_create",
    "staff_objective_delete", "staff_objective_update", "strategic_plan_create", "strategic_plan_update", "termly_review_save",
    "trust_priority_create", "trust_priority_update",
]
