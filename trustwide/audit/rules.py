"""Who may read audit history: the one home of these decisions and their refusal messages."""

from __future__ import annotations

from trustwide.access import Perm, can_in_trust

from .history import may_read_history

TRUST_AUDIT_REFUSED = "Only trust leaders see the trust-wide audit."


def may_see_trust_audit(user, trust) -> bool:
    return can_in_trust(user, Perm.AUDIT_VIEW_TRUST, trust.pk)


def may_see_history(user, obj) -> bool:
    """The history panel of an object's own page (the object is already in the user's scope):
    the same rule as the object's history page."""
    return may_read_history(user, obj)
