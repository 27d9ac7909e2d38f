import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from trustwide.access import Perm, restrict
from trustwide.accounts.models import Membership

from .models import Hub, Inspection, School, Trust


def schools_open_on(trust, day: datetime.date) -> QuerySet:
    """The trust's schools on a day (joined by then, not yet left): what current pages count."""
    return School.objects.filter(trust=trust).open_on(day)


def schools_for(
    *,
    user,
    perm: str = Perm.SCHOOL_VIEW,
    trust=None,
    hub_id=None,
    phase=None,
    open_on: datetime.date | None = None,
) -> QuerySet:
    schools = restrict(School.objects.all(), user, perm)
    if open_on is not None:
        schools = schools.open_on(open_on)
    if trust is not None:
        schools = schools.filter(trust=trust)
    if hub_id:
        schools = schools.filter(hub_id=hub_id)
    if phase:
        schools = schools.filter(phase=phase)
    return schools.select_related("hub", "trust").prefetch_related(
        Prefetch("inspections", queryset=Inspection.objects.order_by("-inspected_on"))
    )


def trusts_for(*, user) -> QuerySet:
    return restrict(Trust.objects.all(), user, Perm.TRUST_VIEW)


def hubs_for(*, user, trust=None) -> QuerySet:
    hubs = restrict(Hub.objects.all(), user, Perm.HUB_VIEW)
    if trust is not None:
        hubs = hubs.filter(trust=trust)
    return hubs.select_related("executive_headteacher").annotate(school_count=Count("schools"))


def people_of_school(*, school) -> QuerySet:
    return (
        Membership.objects.active()
        .filter(Q(school=school) | Q(hub_id=school.hub_id, hub__isnull=False))
        .select_related("user")
        .order_by("role", "user__full_name")
    )


def people_of_trust(*, trust) -> QuerySet:
    return (
        Membership.objects.active()
        .filter(trust=trust, school__isnull=True, hub__isnull=True)
        .select_related("user")
        .order_by("role", "user__full_name")
    )
