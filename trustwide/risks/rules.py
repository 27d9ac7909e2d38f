"""Who may do what with the risk registers: the one home of these decisions and their refusal
messages. Views, services, selectors, links and exports all ask here; scope itself is answered
by trustwide.access (trust risks are Risk's trust-wide rows)."""

from __future__ import annotations

from trustwide.access import Perm, can, can_at, can_in_trust, reads_trust_wide

from .models import Risk

SCHOOL_REGISTER_REFUSED = "You may not see this school's risks."
TRUST_REGISTER_REFUSED = (
    "The trust register is for trust leaders, trustees and executive headteachers."
)
EDIT_REFUSED = "Only the school's leaders change its risks, and trust leaders the trust's."
THRESHOLD_REFUSED = "Only trust leaders set the roll-up threshold."


def may_see_school_register(user, school) -> bool:
    return can(user, Perm.RISK_VIEW, school)


def may_see_trust_register(user, trust) -> bool:
    """Trust leaders and trustees see the whole register; an executive headteacher sees it
    read-only, limited to the trust risks and their hub's schools (selectors.register_schools)."""
    return reads_trust_wide(user, Risk, trust)


def sees_whole_trust_register(user, trust) -> bool:
    """Reads every school's risks on the trust register (not only a hub's)."""
    return can_in_trust(user, Perm.RISK_VIEW, trust.pk)


def may_edit(user, *, trust, school=None) -> bool:
    """A school's risks: risk.edit on the school; trust risks: risk.edit at trust level."""
    return can_at(user, Perm.RISK_EDIT, trust_id=trust.pk, school=school)


def may_set_threshold(user, trust) -> bool:
    return can_in_trust(user, Perm.RISK_EDIT, trust.pk)
