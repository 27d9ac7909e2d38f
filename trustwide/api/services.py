"""Writes of the API app: creating and revoking personal access tokens (audited), and the
compact per-request record of every token use."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from trustwide.audit.models import AuditAction
from trustwide.audit.services import record_event, snapshot

from . import rules
from .models import ApiRequest, ApiToken

TOKEN_PREFIX = "tw_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_create(*, actor, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for the actor; returns it with the raw secret, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. 'Power BI refresh'."})
    if not 1 <= days <= rules.MAX_TOKEN_DAYS:
        raise ValidationError({"days": f"A token lasts between 1 and {rules.MAX_TOKEN_DAYS} days."})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken(
            user=actor,
            name=name[:100],
            prefix=raw[:10],
            token_hash=hash_token(raw),
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
        token.full_clean()
        token.save()
        after = {k: v for k, v in snapshot(token).items() if k != "token_hash"}
        record_event(
            actor=actor,
            action=AuditAction.API_TOKEN_CREATE,
            instance=token,
            before=None,
            after=after,
        )
    return token, raw


def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if not rules.may_manage_token(actor, token):
        raise PermissionDenied(rules.TOKEN_NOT_YOURS)
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        before = {"revoked_at": None}
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            actor=actor,
            action=AuditAction.API_TOKEN_REVOKE,
            instance=token,
            before=before,
            after={"revoked_at": token.revoked_at.isoformat()},
        )
    return token


def token_for_secret(raw: str) -> ApiToken | None:
    """The usable token with this secret (its user active), else None: unknown, expired and
    revoked tokens all get the same answer."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    return token


def token_use_record(*, token: ApiToken, method: str, path: str, status: int) -> None:
    """Every request made with a token leaves one compact row, and the token's last-used time."""
    now = timezone.now()
    ApiRequest.objects.create(
        token=token, at=now, method=method[:8], path=path[:300], status=status
    )
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
