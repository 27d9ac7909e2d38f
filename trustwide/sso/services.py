"""Writes for single sign-on: provider settings, and the audit of every sign-in and refusal."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.db import transaction

from trustwide.accounts import mfa
from trustwide.audit.models import AuditAction
from trustwide.audit.services import record_event, snapshot
from trustwide.common.services import require

from .crypto import encrypt_secret
from .models import IdentityProvider, IdentityProviderDomain, ProviderKind
from .rules import NOT_ALLOWED, may_configure_sso

log = logging.getLogger("trustwide.sso")

# Audit verbs for sign-ins (alongside create/update/delete of the provider itself).
SSO_LOGIN = AuditAction.SSO_LOGIN
SSO_REFUSED = AuditAction.SSO_REFUSED
# Marks a session that started with SSO: the identity provider applied its own MFA.
SESSION_KEY = "trustwide_sso_provider"

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Entra's shared endpoints accept any tenant: the issuer would not pin the trust's tenant.
_ENTRA_SHARED_TENANTS = {"common", "organizations", "consumers"}


def parse_domains(text: str) -> list[str]:
    return sorted(
        {d.strip().lower().lstrip("@") for d in re.split(r"[\s,;]+", text or "") if d.strip()}
    )


def _snapshot(provider: IdentityProvider, **extra) -> dict:
    data = snapshot(provider)
    data.pop("client_secret_encrypted", None)  # ciphertext stays out of the audit log
    data.pop("updated_at", None)  # so an unchanged save records nothing
    data["domains"] = sorted(provider.domain_names)
    data.update(extra)
    return data


def _validate(provider: IdentityProvider, domains: list[str]) -> None:
    errors: dict[str, list[str]] = {}
    url = urlsplit(provider.discovery_url or "")
    allow_http = getattr(settings, "TRUSTWIDE_SSO_ALLOW_HTTP", False)
    if url.scheme != "https" and not (allow_http and url.scheme == "http"):
        errors.setdefault("discovery_url", []).append("The discovery URL must start with https://.")
    if provider.kind == ProviderKind.ENTRA:
        tenant = (url.path.strip("/").split("/") or [""])[0].lower()
        if tenant in _ENTRA_SHARED_TENANTS:
            errors.setdefault("discovery_url", []).append(
                f"Use your tenant's own discovery URL (with the tenant ID), not '{tenant}': "
                "the shared endpoint accepts accounts from any organisation."
            )
    if not domains:
        errors.setdefault("domains", []).append(
            "List at least one email domain, e.g. school.org.uk."
        )
    bad = [d for d in domains if not _DOMAIN.match(d)]
    if bad:
        errors.setdefault("domains", []).append(f"Not an email domain: {', '.join(bad)}.")
    taken = sorted(
        IdentityProviderDomain.objects.filter(domain__in=domains)
        .exclude(provider_id=provider.pk)
        .values_list("domain", flat=True)
    )
    if taken:
        errors.setdefault("domains", []).append(
            f"Already set up for sign-in by another provider: {', '.join(taken)}."
        )
    try:
        provider.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _set_domains(provider: IdentityProvider, domains: list[str]) -> None:
    provider.domains.exclude(domain__in=domains).delete()
    existing = set(provider.domains.values_list("domain", flat=True))
    IdentityProviderDomain.objects.bulk_create(
        [IdentityProviderDomain(provider=provider, domain=d) for d in domains if d not in existing]
    )


@transaction.atomic
def provider_create(
    *,
    actor,
    trust,
    kind: str,
    discovery_url: str,
    client_id: str,
    client_secret: str,
    domains: list[str],
    is_enabled: bool = True,
) -> IdentityProvider:
    require(may_configure_sso(actor, trust), NOT_ALLOWED)
    provider = IdentityProvider(
        trust=trust,
        kind=kind,
        discovery_url=discovery_url.strip(),
        client_id=client_id.strip(),
        is_enabled=is_enabled,
    )
    if not client_secret:
        raise ValidationError(
            {"client_secret": "Enter the client secret from your identity provider."}
        )
    provider.client_secret_encrypted = encrypt_secret(client_secret)
    _validate(provider, domains)
    provider.save()
    _set_domains(provider, domains)
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        instance=provider,
        before=None,
        after=_snapshot(provider, client_secret="set"),
    )
    return provider


@transaction.atomic
def provider_update(
    *,
    actor,
    provider: IdentityProvider,
    kind: str,
    discovery_url: str,
    client_id: str,
    domains: list[str],
    is_enabled: bool,
    client_secret: str = "",
) -> IdentityProvider:
    """A blank client_secret keeps the saved one (it is never shown, so never re-posted)."""
    require(may_configure_sso(actor, provider.trust), NOT_ALLOWED)
    before = _snapshot(provider)
    provider.kind, provider.discovery_url = kind, discovery_url.strip()
    provider.client_id, provider.is_enabled = client_id.strip(), is_enabled
    if client_secret:
        provider.client_secret_encrypted = encrypt_secret(client_secret)
    _validate(provider, domains)
    provider.save()
    _set_domains(provider, domains)
    after = _snapshot(provider)
    if client_secret:
        after["client_secret"] = "changed"
    if after != before:
        record_event(
            actor=actor, action=AuditAction.UPDATE, instance=provider, before=before, after=after
        )
    return provider


@transaction.atomic
def provider_delete(*, actor, provider: IdentityProvider) -> None:
    require(may_configure_sso(actor, provider.trust), NOT_ALLOWED)
    record_event(
        actor=actor,
        action=AuditAction.DELETE,
        instance=provider,
        before=_snapshot(provider),
        after=None,
    )
    provider.delete()


@transaction.atomic
def sso_login(*, request, provider: IdentityProvider, user, email: str, subject: str) -> None:
    """Log the matched user in and record it. Roles are never created here: the caller has
    matched an existing active user with a current role in the provider's trust."""
    record_event(
        actor=user,
        action=SSO_LOGIN,
        instance=provider,
        before=None,
        after={"email": email, "subject": subject, "provider": provider.get_kind_display()},
    )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_KEY] = provider.pk
    # The school's identity provider enforces its own second factor (Entra Conditional Access,
    # Google 2-Step Verification; README says so): Trustwide's TOTP step is not asked again.
    request.session[mfa.SESSION_KEY] = mfa.NOT_NEEDED


@transaction.atomic
def sso_refusal_record(
    *, provider: IdentityProvider, reason: str, email: str | None = None, detail: str = ""
) -> None:
    """Audit a refused sign-in in the provider's trust (no actor: nobody signed in)."""
    log.warning(
        "SSO sign-in refused: trust=%s provider=%s reason=%s email=%s detail=%s",
        provider.trust_id,
        provider.pk,
        reason,
        email,
        detail,
    )
    record_event(
        actor=None,
        actor_label=f"SSO sign-in: {email or 'address not given'}",
        action=SSO_REFUSED,
        instance=provider,
        before=None,
        after={
            "reason": reason,
            "email": email,
            "detail": detail[:300],
            "provider": provider.get_kind_display(),
        },
    )
