from django.db.models import QuerySet

from trustwide.access import Perm, restrict

from .models import AuditEvent


def trust_audit_events(
    *, user, trust, school_id=None, actor_id=None, date_from=None, date_to=None
) -> QuerySet:
    events = restrict(AuditEvent.objects.filter(trust=trust), user, Perm.AUDIT_VIEW_TRUST)
    if school_id:
        events = events.filter(school_id=school_id)
    if actor_id:
        events = events.filter(actor_id=actor_id)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.select_related("actor", "school")


def object_history(*, instance) -> QuerySet:
    """History of one object. Callers have already checked the user may see the object."""
    return AuditEvent.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    ).select_related("actor")
