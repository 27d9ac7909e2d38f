"""For tests that a bulk write path writes the audit rows the single path writes: the rows as
they read apart from ids and times, and the single path itself (audited_create per object) to
run a service through instead of audited_bulk_create."""

from __future__ import annotations

from trustwide.audit.models import AuditEvent
from trustwide.audit.services import audited_create


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def audit_rows(since: int) -> list[dict]:
    """The audit rows written after `since`, in the order written, as they read apart from
    their own id, their object's id and the times (fields ending in _at)."""
    rows = []
    for event in AuditEvent.objects.filter(pk__gt=since).order_by("pk"):
        if event.after is not None:
            assert event.object_id == str(event.after["id"]), "each row names its object"
        rows.append(
            {
                "actor_id": event.actor_id,
                "actor_label": event.actor_label,
                "trust_id": event.trust_id,
                "school_id": event.school_id,
                "action": event.action,
                "object_type": event.object_type,
                "object_repr": event.object_repr,
                "before": event.before,
                "after": _timeless(event.after),
                "request_id": event.request_id,
                "client_request_id": event.client_request_id,
            }
        )
    return rows


def _timeless(data: dict | None) -> dict | None:
    if data is None:
        return None
    return {k: v for k, v in data.items() if k != "id" and not k.endswith("_at")}


def one_by_one(*, actor, objects, actor_label=None) -> list:
    """audited_bulk_create's single-path twin: audited_create for each object in turn."""
    made = []
    for obj in objects:
        fields = {
            f.attname: getattr(obj, f.attname)
            for f in obj._meta.concrete_fields
            if not f.primary_key
        }
        made.append(audited_create(actor=actor, actor_label=actor_label, model=type(obj), **fields))
    return made
