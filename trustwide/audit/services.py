"""The audit write path. Domain services call these helpers; nothing else writes AuditEvent.

Each helper must run inside the caller's transaction (they open an atomic block of their own
as well, so a failure after the change rolls back the change and its audit row together).
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DatabaseError, models, transaction
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


# Trusts whose data version is to be bumped once when data_version_bumped_once() ends (None:
# bump at each audited write).
_pending_bumps: ContextVar[set | None] = ContextVar("trustwide_pending_bumps", default=None)


def _bump(trust_id: int | None) -> None:
    pending = _pending_bumps.get()
    if pending is None:
        bump_data_version(trust_id)
    else:
        pending.add(trust_id)


@contextmanager
def data_version_bumped_once() -> Iterator[None]:
    """Inside a transaction, for builders that make thousands of audited writes at once (the
    demo): each write notes its trust instead of bumping the trust's data version, and each
    trust noted is bumped once on leaving, still inside the transaction, so readers see the new
    version exactly when they see the writes, as they would with a bump per write. Nested uses
    leave the bumping to the outermost."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("data_version_bumped_once() belongs inside transaction.atomic().")
    if _pending_bumps.get() is not None:
        yield
        return
    pending: set = set()
    token = _pending_bumps.set(pending)
    try:
        yield
    except BaseException:
        _pending_bumps.reset(token)
        # Writes made before the error may still commit if the caller carries on: bump for
        # them, unless the transaction is already broken (it will roll back everything then).
        try:
            _bump_all(pending)
        except DatabaseError:
            pass
        raise
    _pending_bumps.reset(token)
    _bump_all(pending)


def _bump_all(trust_ids: Iterable[int | None]) -> None:
    for trust_id in sorted(set(trust_ids), key=lambda t: t or 0):
        bump_data_version(trust_id)


def _new_event(
    *,
    actor,
    action: AuditAction,
    instance: models.Model,
    before: dict | None,
    after: dict | None,
    actor_label: str | None = None,
    scope: tuple[int | None, int | None] | None = None,
) -> AuditEvent:
    """The (unsaved) audit row of one write; the trust's data version noted or bumped."""
    _check_action(action)
    trust_id, school_id = scope or _scope_of(instance)
    label = actor_label or (str(actor) if actor is not None else "system")
    # An audited write may change what a report shows: cached PDFs of the trust are keyed on
    # this counter, bumped in the write's own transaction (sign-ins and the like change nothing).
    if action not in NOT_SHOWN_IN_REPORTS:
        _bump(trust_id)
    return AuditEvent(
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
    event = _new_event(
        actor=actor,
        action=action,
        instance=instance,
        before=before,
        after=after,
        actor_label=actor_label,
        scope=scope,
    )
    event.save(force_insert=True)
    return event


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
def audited_bulk_create(
    *, actor, objects: Iterable[models.Model], actor_label: str | None = None
) -> list[models.Model]:
    """audited_create for many new objects of one model: each is validated exactly as
    audited_create validates it (nothing is saved if any fails), then the objects are inserted
    together and their audit rows together. The rows are those audited_create would write one by
    one, in the order of `objects`; each trust's data version is bumped once. A service that
    mixes kinds (a plan copy's priorities, actions and criteria; a termly review's updated and
    new ratings) writes each call's rows together, so its audit trail lists them grouped by
    call rather than interleaved as a one-by-one loop would: the same rows, another order. Two of the objects that
    break a unique rule together are refused by the database (IntegrityError; nothing saved).

    For models saved by Model.save() alone: a model that overrides save() (or inherits from a
    concrete model) is refused, since bulk inserts skip that code."""
    objects = list(objects)
    if not objects:
        return []
    model = type(objects[0])
    if any(type(obj) is not model for obj in objects):
        raise TypeError("audited_bulk_create takes objects of one model.")
    if model.save is not models.Model.save or model._meta.parents:
        raise TypeError(f"{model.__name__} saves through its own code: use audited_create.")
    for obj in objects:
        if not obj._state.adding:
            raise ValueError(f"{obj!r} is already saved.")
        _full_clean(obj)
    model._default_manager.bulk_create(objects)
    if any(obj.pk is None for obj in objects):  # a database that cannot return new ids
        raise DatabaseError("The database did not return the new rows' ids.")
    with data_version_bumped_once():  # one bump per trust (or the caller's, if it defers)
        AuditEvent.objects.bulk_create(
            [
                _new_event(
                    actor=actor,
                    action=AuditAction.CREATE,
                    instance=obj,
                    before=None,
                    after=snapshot(obj),
                    actor_label=actor_label,
                )
                for obj in objects
            ]
        )
    return objects


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
