"""What needs the user's attention on the home page.

Each domain app may offer `attention.items(user) -> list[Attention]`; this module gathers them,
so the home page grows with the product without knowing every app.

Gathering asks every app (many small queries), so the home page reads the items through
`cached_items_for`: per user, keyed on the data versions of the user's trusts (bumped by every
audited write and KPI refresh, so an item a write creates or settles shows at once), the user's
active memberships and the day (items fall due with the date). Never shared between users.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from trustwide.common.extensions import app_modules
from trustwide.common.pagecache import per_user, versions_of

from . import rules


@dataclass(frozen=True)
class Attention:
    title: str
    detail: str
    url: str = ""
    severity: str = "info"  # info | due | overdue


def _membership_items(user) -> list[Attention]:
    from .models import Membership

    items = []
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=14)
    own = Membership.objects.active().filter(user=user, ends_on__isnull=False, ends_on__lte=soon)
    for m in own.select_related("school", "hub", "trust"):
        items.append(
            Attention(
                title=f"Your {m.get_role_display().lower()} access ends on {m.ends_on:%d/%m/%Y}",
                detail=str(m.scope_node),
                severity="due",
            )
        )
    managed = rules.trusts_managed(user)
    if managed:
        ending = (
            Membership.objects.active()
            .filter(trust_id__in=managed, ends_on__isnull=False, ends_on__lte=soon)
            .exclude(user=user)
            .select_related("user", "trust")
        )
        for m in ending[:20]:
            items.append(
                Attention(
                    title=f"{m.user}'s {m.get_role_display().lower()} access ends on {m.ends_on:%d/%m/%Y}",
                    detail=str(m.trust),
                    severity="due",
                )
            )
    return items


def items_for(user) -> list[Attention]:
    items = _membership_items(user)
    for module in app_modules("attention"):
        if module.__name__ == "trustwide.accounts.attention":
            continue
        items.extend(module.items(user))
    order = {"overdue": 0, "due": 1, "info": 2}
    return sorted(items, key=lambda item: order.get(item.severity, 3))


def cached_items_for(user, memberships) -> list[Attention]:
    """items_for(user), from the cache while nothing it depends on changed. `memberships`: the
    user's active memberships (the home page has them already)."""
    members = sorted(
        (
            m.pk,
            m.role,
            m.trust_id,
            m.hub_id or 0,
            m.school_id or 0,
            str(m.starts_on),
            str(m.ends_on),
        )
        for m in memberships
    )
    parts = (
        members,
        versions_of(m.trust_id for m in memberships),
        timezone.localdate().isoformat(),
    )
    return per_user("attention", user_id=user.pk, parts=parts, build=lambda: items_for(user))
