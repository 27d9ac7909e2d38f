"""What each role may do, in words, for the People page: generated from access.policy so the
page cannot drift from the rules that are enforced."""

from __future__ import annotations

from dataclasses import dataclass

from trustwide.access.policy import PERM_LABELS, ROLE_PERMISSIONS, Perm

from .roles import ROLE_LEVEL, Role, ScopeLevel

_WHERE = {
    ScopeLevel.TRUST: "the whole trust",
    ScopeLevel.HUB: "the schools of their hub",
    ScopeLevel.SCHOOL: "their school",
}


@dataclass
class RoleRow:
    role: str
    label: str
    where: str
    pupils: bool
    groups: list[tuple[str, list[str]]]  # (heading, what they may do)


def role_permission_table() -> list[RoleRow]:
    headings = list(dict.fromkeys(heading for heading, _ in PERM_LABELS.values()))
    rows = []
    for role in Role:
        perms = ROLE_PERMISSIONS.get(role, frozenset())
        groups = []
        for heading in headings:
            can = [
                label for perm, (h, label) in PERM_LABELS.items() if h == heading and perm in perms
            ]
            if can:
                groups.append((heading, can))
        rows.append(
            RoleRow(
                role.value, role.label, _WHERE[ROLE_LEVEL[role]], Perm.PUPILS_VIEW in perms, groups
            )
        )
    return rows
