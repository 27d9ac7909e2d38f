"""Links from the trust and school pages to each domain's pages.

Each domain app may offer a `links` module with `trust_links(user, trust)` and/or
`school_links(user, school)`, returning (url, label) pairs the user may follow. The foundation
pages gather them, so they never import a domain app.
"""

from __future__ import annotations

from trustwide.common.extensions import app_modules


def _modules():
    return [m for m in app_modules("links") if m.__name__ != "trustwide.accounts.links"]


def trust_links(user, trust) -> list[tuple[str, str]]:
    out = []
    for module in _modules():
        if hasattr(module, "trust_links"):
            out.extend(module.trust_links(user, trust))
    return out


def school_links(user, school) -> list[tuple[str, str]]:
    out = []
    for module in _modules():
        if hasattr(module, "school_links"):
            out.extend(module.school_links(user, school))
    return out
