"""Decisions of the API app and their refusal messages. Everything the API reads is decided by
the owning app's selectors and rules (and trustwide.access); these are the API's own."""

from __future__ import annotations

TOKEN_INVALID = (
    "The token is missing, unknown, expired or revoked. Create a new one on your API tokens page."
)
RATE_LIMITED = "Too many requests for this token. Try again in {seconds} seconds."
TOKEN_NOT_YOURS = "That token is not yours."
MAX_TOKEN_DAYS = 365


def may_manage_token(user, token) -> bool:
    return token.user_id == user.pk
