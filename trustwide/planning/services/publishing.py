"""Publishing pocket guides (see models/publishing.py): audited, with the email to everyone the
guide concerns sent only once the publication is committed."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse

from trustwide.accounts.models import Membership
from trustwide.audit.models import AuditAction
from trustwide.audit.services import audited_create, audited_update, record_event
from trustwide.common import steps
from trustwide.common.services import require

from .. import rules
from ..models import GuideKind, GuidePublication, SchoolPlan
from ..selectors import pocket_guide_for


def guide_audience(publication: GuidePublication) -> list:
    """Active users the guide concerns: everyone in the trust for its guide; for a school's, the
    school's staff and governors (memberships at that school)."""
    memberships = Membership.objects.active().filter(
        trust_id=publication.trust_id, user__is_active=True
    )
    if publication.school_id:
        memberships = memberships.filter(school_id=publication.school_id)
    return list({m.user_id: m.user for m in memberships.select_related("user")}.values())


def _email(publication: GuidePublication, subject: str, intro: str) -> int:
    if publication.school_id:
        path = reverse("planning:school-pocket-guide", args=[publication.school_id])
    else:
        path = reverse("planning:pocket-guide", args=[publication.trust.slug])
    url = f"{path}?year={publication.academic_year.start_year}"
    body = f"{intro}\n\n{publication}\n{url}\n"
    messages = [
        (subject, body, settings.DEFAULT_FROM_EMAIL, [u.email])
        for u in guide_audience(publication)
        if u.email
    ]
    return send_mass_mail(messages, fail_silently=False) if messages else 0


GUIDE_STEPS = {
    GuideKind.MSP: steps.MSP_GUIDE_PUBLISHED,
    GuideKind.SIP: steps.SIP_GUIDE_PUBLISHED,
    GuideKind.BDP: steps.BDP_GUIDE_PUBLISHED,
}


@transaction.atomic
def pocket_guide_publish(
    *, actor, trust, academic_year, kind: str, school=None, actor_label=None
) -> GuidePublication:
    require(rules.may_publish_guide(actor, trust, school), rules.PUBLISH_REFUSED)
    if academic_year.trust_id != trust.pk or (school is not None and school.trust_id != trust.pk):
        raise ValidationError("That year or school belongs to another trust.")
    if kind == GuideKind.MSP:
        if school is not None:
            raise ValidationError(
                "The trust's pocket guide is published for the whole trust, not one school."
            )
        if pocket_guide_for(trust=trust, academic_year=academic_year) is None:
            raise ValidationError(
                f"There is no trust pocket guide for {academic_year.label} to publish yet."
            )
    elif kind in (GuideKind.SIP, GuideKind.BDP):
        if school is None:
            raise ValidationError("Choose the school whose pocket guide is published.")
        if not SchoolPlan.objects.filter(
            school=school, academic_year=academic_year, kind=kind
        ).exists():
            raise ValidationError(
                f"{school.name} has no {kind.upper()} for {academic_year.label} to publish."
            )
    else:
        raise ValidationError({"kind": f"'{kind}' is not a pocket guide; choose msp, sip or bdp."})
    existing = GuidePublication.objects.filter(
        trust=trust, academic_year=academic_year, kind=kind, school=school
    ).first()
    if existing:
        raise ValidationError(f"Already published on {existing.published_at:%d/%m/%Y}.")
    publication = audited_create(
        actor=actor,
        actor_label=actor_label,
        model=GuidePublication,
        trust=trust,
        academic_year=academic_year,
        kind=kind,
        school=school,
        published_by=actor,
    )
    record_event(
        actor=actor,
        actor_label=actor_label,
        action=AuditAction.PUBLISH,
        instance=publication,
        before=None,
        after={"kind": kind, "school": school.pk if school else None},
    )
    steps.step_done(
        trust=trust,
        school=school,
        event=GUIDE_STEPS[kind],
        actor=actor,
        actor_label=actor_label,
    )
    transaction.on_commit(
        lambda: _email(
            publication,
            f"Published: {publication}",
            "A pocket guide has been published for you to read.",
        )
    )
    return publication


@transaction.atomic
def pocket_guide_share_public(
    *, actor, publication: GuidePublication, actor_label=None
) -> GuidePublication:
    """A public read-only link for the trust's website: a new unguessable token each time."""
    require(rules.may_edit_strategic_plan(actor, publication.trust_id), rules.PUBLIC_LINK_REFUSED)
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=publication,
        action=AuditAction.SHARE_PUBLIC,
        public_token=secrets.token_urlsafe(32),
    )


@transaction.atomic
def pocket_guide_revoke_public(
    *, actor, publication: GuidePublication, actor_label=None
) -> GuidePublication:
    require(rules.may_edit_strategic_plan(actor, publication.trust_id), rules.PUBLIC_LINK_REFUSED)
    if not publication.public_token:
        raise ValidationError("There is no public link to revoke.")
    return audited_update(
        actor=actor,
        actor_label=actor_label,
        instance=publication,
        action=AuditAction.REVOKE_PUBLIC,
        public_token=None,
    )


def send_september_reminders(today) -> int:
    """Remind everyone of the current year's published guides (the schedule runs it once each
    September: planning/schedule.py)."""
    sent = 0
    current = GuidePublication.objects.filter(academic_year__is_current=True)
    for publication in current.select_related("trust", "school", "academic_year"):
        sent += _email(
            publication,
            f"Reminder: {publication}",
            "As the new year starts, here is the pocket guide of this year's priorities.",
        )
    return sent
