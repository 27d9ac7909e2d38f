"""For tests that a bulk write path writes the audit rows the single path writes: the rows as
they read apart from ids and times, and the single path itself (audited_create per object) to
run a service through instead of audited_bulk_create."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from trustwide.audit.models import AuditEvent
from trustwide.audit.services import audited_create


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def audit_rows(since: int) -> list[dict]:
    """The audit rows written after `since`, in the order written, as they read apart from
    their own id, their object's id and the times (fields ending in _at)."""
    rows = []
    events = list(AuditEvent.objects.filter(pk__gt=since).order_by("pk"))
    # Objects created in this run, numbered per model in the order created: a reference to one
    # of them (a copied plan's priorities point at the new plan) reads as "new <model> #n", so
    # two runs compare equal though the database gave them other ids (PostgreSQL does not
    # reuse ids of a rolled-back run; SQLite does).
    created: dict[tuple[str, int], str] = {}
    for event in events:
        if event.action == "create" and event.after is not None:
            n = sum(1 for label, _ in created if label == event.object_type)
            created[(event.object_type, event.after["id"])] = f"new {event.object_type} #{n}"
    for event in events:
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
                "after": _new_refs(event.object_type, _timeless(event.after), created),
                "request_id": event.request_id,
                "client_request_id": event.client_request_id,
            }
        )
    return rows


def _new_refs(object_type: str, data: dict | None, created: dict) -> dict | None:
    if data is None:
        return None
    model = apps.get_model(object_type)
    out = dict(data)
    for name, value in data.items():
        if not name.endswith("_id") or value is None:
            continue
        try:
            field = model._meta.get_field(name[: -len("_id")])
        except FieldDoesNotExist:
            continue
        if field.is_relation and field.related_model is not None:
            out[name] = created.get((field.related_model._meta.label_lower, value), value)
    return out


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
