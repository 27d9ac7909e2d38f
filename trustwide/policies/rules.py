"""Who may do what with the policy register: the one home of these decisions and their refusal
messages. Views, services, selectors, links, attention and exports all ask here; scope itself is
answered by trustwide.access (trust-wide policies are Policy's trust-wide rows)."""

from __future__ import annotations

from trustwide.access import Perm, can, can_at, reads_trust_wide

from .models import Policy

SCHOOL_REGISTER_REFUSED = "You may not see this school's policies."
TRUST_REGISTER_REFUSED = "You may not see the trust's policies."
EDIT_REFUSED = "You may not change this policy register."
ADD_TRUST_POLICY_REFUSED = "Only trust leaders add trust policies."


def may_see_school_register(user, school) -> bool:
    return can(user, Perm.POLICY_VIEW, school)


def may_see_register(user, trust) -> bool:
    """The trust register: anyone who reads policies in the trust (each sees what they may)."""
    return reads_trust_wide(user, Policy, trust)


def may_edit(user, *, trust, school=None) -> bool:
    """policy.edit on the school for a school's policy; at trust level for a trust-wide one."""
    return can_at(user, Perm.POLICY_EDIT, trust_id=trust.pk, school=school)
