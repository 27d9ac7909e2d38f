from __future__ import annotations

import datetime

from django.db import transaction

from trustwide.access.scope import forget_cached_grants
from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_create, audited_update, record_event, snapshot
from trustwide.common.extensions import app_modules
from trustwide.common.services import require

from . import rules
from .models import Membership, User


@transaction.atomic
def user_get_or_create(
    *,
    actor,
    trust,
    email: str,
    full_name: str,
    job_title: str = "",
    password: str | None = None,
    actor_label=None,
) -> User:
    """Find a user by email or create one (no password: they set it through password reset)."""
    email = email.strip().lower()
    existing = User.objects.filter(email=email).first()
    if existing:
        return existing
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, job_title=job_title
    )
    # Users are global, so the event is recorded in the trust that added them.
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        instance=user,
        before=None,
        after=snapshot(user),
        actor_label=actor_label,
        scope=(trust.pk, None),
    )
    return user


def membership_create(
    *,
    actor,
    user: User,
    role: str,
    trust,
    hub=None,
    school=None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    actor_label=None,
) -> Membership:
    if actor is not None:
        require(rules.may_manage_people(actor, trust), rules.PEOPLE_REFUSED)
    fields = {
        "user": user,
        "role": role,
        "trust": trust,
        "hub": hub,
        "school": school,
        "ends_on": ends_on,
    }
    if starts_on:
        fields["starts_on"] = starts_on
    membership = audited_create(actor=actor, model=Membership, actor_label=actor_label, **fields)
    forget_cached_grants(user)
    return membership


def membership_end(*, actor, membership: Membership, ends_on: datetime.date) -> Membership:
    require(rules.may_manage_people(actor, membership.trust), rules.PEOPLE_REFUSED)
    with transaction.atomic():
        membership = audited_update(
            actor=actor, instance=membership, action=AuditAction.END, ends_on=ends_on
        )
        # Secrets that outlive a login (the calendar feed address) are rotated by their apps.
        for module in app_modules("access_hooks"):
            module.membership_ended(actor=actor, membership=membership)
    forget_cached_grants(membership.user)
    return membership
