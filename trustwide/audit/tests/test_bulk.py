"""Bulk audited writes: audited_bulk_create writes the audit rows audited_create writes, object
by object, and validates as it does; data_version_bumped_once() bumps a trust's data version
once for many writes, inside the writes' transaction."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from trustwide.audit.models import AuditEvent
from trustwide.audit.services import (
    audited_bulk_create,
    audited_create,
    audited_update,
    data_version_bumped_once,
)
from trustwide.common.models import DataVersion
from trustwide.trusts.models import Hub, Term

from .equivalence import audit_rows, last_event_id

NAMES = ["North", "South", "East"]


class _Undo(Exception):
    pass


def version(trust) -> int:
    return (
        DataVersion.objects.filter(scope_id=trust.pk).values_list("value", flat=True).first() or 0
    )


def test_bulk_create_writes_the_rows_audited_create_writes_one_by_one(world):
    trust, admin = world.trust_a, world.user("trust_administrator")
    start, v0 = last_event_id(), version(trust)
    # One by one, then undone, so the bulk write starts from the same state.
    with pytest.raises(_Undo), transaction.atomic():
        for name in NAMES:
            audited_create(actor=admin, model=Hub, trust=trust, name=name)
        single, single_bumps = audit_rows(start), version(trust) - v0
        raise _Undo
    assert not Hub.objects.filter(name__in=NAMES).exists()

    hubs = audited_bulk_create(actor=admin, objects=[Hub(trust=trust, name=name) for name in NAMES])

    assert [h.name for h in Hub.objects.filter(pk__in=[h.pk for h in hubs])] == sorted(NAMES)
    assert len(single) == 3 and audit_rows(start) == single
    assert [e.object_id for e in AuditEvent.objects.filter(pk__gt=start).order_by("pk")] == [
        str(h.pk) for h in hubs
    ]
    assert single_bumps == 3 and version(trust) - v0 == 1, "one bump for the trust"


def test_bulk_create_validates_every_object_and_saves_nothing_when_one_fails(world):
    trust = world.trust_a
    start, v0 = last_event_id(), version(trust)
    # "H1" is taken in trust A: the same unique check audited_create makes.
    with pytest.raises(ValidationError, match="already exists"):
        audited_bulk_create(
            actor=None,
            actor_label="test",
            objects=[Hub(trust=trust, name="Fresh"), Hub(trust=trust, name="H1")],
        )
    assert not Hub.objects.filter(name="Fresh").exists()
    assert last_event_id() == start and version(trust) == v0


def test_bulk_create_refuses_a_model_that_saves_through_its_own_code(world):
    year = world.trust_a.academic_years.get()
    with pytest.raises(TypeError, match="use audited_create"):
        audited_bulk_create(
            actor=None,
            objects=[Term(academic_year=year, name="autumn", starts_on=None, ends_on=None)],
        )


def test_many_writes_bump_the_data_version_once_inside_their_transaction(world):
    trust, leader = world.trust_a, world.user("trust_leader")
    v0 = version(trust)
    with transaction.atomic():
        with data_version_bumped_once():
            for n in range(3):
                audited_update(actor=leader, instance=world.hub_1, name=f"H1 renamed {n}")
            with data_version_bumped_once():  # nested: the outer one bumps
                audited_update(actor=leader, instance=world.hub_2, name="H2 renamed")
            assert version(trust) == v0, "not yet"
        assert version(trust) == v0 + 1, "bumped before the transaction commits"
    assert AuditEvent.objects.filter(object_type="trusts.hub", action="update").count() == 4


def test_bumped_once_belongs_in_a_transaction():  # no database: outside any transaction
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        with data_version_bumped_once():
            pass
