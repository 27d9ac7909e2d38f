"""Invitations: a person given a role sets their own password from an emailed link, instead of an
administrator typing one. The link carries a token from Django's password-reset generator under
its own salt (a reset token does not open an invitation, nor the reverse); it stops working once
the password is set, because the token hashes the password, and after PASSWORD_RESET_TIMEOUT."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from trustwide.audit.models import AuditAction
from trustwide.audit.services import record_event
from trustwide.common.services import require

from . import rules
from .models import User


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "trustwide.accounts.invitations.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()

ALREADY_ACCEPTED = (
    "{user} has already set a password: they sign in, or use 'Forgotten your password?'."
)


def is_pending(user: User) -> bool:
    """Invited but not yet signed up: no usable password (and no single sign-on login yet)."""
    return not user.has_usable_password() and user.last_login is None


def invitation_url(user: User, *, base_url: str | None = None) -> str:
    path = reverse(
        "accounts:invitation-accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )
    return (base_url or settings.SITE_URL).rstrip("/") + path


def invitation_send(
    *, actor, user: User, trust, base_url: str | None = None, actor_label=None
) -> str:
    """Email user a set-password link (on commit) and audit it in the trust; returns the link.
    Sending again gives a fresh link; earlier ones keep working until the password is set."""
    if actor is not None:
        require(rules.may_manage_people(actor, trust), rules.PEOPLE_REFUSED)
    if not is_pending(user):
        raise ValidationError(ALREADY_ACCEPTED.format(user=user))
    link = invitation_url(user, base_url=base_url)
    inviter = (actor.full_name if actor is not None else "") or trust.name
    body = render_to_string(
        "accounts/invitation_email.txt",
        {
            "user": user,
            "trust": trust,
            "inviter": inviter,
            "link": link,
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
    )
    subject = f"You are invited to {trust.name} on Trustwide"
    with transaction.atomic():
        record_event(
            actor=actor,
            action=AuditAction.INVITE,
            instance=user,
            before=None,
            after={"email": user.email},
            actor_label=actor_label,
            scope=(trust.pk, None),
        )
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        )
    return link


@transaction.atomic
def invitation_accept(*, user: User, form) -> User:
    """The invited person sets a password (form: Django's SetPasswordForm, which runs the
    password validators). The user's own act, audited in each trust they hold a role in."""
    form.save()
    trust_ids = sorted(set(user.memberships.values_list("trust_id", flat=True))) or [None]
    for trust_id in trust_ids:
        record_event(
            actor=user,
            action=AuditAction.ACCEPT_INVITATION,
            instance=user,
            before=None,
            after={"email": user.email},
            scope=(trust_id, None),
        )
    return user
