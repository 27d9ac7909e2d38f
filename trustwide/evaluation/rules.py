"""Who may do what in self-evaluation: the one home of every evaluation decision and of each
refusal's message. Views, services, selectors, links and attention ask here; scope itself is
answered by trustwide.access.

`user=None` is a command or the demo builder (recorded with its actor_label): services allow it;
pages always pass the signed-in user."""

from __future__ import annotations

from trustwide.access import (
    Perm,
    actor_can,
    actor_can_in_trust,
    can,
    trust_ids,
    trust_ids_at,
)
from trustwide.accounts.roles import ScopeLevel

from .models import SefStatus, ValidatorRole

SCHOOL_SEF_REFUSED = "You may not do this for this school's self-evaluation."
SEF_REFUSED = "You may not do this with this self-evaluation."
SEF_EDIT_REFUSED = "Only the school's leaders edit its self-evaluation."
SEF_VALIDATE_REFUSED = "Only trust leaders validate self-evaluations."
SEF_REOPEN_REFUSED = "Only a trust leader can reopen a validated self-evaluation."
EVIDENCE_REFUSED = "You may not do this with this evidence."
VALIDATION_REFUSED = "You may not validate this self-evaluation."
OVERVIEW_HIDDEN = "The trust-wide self-evaluation view is for trust and hub leaders and trustees."
FRAMEWORKS_HIDDEN = "Frameworks are for those who read self-evaluations."
FRAMEWORK_MANAGE_REFUSED = "Only trust leaders manage frameworks."
BUILTIN_FRAMEWORK_REFUSED = "Built-in frameworks are never edited: copy it into your trust first."
SELF_REVIEW_HIDDEN = "The trust self-review is for trust leaders and trustees."
SELF_REVIEW_EDIT_REFUSED = "Only trust leaders edit the trust self-review."
WITHDRAW_REFUSED = "You may not withdraw this validation."


# --------------------------------------------------------------------------- school SEFs


def may_view_sef(user, school) -> bool:
    return actor_can(user, Perm.SEF_VIEW, school)


def may_edit_sef(user, school) -> bool:
    return actor_can(user, Perm.SEF_EDIT, school)


def may_validate_sef(user, school) -> bool:
    """Sign a SEF off as validated (trust leaders)."""
    return actor_can(user, Perm.SEF_VALIDATE, school)


def may_see_sef_history(user, school) -> bool:
    return actor_can(user, Perm.HISTORY_VIEW, school) and may_view_sef(user, school)


def may_reopen_sef(user, sef) -> bool:
    """Back to draft: the school reopens a submitted SEF; a validator also a validated one."""
    return may_validate_sef(user, sef.school) or (
        may_edit_sef(user, sef.school) and sef.status == SefStatus.SUBMITTED
    )


def may_try_reopen_sef(user, school) -> bool:
    """Who is offered the reopen page at all (the status is the service's to judge)."""
    return may_edit_sef(user, school) or may_validate_sef(user, school)


def validator_roles(user, school) -> list[str]:
    """The roles in which the user may validate this school's SEF. A school's own leaders never
    validate it: peer review is by leaders of other schools."""
    if user is None:
        return list(ValidatorRole.values)
    if can(user, Perm.SEF_VALIDATE, school):
        return [ValidatorRole.TRUST_LEADER, ValidatorRole.EXTERNAL, ValidatorRole.INSPECTION]
    if can(user, Perm.PEER_REVIEW_WRITE, school) and not can(user, Perm.SEF_EDIT, school):
        return [ValidatorRole.PEER_REVIEWER]
    return []


def may_withdraw_validation(user, validation, school) -> bool:
    return (
        user is None
        or validation.validator_id == user.pk
        or validation.role in validator_roles(user, school)
    )


# --------------------------------------------------------------------------- trust pages


def may_see_trust_overview(user, trust) -> bool:
    """The cross-school pages are for those who read SEFs at trust or hub level."""
    return trust.pk in trust_ids_at(user, Perm.SEF_VIEW, levels=(ScopeLevel.TRUST, ScopeLevel.HUB))


def may_see_frameworks(user, trust) -> bool:
    return trust.pk in trust_ids(user, Perm.SEF_VIEW)


def may_manage_frameworks(user, trust_id: int) -> bool:
    return actor_can_in_trust(user, Perm.FRAMEWORK_MANAGE, trust_id)


def may_see_self_review(user, trust_id: int) -> bool:
    return actor_can_in_trust(user, Perm.SEF_VIEW, trust_id)


def may_edit_self_review(user, trust_id: int) -> bool:
    return actor_can_in_trust(user, Perm.TRUST_SELF_REVIEW_EDIT, trust_id)


# --------------------------------------------------------------------------- home page


def validates_somewhere(user) -> bool:
    return bool(trust_ids(user, Perm.SEF_VALIDATE))


def edits_somewhere(user) -> bool:
    return bool(trust_ids(user, Perm.SEF_EDIT))
