"""Two-step login (MFA): who must use it, enrolment, verification and an administrator's reset.

The devices are django-otp's: a TOTP device (an authenticator app) and a static device that
holds ten one-time recovery codes. The login flow stays Django's: the password page logs the
person in, then MfaRequiredMiddleware sends anyone who owes a second factor to verify (they
have a device) or to enrol (their trust requires it and they have none) before any other page.

Who must: Trust.mfa_policy. ``pupil_and_trust_roles`` covers every role holding
``pupils.view`` and every trust-level role; ``everyone`` covers all; ``off`` nobody (the demo).
A person with a device always verifies, whatever the policy.
"""

from __future__ import annotations

import base64
import io
import re

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils.safestring import SafeString, mark_safe
from django_otp import devices_for_user, match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from trustwide.access import Perm, can_in_trust, role_has
from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_update, record_event
from trustwide.common.services import require
from trustwide.trusts.models import MfaPolicy

from .models import Membership, User
from .roles import ROLE_LEVEL, ScopeLevel

RECOVERY_CODE_COUNT = 10
# What the session remembers between requests (set at login, see signals in apps.py).
SESSION_KEY = "tw_mfa"
VERIFY, ENROL, NOT_NEEDED = "verify", "enrol", "none"


# --- policy ------------------------------------------------------------------------------------


def role_requires_mfa(role: str, policy: str) -> bool:
    if policy == MfaPolicy.EVERYONE:
        return True
    if policy == MfaPolicy.PUPIL_AND_TRUST_ROLES:
        return role_has(role, Perm.PUPILS_VIEW) or ROLE_LEVEL.get(role) == ScopeLevel.TRUST
    return False


def mfa_required(user: User) -> bool:
    """True when any of the user's current roles, under its trust's policy, needs a second factor."""
    held = Membership.objects.active().filter(user=user).values_list("role", "trust__mfa_policy")
    return any(role_requires_mfa(role, policy) for role, policy in held)


def has_device(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def login_state(user: User) -> str:
    """What the person owes after their password: VERIFY, ENROL or NOT_NEEDED."""
    if has_device(user):
        return VERIFY
    return ENROL if mfa_required(user) else NOT_NEEDED


def enrolled_user_ids(user_ids) -> set[int]:
    return set(
        TOTPDevice.objects.filter(user_id__in=list(user_ids), confirmed=True).values_list(
            "user_id", flat=True
        )
    )


@transaction.atomic
def trust_mfa_policy_set(*, actor: User, trust, policy: str):
    """The trust's own setting (People page). Applies to each person from their next login."""
    require(
        can_in_trust(actor, Perm.MEMBERSHIP_MANAGE, trust.pk),
        "Only the trust's administrators change who must use two-step login.",
    )
    return audited_update(actor=actor, instance=trust, mfa_policy=policy)


# --- enrolment ---------------------------------------------------------------------------------


def _home_trust_id(user: User) -> int | None:
    """Users are global; their MFA events are recorded in (one of) the trust(s) they serve."""
    return Membership.objects.active().filter(user=user).values_list("trust_id", flat=True).first()


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the enrolment page shows (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    text = base64.b32encode(device.bin_key).decode("ascii")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// address as an inline SVG (no image request, no third party)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    # Our own generated markup (the input is a URL we built), so it is safe to inline.
    return mark_safe(
        svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1)
    )  # noqa: S308


@transaction.atomic
def mfa_enrol_confirm(*, actor: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator app with a code from it, and issue recovery codes.

    Returns the recovery codes (shown once; only django-otp's copies remain) or None when the
    code is wrong. Refused when the person already has a confirmed device: enrolling another
    would let someone holding only the password replace the second factor."""
    require(device.user_id == actor.pk and not device.confirmed, "This is not your enrolment.")
    require(
        not has_device(actor),
        "Two-step login is already set up: ask your trust administrator to reset it.",
    )
    if not device.verify_token(_digits(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    codes = _issue_recovery_codes(actor)
    record_event(
        actor=actor,
        action=AuditAction.MFA_ENROL,
        instance=actor,
        before={"mfa": False},
        after={"mfa": True, "devices": ["totp", "recovery codes"]},
        scope=(_home_trust_id(actor), None),
    )
    return codes


def _issue_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def _digits(code: str) -> str:
    return re.sub(r"\s", "", code or "")


# --- verification ------------------------------------------------------------------------------


def verify_code(user: User, code: str):
    """The device that accepts ``code`` (an app code or an unused recovery code), or None.
    A recovery code is used up by this call (django-otp deletes the static token)."""
    code = _digits(code).lower()
    if not code:
        return None
    return match_token(user, code)


# --- administrator's reset ---------------------------------------------------------------------


def may_reset_mfa(actor: User, membership: Membership) -> bool:
    return can_in_trust(actor, Perm.MEMBERSHIP_MANAGE, membership.trust_id)


@transaction.atomic
def mfa_reset(*, actor: User, membership: Membership) -> int:
    """Remove all of the person's second-factor devices (a lost phone): at their next login
    they enrol again if their trust requires it. Returns how many devices went."""
    require(
        may_reset_mfa(actor, membership), "Only the trust's administrators reset two-step login."
    )
    user = membership.user
    devices = list(devices_for_user(user, confirmed=None))
    kinds = sorted({type(d).__name__ for d in devices})
    for device in devices:
        device.delete()
    record_event(
        actor=actor,
        action=AuditAction.MFA_RESET,
        instance=user,
        before={"mfa_devices": kinds},
        after={"mfa_devices": []},
        scope=(membership.trust_id, None),
    )
    return len(devices)
