"""Who may manage people (memberships) in a trust: the one home of the decision and its refusal
message, used by the people pages, the services, the trust page and the home page."""

from __future__ import annotations

from trustwide.access import Perm, can_in_trust, trust_ids_at

PEOPLE_REFUSED = "Only trust administrators manage memberships."


def may_manage_people(user, trust) -> bool:
    """Give and end roles: membership.manage at trust level (trust administrators)."""
    return can_in_trust(user, Perm.MEMBERSHIP_MANAGE, trust.pk)


def trusts_managed(user) -> set[int]:
    """The trusts whose people the user manages (for the home page's "access ends" items)."""
    return trust_ids_at(user, Perm.MEMBERSHIP_MANAGE)
