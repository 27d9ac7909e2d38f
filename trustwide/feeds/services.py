"""Writes for MIS feeds: sources (the token sealed, never audited) and the trust's settings.
Runs are written by runs.py; they import through trustwide.data's services."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.db import transaction

from trustwide.audit.models import AuditAction
from trustwide.audit.services import record_event, snapshot
from trustwide.common.services import require

from . import rules
from .crypto import seal
from .models import FeedSettings, FeedSource, SourceKind

_WONDE_ID = re.compile(r"^A\d{6,12}$")
_FOLDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


def _snapshot(source: FeedSource, **extra) -> dict:
    data = snapshot(source)
    data.pop("token_encrypted", None)  # ciphertext stays out of the audit log
    data.pop("updated_at", None)
    data.pop("last_run_at", None)
    data["token"] = "set" if source.token_encrypted else "not set"
    data.update(extra)
    return data


def _validate(source: FeedSource) -> None:
    errors: dict[str, str] = {}
    if source.school.trust_id != source.trust_id:
        errors["school"] = "Choose a school of this trust."
    if source.kind == SourceKind.FOLDER:
        folder = source.folder.strip().rstrip("/")
        if not _FOLDER.match(folder) or ".." in PurePosixPath(folder).parts:
            errors["folder"] = (
                "Give a folder inside the feed folder, e.g. oak-primary or exports/oak "
                "(letters, digits, . _ - and /; no '..')."
            )
        source.folder, source.wonde_school_id, source.token_encrypted = folder, "", ""
    else:
        if not _WONDE_ID.match(source.wonde_school_id.strip()):
            errors["wonde_school_id"] = (
                "Give the school's Wonde ID: 'A' and digits, e.g. A1930499544."
            )
        if not source.token_encrypted:
            errors["token"] = "Enter the access token Wonde gave for this school."
        source.folder = ""
    if not 1 <= (source.every_hours or 0) <= 24 * 7:
        errors["every_hours"] = "Run it every 1 to 168 hours."
    if errors:
        raise ValidationError(errors)
    source.full_clean()


@transaction.atomic
def source_create(
    *,
    actor,
    trust,
    school,
    kind: str,
    folder: str = "",
    wonde_school_id: str = "",
    token: str = "",
    every_hours: int = 24,
    is_enabled: bool = True,
) -> FeedSource:
    require(rules.may_manage_feeds(actor, trust), rules.MANAGE_REFUSED)
    source = FeedSource(
        trust=trust,
        school=school,
        kind=kind,
        folder=folder,
        wonde_school_id=wonde_school_id.strip(),
        token_encrypted=seal(token) if token else "",
        every_hours=every_hours,
        is_enabled=is_enabled,
    )
    _validate(source)
    source.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        instance=source,
        before=None,
        after=_snapshot(source),
    )
    return source


@transaction.atomic
def source_update(*, actor, source: FeedSource, token: str = "", **changes) -> FeedSource:
    """A blank token keeps the saved one (it is never shown, so never posted back)."""
    require(rules.may_manage_feeds(actor, source.trust), rules.MANAGE_REFUSED)
    before = _snapshot(source)
    for name, value in changes.items():
        setattr(source, name, value.strip() if isinstance(value, str) else value)
    if token:
        source.token_encrypted = seal(token)
    _validate(source)
    source.save()
    after = _snapshot(source, **({"token": "replaced"} if token else {}))
    if after != before:
        record_event(
            actor=actor, action=AuditAction.UPDATE, instance=source, before=before, after=after
        )
    return source


@transaction.atomic
def settings_save(*, actor, trust, stale_after_days: int) -> FeedSettings:
    require(rules.may_manage_feeds(actor, trust), rules.MANAGE_REFUSED)
    if not 1 <= stale_after_days <= 365:
        raise ValidationError({"stale_after_days": "Give a number of days from 1 to 365."})
    found, created = FeedSettings.objects.get_or_create(
        trust=trust, defaults={"stale_after_days": stale_after_days}
    )
    before = None if created else snapshot(found)
    found.stale_after_days = stale_after_days
    found.save()
    if created or before != snapshot(found):
        record_event(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            instance=found,
            before=before,
            after=snapshot(found),
        )
    return found
