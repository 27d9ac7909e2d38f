"""audited_create/update validate fully, without a SELECT per foreign key already loaded."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trustwide.audit.models import AuditAction, AuditEvent
from trustwide.audit.services import audited_create, audited_update
from trustwide.trusts.models import Hub, Trust


@pytest.fixture
def trust(db):
    return Trust.objects.create(name="Trust Q", slug="trust-q")


def test_a_loaded_foreign_key_is_not_selected_again(trust):
    with CaptureQueriesContext(connection) as ctx:
        hub = audited_create(actor=None, actor_label="test", model=Hub, trust=trust, name="North")
    selects_of_trust = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith("SELECT") and "trusts_trust" in q["sql"].split("WHERE")[0]
    ]
    assert selects_of_trust == []
    event = AuditEvent.objects.get(object_type="trusts.hub", object_id=str(hub.pk))
    assert event.action == AuditAction.CREATE and event.trust_id == trust.pk


def test_a_foreign_key_given_by_id_is_still_checked(trust):
    with pytest.raises(ValidationError) as err:
        audited_create(
            actor=None, actor_label="test", model=Hub, trust_id=trust.pk + 999, name="Nowhere"
        )
    assert "trust" in err.value.message_dict
    assert not Hub.objects.filter(name="Nowhere").exists()


def test_unique_constraints_on_a_skipped_key_still_apply(trust):
    audited_create(actor=None, actor_label="test", model=Hub, trust=trust, name="North")
    with pytest.raises(ValidationError, match="already exists"):
        audited_create(actor=None, actor_label="test", model=Hub, trust=trust, name="North")
    hub = audited_create(actor=None, actor_label="test", model=Hub, trust=trust, name="South")
    with pytest.raises(ValidationError, match="already exists"):
        audited_update(actor=None, actor_label="test", instance=hub, name="North")
    assert Hub.objects.filter(trust=trust).count() == 2
    assert (
        AuditEvent.objects.filter(object_type="trusts.hub", action=AuditAction.CREATE).count() == 2
    )
