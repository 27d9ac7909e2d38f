"""Scope: where a user may use a permission, from their active memberships.

Every model that pages show declares how it hangs off the scope tree:
    scope_school_path  lookup to its School ("pk" on School itself), if school-scoped
    scope_hub_path     lookup to its Hub, if hub-scoped (Hub, School)
    scope_trust_path   lookup to its Trust ("pk" on Trust itself)
    scope_trust_wide   True where a row with no school (scope_school_path is null) belongs to
                       the whole trust (a trust risk, a trust-wide policy, the board)
    scope_trust_wide_readers  the membership levels whose holders of the model's
                       view_permission read those trust-wide rows (default: trust level only);
                       every other permission on a trust-wide row needs it at trust level
restrict() narrows a queryset with those paths; objects outside the scope are simply
absent, so views answer 404 for them and lists, counts and searches never show them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from trustwide.accounts.roles import ScopeLevel

from .policy import role_has


@dataclass(frozen=True)
class Grant:
    role: str
    level: str
    trust_id: int
    hub_id: int | None
    school_id: int | None


def _grants(user) -> list[Grant]:
    """Active memberships of the user, read once per request (cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    today = timezone.localdate()
    cached = getattr(user, "_trustwide_grants", None)
    if cached is not None and cached[0] == today:
        return cached[1]
    from trustwide.accounts.models import Membership

    grants = [
        Grant(m.role, m.level, m.trust_id, m.hub_id, m.school_id)
        for m in Membership.objects.active(today)
        .filter(user=user)
        .only("role", "trust_id", "hub_id", "school_id")
    ]
    user._trustwide_grants = (today, grants)
    return grants


class RoleReader:
    """Reads as one role at one place of the scope tree, for records kept on behalf of a body
    rather than of a person: a meeting's papers are frozen as the committee sees them, whoever
    marks the meeting held (a clerk holds none of the read permissions the papers need). It is
    not a user: it never signs in, owns nothing and is never an actor of a write."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_superuser = False
    is_staff = False
    pk = id = None

    def __init__(self, role: str, level: str, *, trust_id: int, hub_id=None, school_id=None):
        self.role = role
        self._trustwide_grants = (
            timezone.localdate(),
            [Grant(role, level, trust_id, hub_id, school_id)],
        )

    def __str__(self) -> str:
        return f"as a {self.role.replace('_', ' ')}"


def forget_cached_grants(user) -> None:
    if hasattr(user, "_trustwide_grants"):
        del user._trustwide_grants


def audience(user) -> str:
    """Who a rendered page is for, as far as access goes: a digest of the user's active grants.
    Every scope decision here reads only these grants, so two users with the same audience see
    the same report; a cached PDF is keyed on it and never served to another audience."""
    grants = sorted((g.role, g.trust_id, g.hub_id or 0, g.school_id or 0) for g in _grants(user))
    return hashlib.sha256(repr(grants).encode()).hexdigest()[:32]


def grants_with(user, perm: str) -> list[Grant]:
    return [g for g in _grants(user) if role_has(g.role, perm)]


def trust_ids(user, perm: str) -> set[int]:
    """Trusts in which the user holds the permission at any level."""
    return {g.trust_id for g in grants_with(user, perm)}


def trust_ids_at(user, perm: str, *, levels=(ScopeLevel.TRUST,)) -> set[int]:
    """Trusts where the user holds `perm` through a membership at one of `levels` (by default
    at trust level: "may do this for the whole trust")."""
    return {g.trust_id for g in grants_with(user, perm) if g.level in levels}


def hub_ids_at(user, perm: str) -> set[int]:
    """Hubs where the user holds `perm` through a hub-level membership (no query)."""
    return {g.hub_id for g in grants_with(user, perm) if g.level == ScopeLevel.HUB and g.hub_id}


def school_ids_at(user, perm: str) -> set[int]:
    """Schools where the user holds `perm` through a school-level membership (no query): "their
    own school", as against schools they cover from the hub or trust."""
    return {
        g.school_id for g in grants_with(user, perm) if g.level == ScopeLevel.SCHOOL and g.school_id
    }


def _trust_wide_filter(model, user, perm: str, school_path: str) -> Q | None:
    """Rows with no school that belong to the whole trust, for models that have them."""
    if not getattr(model, "scope_trust_wide", False):
        return None
    levels = (
        getattr(model, "scope_trust_wide_readers", (ScopeLevel.TRUST,))
        if perm == getattr(model, "view_permission", None)
        else (ScopeLevel.TRUST,)
    )
    trusts = trust_ids_at(user, perm, levels=levels)
    if not trusts:
        return None
    return Q(**{f"{school_path}__isnull": True, f"{model.scope_trust_path}__in": trusts})


def _school_filter(user, perm: str, path: str) -> Q | None:
    """Q over the school lookup `path` matching the schools the user covers with `perm`."""
    whole_trusts, hubs, schools = set(), set(), set()
    for g in grants_with(user, perm):
        if g.level == ScopeLevel.TRUST:
            whole_trusts.add(g.trust_id)
        elif g.level == ScopeLevel.HUB:
            hubs.add(g.hub_id)
        else:
            schools.add(g.school_id)
    prefix = "" if path == "pk" else f"{path}__"
    own = "pk" if path == "pk" else path
    q = Q()
    matched = False
    if whole_trusts:
        q |= Q(**{f"{prefix}trust_id__in": whole_trusts})
        matched = True
    if hubs:
        q |= Q(**{f"{prefix}hub_id__in": hubs})
        matched = True
    if schools:
        q |= Q(**{f"{own}__in": schools})
        matched = True
    return q if matched else None


def school_ids(user, perm: str) -> set[int]:
    from trustwide.trusts.models import School

    q = _school_filter(user, perm, "pk")
    if q is None:
        return set()
    return set(School.objects.filter(q).values_list("pk", flat=True))


def hub_ids(user, perm: str) -> set[int]:
    """Hubs the user covers whole: trust-level members see every hub, an EHT their hub."""
    from trustwide.trusts.models import Hub

    whole_trusts = {g.trust_id for g in grants_with(user, perm) if g.level == ScopeLevel.TRUST}
    hubs = {g.hub_id for g in grants_with(user, perm) if g.level == ScopeLevel.HUB}
    if not whole_trusts and not hubs:
        return set()
    return set(
        Hub.objects.filter(Q(trust_id__in=whole_trusts) | Q(pk__in=hubs)).values_list(
            "pk", flat=True
        )
    )


def restrict(queryset: QuerySet, user, perm: str) -> QuerySet:
    """The part of `queryset` the user may use `perm` on. Empty for anonymous users."""
    model = queryset.model
    school_path = getattr(model, "scope_school_path", None)
    hub_path = getattr(model, "scope_hub_path", None)
    trust_path = getattr(model, "scope_trust_path", None)
    if school_path:
        q = _school_filter(user, perm, school_path)
        wide = _trust_wide_filter(model, user, perm, school_path)
        if wide is not None:
            q = wide if q is None else q | wide
        return queryset.filter(q) if q is not None else queryset.none()
    if hub_path:
        ids = hub_ids(user, perm)
        lookup = "pk__in" if hub_path == "pk" else f"{hub_path}__in"
        return queryset.filter(**{lookup: ids}) if ids else queryset.none()
    if trust_path:
        ids = trust_ids(user, perm)
        lookup = "pk__in" if trust_path == "pk" else f"{trust_path}__in"
        return queryset.filter(**{lookup: ids}) if ids else queryset.none()
    raise TypeError(f"{model.__name__} does not declare its scope (scope_*_path).")


def _covers_school(user, perm: str, *, trust_id: int, hub_id: int | None, school_id: int) -> bool:
    for g in grants_with(user, perm):
        if g.trust_id != trust_id:
            continue
        if (
            g.level == ScopeLevel.TRUST
            or (g.level == ScopeLevel.HUB and g.hub_id == hub_id)
            or (g.level == ScopeLevel.SCHOOL and g.school_id == school_id)
        ):
            return True
    return False


def can(user, perm: str, obj) -> bool:
    """May the user use `perm` on this object? Answered from the memberships for the scope
    tree itself; one query at most for other objects."""
    if obj is None or obj.pk is None:
        return False
    from trustwide.trusts.models import Hub, School, Trust

    if isinstance(obj, Trust):
        return obj.pk in trust_ids(user, perm)
    if isinstance(obj, School):
        return _covers_school(
            user, perm, trust_id=obj.trust_id, hub_id=obj.hub_id, school_id=obj.pk
        )
    if isinstance(obj, Hub):
        return any(
            g.trust_id == obj.trust_id
            and (g.level == ScopeLevel.TRUST or (g.level == ScopeLevel.HUB and g.hub_id == obj.pk))
            for g in grants_with(user, perm)
        )
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, perm).exists()


def can_in_school(user, perm: str, school_id: int) -> bool:
    from trustwide.trusts.models import School

    return restrict(School.objects.filter(pk=school_id), user, perm).exists()


def can_in_trust(user, perm: str, trust_id: int) -> bool:
    """For trust-wide actions: the permission held at trust level in that trust."""
    return any(
        g.trust_id == trust_id and g.level == ScopeLevel.TRUST for g in grants_with(user, perm)
    )


def can_at(user, perm: str, *, trust_id: int, school=None) -> bool:
    """`perm` on a row of `school`, or on a trust-wide row (school None): at trust level."""
    if school is not None:
        return can(user, perm, school)
    return can_in_trust(user, perm, trust_id)


def reads_trust_wide(user, model, trust) -> bool:
    """Does the user read `model`'s trust-wide rows in `trust` (its view_permission held at one
    of its scope_trust_wide_readers levels)? For pages that list those rows."""
    levels = getattr(model, "scope_trust_wide_readers", (ScopeLevel.TRUST,))
    return trust.pk in trust_ids_at(user, model.view_permission, levels=levels)


def holds_role_at(user, perm: str, role: str, *, trust_id: int, school=None) -> bool:
    """Does the user hold `role` (with `perm`) where a row is: for a school's row, through a
    membership covering the school; for a trust-wide row (school None), at trust level."""
    for g in grants_with(user, perm):
        if g.role != role or g.trust_id != trust_id:
            continue
        if g.level == ScopeLevel.TRUST or (
            school is not None
            and (
                (g.level == ScopeLevel.HUB and g.hub_id == school.hub_id)
                or (g.level == ScopeLevel.SCHOOL and g.school_id == school.pk)
            )
        ):
            return True
    return False


def restrict_to_held_roles(
    queryset: QuerySet, user, perm: str, *, role_field: str = "role"
) -> QuerySet:
    """Rows addressed to a role (`role_field`) that the user holds where the row is: the rule
    of holds_role_at as one filter (school rows through a covering membership, trust-wide rows
    at trust level)."""
    model = queryset.model
    school_path, trust_path = model.scope_school_path, model.scope_trust_path
    q = Q(pk__in=[])
    for g in grants_with(user, perm):
        base = Q(**{role_field: g.role, f"{trust_path}_id": g.trust_id})
        if g.level == ScopeLevel.TRUST:
            q |= base
        elif g.level == ScopeLevel.HUB:
            q |= base & Q(**{f"{school_path}__hub_id": g.hub_id})
        else:
            q |= base & Q(**{f"{school_path}_id": g.school_id})
    return queryset.filter(q)


def actor_can(actor, perm: str, obj) -> bool:
    """can() as the apps' rules and services ask it: actor None is a command or the demo builder
    acting for the trust (recorded with its actor_label), which may."""
    return actor is None or can(actor, perm, obj)


def actor_can_in_trust(actor, perm: str, trust_id: int) -> bool:
    """can_in_trust() with the same allowance for actor None."""
    return actor is None or can_in_trust(actor, perm, trust_id)


def get_object_or_404_for(user, perm: str, queryset_or_model, **lookup):
    """Same answer for "missing" and "not yours": 404."""
    queryset = (
        queryset_or_model
        if isinstance(queryset_or_model, QuerySet)
        else queryset_or_model._default_manager.all()
    )
    try:
        return restrict(queryset, user, perm).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} found.") from exc
