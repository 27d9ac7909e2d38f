"""The audit write path. Domain services call these helpers; nothing else writes AuditEvent.

Each helper must run inside the caller's transaction (they open an atomic block of their own
as well, so a failure after the change rolls back the change and its audit row together).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from trustwide.common.pdfs import bump_data_version
from trustwide.common.request_context import current_client_request_id, current_request_id

from .models import AuditAction, AuditEvent, PupilDataAccess, PupilDataAccessPupil


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The object's own field values (foreign keys as ids), JSON-ready."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in {"password"}:
            continue
        data[field.attname] = _jsonable(getattr(instance, field.attname))
    return data


def _scope_of(instance) -> tuple[int | None, int | None]:
    scope = getattr(instance, "audit_scope", None)
    if scope is None:
        raise TypeError(
            f"{type(instance).__name__} must define audit_scope() -> (trust_id, school_id)"
        )
    return scope()


# AuditAction.values builds a new list on every access; every audited write checks its verb.
_ACTIONS = frozenset(AuditAction.values)
# Events that change nothing a report shows, so they leave cached report PDFs valid.
NOT_SHOWN_IN_REPORTS = frozenset(
    {
        AuditAction.SSO_LOGIN,
        AuditAction.SSO_REFUSED,
        AuditAction.MFA_ENROL,
        AuditAction.MFA_RESET,
        AuditAction.API_TOKEN_CREATE,
        AuditAction.API_TOKEN_REVOKE,
        AuditAction.PUPIL_DATA_EXPORT,
    }
)


def _check_action(action) -> None:
    if action not in _ACTIONS:
        raise ValueError(
            f"Unknown audit action {action!r}: add it to audit.models.AuditAction first."
        )


def record_event(
    *,
    actor,
    action: AuditAction,
    instance: models.Model,
    before: dict | None,
    after: dict | None,
    actor_label: str | None = None,
    scope: tuple[int | None, int | None] | None = None,
) -> AuditEvent:
    _check_action(action)
    trust_id, school_id = scope or _scope_of(instance)
    label = actor_label or (str(actor) if actor is not None else "system")
    # An audited write may change what a report shows: cached PDFs of the trust are keyed on
    # this counter, bumped in the write's own transaction (sign-ins and the like change nothing).
    if action not in NOT_SHOWN_IN_REPORTS:
        bump_data_version(trust_id)
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=label[:200],
        trust_id=trust_id,
        school_id=school_id,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
        request_id=current_request_id(),
        client_request_id=current_client_request_id(),
    )


def _loaded_relations(instance: models.Model) -> set[str]:
    """Foreign keys set to a saved object this process already holds (a service's arguments).

    Django's full_clean() runs one SELECT per foreign key to check that the target exists;
    for an object just loaded (or saved) in this transaction that only repeats what we know,
    and it was a third of the demo builder's time. The database's foreign key constraint
    still guards the row; keys with limit_choices_to are still checked.
    """
    names = set()
    for field in instance._meta.concrete_fields:
        if (
            not field.many_to_one
            or field.remote_field.limit_choices_to
            or not field.is_cached(instance)
        ):
            continue
        target = field.get_cached_value(instance)
        if (
            target is not None
            and not target._state.adding
            and target.pk is not None
            and target.pk == getattr(instance, field.attname)
        ):
            names.add(field.name)
    return names


def _full_clean(instance: models.Model) -> None:
    """instance.full_clean(), without the existence queries for _loaded_relations (unique and
    constraint checks still cover every field)."""
    skip = _loaded_relations(instance)
    if not skip:
        instance.full_clean()
        return
    clean_fields = instance.clean_fields
    instance.clean_fields = lambda exclude=None: clean_fields(exclude=set(exclude or ()) | skip)
    try:
        instance.full_clean()
    finally:
        del instance.clean_fields


@transaction.atomic
def audited_create(*, actor, model: type[models.Model], actor_label: str | None = None, **fields):
    instance = model(**fields)
    _full_clean(instance)
    instance.save()
    record_event(
        actor=actor,
        action=AuditAction.CREATE,
        instance=instance,
        before=None,
        after=snapshot(instance),
        actor_label=actor_label,
    )
    return instance


@transaction.atomic
def audited_update(
    *,
    actor,
    instance: models.Model,
    action: AuditAction = AuditAction.UPDATE,
    actor_label: str | None = None,
    **changes,
):
    """Apply `changes`, validate, save, and record before/after. No-op changes write nothing."""
    _check_action(action)
    before = snapshot(instance)
    for name, value in changes.items():
        setattr(instance, name, value)
    _full_clean(instance)
    after = snapshot(instance)
    if after == before and action == AuditAction.UPDATE:
        return instance
    instance.save()
    record_event(
        actor=actor,
        action=action,
        instance=instance,
        before=before,
        after=snapshot(instance),
        actor_label=actor_label,
    )
    return instance


@transaction.atomic
def audited_delete(*, actor, instance: models.Model, actor_label: str | None = None) -> None:
    before = snapshot(instance)
    # Record first: the scope (trust/school) must still resolve.
    record_event(
        actor=actor,
        action=AuditAction.DELETE,
        instance=instance,
        before=before,
        after=None,
        actor_label=actor_label,
    )
    instance.delete()


@transaction.atomic
def record_pupil_access(
    *,
    actor,
    trust_id: int,
    school_id: int | None,
    kind: str,
    description: str,
    pupil_keys,
    path: str = "",
) -> PupilDataAccess:
    """Record that `actor` was shown identifying data of these pupils (one row, plus one row per
    pupil in a single insert). Called by every page, export and report that names pupils."""
    keys = sorted(set(pupil_keys))
    access = PupilDataAccess.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=(str(actor) if actor is not None else "system")[:200],
        trust_id=trust_id,
        school_id=school_id,
        kind=kind,
        description=description[:300],
        path=path[:500],
        pupil_count=len(keys),
        request_id=current_request_id(),
    )
    PupilDataAccessPupil.objects.bulk_create(
        [PupilDataAccessPupil(access=access, pupil_key=key) for key in keys]
    )
    return access
