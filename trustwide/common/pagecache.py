"""Rendered parts of trust-wide pages, and other per-viewer results, cached on what they show.

A trust-wide page (trust dashboard, board report, plan roll-up, trust risk register, peer review
overview) spends its time building and rendering one row per school. The rendered table is kept
in Django's default cache (settings.CACHES; locmem per process unless a shared cache is named)
under a key made of: the page, the trust, the viewer's audience (a digest of their active
grants, as for cached PDFs: two viewers with the same grants see the same rows, any other
viewer gets another key), the page's filters, the trust's data version (bumped in the same
transaction as every audited write and KPI refresh, common.pdfs) and the day. A change makes
the next request build afresh; an old entry is never asked for again and expires.

Never put in a cached part anything that is not decided by those inputs: no CSRF token, no
user name, no link shown by a rule other than the grants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .models import DataVersion
from .pdfs import GLOBAL, _audience, _digest, data_version

TIMEOUT = 6 * 60 * 60  # keys carry the day and the data version; this only bounds memory


def with_versions(trusts: QuerySet) -> QuerySet:
    """Trusts that carry their data version (and the global one), read in the same query that
    loads the trust, so a cached page costs no query of its own to find its key."""
    versions = DataVersion.objects.values("value")
    return trusts.annotate(
        tw_data_version=Subquery(versions.filter(scope_id=OuterRef("pk"))[:1]),
        tw_global_version=Subquery(versions.filter(scope_id=GLOBAL)[:1]),
    )


def _version(trust) -> str:
    if hasattr(trust, "tw_data_version"):
        return f"{trust.tw_data_version or 0}.{trust.tw_global_version or 0}"
    return data_version(trust.pk)  # the same form, "trust.global"


def page_key(page: str, *, trust, user, params: dict) -> str:
    """The cache key of what `page` shows this viewer now, with these filters. The version is
    read before the page is built, so a cached page is never older than its key says."""
    parts = (page, trust.pk, _audience(user), params, _version(trust))
    return f"tw:page:{_digest(*parts, timezone.localdate().isoformat())}"


def cached_html(page: str, *, trust, user, params: dict, render: Callable[[], str]) -> SafeString:
    """The HTML `render()` makes for this viewer, from the cache when nothing it shows changed."""
    key = page_key(page, trust=trust, user=user, params=params)
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # noqa: S308 - rendered by our own autoescaping templates


def versions_of(trust_ids: Iterable[int]) -> dict[int, int]:
    """Data versions of several trusts and the global one, in one query."""
    ids = {*trust_ids, GLOBAL}
    found = dict(DataVersion.objects.filter(scope_id__in=ids).values_list("scope_id", "value"))
    return {scope: found.get(scope, 0) for scope in sorted(ids)}


def per_user(name: str, *, user_id: int, parts, build: Callable[[], object]):
    """A value built for one user, cached under (name, user, parts): `parts` must hold every
    version the value depends on (e.g. versions_of(the user's trusts), their memberships, the day)."""
    key = f"tw:user:{name}:{user_id}:{_digest(parts)}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value
