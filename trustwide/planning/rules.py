"""Who may do what in planning: the one home of every planning decision and of each refusal's
message. Views (`deny_unless(rules.may_x(...), rules.X_REFUSED)`), services
(`require(rules.may_x(...), rules.X_REFUSED)`), links and attention all ask here; scope itself is
answered by trustwide.access.

`user=None` is a command or the demo builder acting for the trust (recorded with its
actor_label): services allow it, as they always have; pages always pass the signed-in user."""

from __future__ import annotations

from trustwide.access import Perm, actor_can, actor_can_in_trust, trust_ids

PLANS_HIDDEN = "You may not see this school's plans."
TRUST_PLANS_HIDDEN = "You may not see plans in this trust."
TRUST_PAGE_HIDDEN = "You may not see this here."
PLAN_EDIT_REFUSED = "Only school leaders edit this plan."
PLAN_CREATE_REFUSED = "Only school leaders create plans for this school."
OBJECTIVES_REFUSED = "Only school leaders set appraisal objectives here."
PROGRESS_REFUSED = "Only the action's owner or a leader updates its progress."
SUBMIT_REFUSED = "Only the headteacher or senior leaders submit the plan."
REVIEW_REFUSED = "Only the headteacher, senior leaders or trust leaders write the plan's reviews."
SCRUTINY_REFUSED = "Only local governors record their scrutiny of the year-end review."
START_REFUSED = "Only the headteacher or senior leaders start the plan."
EVALUATE_REFUSED = "Only the headteacher or senior leaders evaluate the plan."
SMART_OVERRIDE_REFUSED = (
    "Only headteachers, executive headteachers and trust leaders override the SMART check."
)
AGREE_REFUSED = "Only the school's local governors agree the plan."
RETURN_REFUSED = (
    "Only the school's governors or its headteacher and senior leaders return a plan to draft."
)
SIGN_OFF_REFUSED = "Only the CEO or a trust leader signs off or returns a school's plan."
BOARD_AGREE_REFUSED = "Only the CEO or a trust leader records the trust board's agreement."
MSP_COMMENT_REFUSED = (
    "Only trustees, local governors and headteachers comment on the strategic plan's drafts."
)
MSP_ISSUE_REFUSED = (
    "Only trust leaders issue, answer comments on and approve versions of the strategic plan."
)
PUBLISH_REFUSED = (
    "Only trust leaders publish the trust's pocket guide, and school leaders their school's."
)
PUBLIC_LINK_REFUSED = "Only trust leaders share or revoke a public link."
RAG_RATE_REFUSED = "You may not RAG-rate this plan."
MSP_REVIEW_REFUSED = (
    "Only trust leaders write the strategic plan's year-end review and present it to the board."
)
MSP_RATE_REFUSED = "Only trust leaders RAG-rate the strategic plan."
MONITORING_HIDDEN = "You may not see this school's monitoring."
MONITORING_SCHEDULE_REFUSED = "Only school leaders change the monitoring schedule."
MONITORING_RECORD_REFUSED = "You may not record monitoring here."
STRATEGIC_EDIT_REFUSED = "Only trust leaders edit the strategic plan and pocket guide."
SCALE_REFUSED = "Only trust leaders choose the judgement scale."


# --------------------------------------------------------------------------- school plans


def may_view_plans(user, school) -> bool:
    return actor_can(user, Perm.PLAN_VIEW, school)


def may_edit_plans(user, school) -> bool:
    """Create plans, change their contents, the monitoring schedule and appraisal objectives."""
    return actor_can(user, Perm.PLAN_EDIT, school)


def may_update_progress(user, action) -> bool:
    """Leaders update any action; staff with action.update only the actions they own."""
    school = action.priority.plan.school
    if may_edit_plans(user, school):
        return True
    return actor_can(user, Perm.ACTION_UPDATE, school) and action.owner_id == user.pk


def may_lead_plan(user, school) -> bool:
    """Submit, start and evaluate the plan (headteacher and senior leaders)."""
    return actor_can(user, Perm.PLAN_SUBMIT, school)


def may_write_review(user, school) -> bool:
    """Start, write and submit a plan's year-end or mid-year review: school leaders, and trust
    leaders (seed 004: impact statements by the headteacher or the trust's leaders)."""
    return may_lead_plan(user, school) or may_sign_off(user, school)


def may_agree_plan(user, school) -> bool:
    return actor_can(user, Perm.PLAN_AGREE, school)


def may_return_plan(user, school) -> bool:
    return may_agree_plan(user, school) or may_lead_plan(user, school)


def may_sign_off(user, school) -> bool:
    """Sign off a plan governors agreed, return it, or record the board's agreement: the CEO or a
    trust leader it delegates to (every trust leader holds plan.sign_off)."""
    return actor_can(user, Perm.PLAN_SIGN_OFF, school)


def may_override_smart(user, school) -> bool:
    return actor_can(user, Perm.PLAN_OVERRIDE_SMART, school)


def may_rag_rate(user, school) -> bool:
    return actor_can(user, Perm.RAG_RATE, school)


def may_see_plan_history(user, school) -> bool:
    return actor_can(user, Perm.HISTORY_VIEW, school)


def plan_permissions(user, school) -> dict[str, bool]:
    """Every decision the plan page shows buttons for, by name (for templates)."""
    return {
        "edit": may_edit_plans(user, school),
        "submit": may_lead_plan(user, school),
        "agree": may_agree_plan(user, school),
        "sign_off": may_sign_off(user, school),
        "override": may_override_smart(user, school),
        "rate": may_rag_rate(user, school),
        "monitoring": may_view_monitoring(user, school),
        "history": may_see_plan_history(user, school),
        "update": actor_can(user, Perm.ACTION_UPDATE, school),
    }


# --------------------------------------------------------------------------- monitoring


def may_view_monitoring(user, school) -> bool:
    return actor_can(user, Perm.MONITORING_VIEW, school)


def may_record_monitoring(user, school) -> bool:
    return actor_can(user, Perm.MONITORING_RECORD, school)


# --------------------------------------------------------------------------- trust pages


def may_view_in_trust(user, trust, perm: str = Perm.STRATEGIC_PLAN_VIEW) -> bool:
    """The trust's planning pages: `perm` held anywhere in the trust (each page then shows only
    what the user's scope covers)."""
    return trust.pk in trust_ids(user, perm)


def may_view_strategic_plan(user, trust) -> bool:
    return may_view_in_trust(user, trust, Perm.STRATEGIC_PLAN_VIEW)


def may_view_rollup(user, trust) -> bool:
    return may_view_in_trust(user, trust, Perm.PLAN_VIEW)


def may_edit_strategic_plan(user, trust_id: int) -> bool:
    """The strategic plan, its pocket guides and the judgement scale: trust leaders."""
    return actor_can_in_trust(user, Perm.STRATEGIC_PLAN_EDIT, trust_id)


def may_rate_msp(user, trust_id: int) -> bool:
    """The termly RAG of the strategic plan, and overriding it: RAG rating held at trust level
    (trust leaders)."""
    return actor_can_in_trust(user, Perm.RAG_RATE, trust_id)


def may_comment_on_msp(user, trust) -> bool:
    """Trustees, local governors and headteachers anywhere in the trust comment per priority on a
    draft sent for consultation."""
    return may_view_in_trust(user, trust, Perm.MSP_COMMENT)


def may_publish_guide(user, trust, school=None) -> bool:
    """The trust's guide: trust leaders; a school's: its headteacher and senior leaders."""
    if school is None:
        return may_edit_strategic_plan(user, trust.pk)
    return may_lead_plan(user, school)
