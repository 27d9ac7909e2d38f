"""Called by accounts.services when someone's access changes (an extension point, so
accounts never imports governance)."""

from __future__ import annotations

from .services import calendar_token_rotate


def membership_ended(*, actor, membership) -> None:
    """The calendar address is a secret shared with a calendar client; when a role ends, the
    old address stops working (the person gets a new one from the calendar page if they still
    hold another role)."""
    if hasattr(membership.user, "calendar_token"):
        calendar_token_rotate(user=membership.user, actor=actor)
