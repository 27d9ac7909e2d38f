"""Reads for single sign-on."""

from __future__ import annotations

from dataclasses import dataclass

from trustwide.access import Perm, get_object_or_404_for
from trustwide.accounts.models import Membership, User

from .claims import domain_of
from .models import IdentityProvider
from .rules import Refusal


def provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider answering for the address's domain (the public log-in step: no
    user yet, and nothing about accounts is revealed, only whether the domain is set up)."""
    domain = domain_of(email.strip())
    if not domain:
        return None
    return (
        IdentityProvider.objects.select_related("trust")
        .filter(is_enabled=True, domains__domain=domain)
        .first()
    )


def enabled_provider(pk) -> IdentityProvider | None:
    return IdentityProvider.objects.select_related("trust").filter(pk=pk, is_enabled=True).first()


def providers_for_trust(trust) -> list[IdentityProvider]:
    return list(IdentityProvider.objects.filter(trust=trust).prefetch_related("domains"))


def provider_for_page(user, pk) -> IdentityProvider:
    """404 outside the user's trusts; the caller answers 403 to those who may not configure."""
    return get_object_or_404_for(
        user, Perm.TRUST_VIEW, IdentityProvider.objects.select_related("trust"), pk=pk
    )


@dataclass(frozen=True)
class Match:
    user: User | None
    refusal: str | None = None


def match_user(provider: IdentityProvider, email: str) -> Match:
    """An existing active user holding a current role in the provider's trust, or why not."""
    if domain_of(email) not in set(provider.domains.values_list("domain", flat=True)):
        return Match(None, Refusal.DOMAIN)
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return Match(None, Refusal.UNKNOWN_USER)
    if not Membership.objects.active().filter(user=user, trust=provider.trust_id).exists():
        return Match(None, Refusal.NO_ACTIVE_ROLE)
    return Match(user)
