"""Which address an ID token vouches for. No Django here: the policy, in one place.

Google Workspace: the `email` claim, only when `email_verified` is true and `hd` (the Workspace
domain) equals the address's domain; a personal Google account registered with a school
address has no `hd`, so it is refused.

Microsoft Entra ID (tenant-specific issuer only, checked on saving the provider): Entra's
`email` claim is editable by tenant users and not verified, so it is used only when the token
carries `xms_edov` true (Microsoft's "email domain owner verified" optional claim). Otherwise
the `preferred_username` (or `upn`) is used: the sign-in name in the tenant, whose domain the
tenant has verified. An explicit `email_verified: false` is refused either way. The domain
must still be one the trust listed for this provider.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .models import ProviderKind
from .rules import Refusal


@dataclass(frozen=True)
class Claimed:
    email: str | None
    refusal: str | None = None


def _true(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower() if "@" in email else ""


def verified_email(kind: str, claims: Mapping) -> Claimed:
    if "email_verified" in claims and not _true(claims["email_verified"]):
        return Claimed((claims.get("email") or None), Refusal.NOT_VERIFIED)
    if kind == ProviderKind.GOOGLE:
        email = (claims.get("email") or "").strip().lower()
        if not email or not _true(claims.get("email_verified")):
            return Claimed(email or None, Refusal.NOT_VERIFIED)
        if (claims.get("hd") or "").lower() != domain_of(email):
            return Claimed(email, Refusal.NOT_WORKSPACE)
        return Claimed(email)
    # Entra ID
    if _true(claims.get("xms_edov")) and claims.get("email"):
        return Claimed(claims["email"].strip().lower())
    name = (claims.get("preferred_username") or claims.get("upn") or "").strip().lower()
    if "@" not in name:
        return Claimed(None, Refusal.NOT_VERIFIED)
    return Claimed(name)
