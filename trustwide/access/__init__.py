"""The one place that decides access. Roles map to permissions in policy.py (code);
scope comes from memberships (data) in scope.py. Views, the API, reports, importers and
commands all ask here."""

from .policy import Perm, role_has
from .scope import (
    RoleReader,
    actor_can,
    actor_can_in_trust,
    audience,
    can,
    can_at,
    can_in_school,
    can_in_trust,
    get_object_or_404_for,
    holds_role_at,
    hub_ids,
    hub_ids_at,
    reads_trust_wide,
    restrict,
    restrict_to_held_roles,
    school_ids,
    school_ids_at,
    trust_ids,
    trust_ids_at,
)

__all__ = [
    "Perm",
    "RoleReader",
    "actor_can",
    "actor_can_in_trust",
    "audience",
    "can",
    "can_at",
    "can_in_school",
    "can_in_trust",
    "get_object_or_404_for",
    "holds_role_at",
    "hub_ids",
    "reads_trust_wide",
    "hub_ids_at",
    "restrict",
    "restrict_to_held_roles",
    "role_has",
    "school_ids",
    "school_ids_at",
    "trust_ids",
    "trust_ids_at",
]
