"""Links from the trust and school pages to each domain's pages.

Each domain app may offer a `links` module with `trust_links(user, trust)` and/or
`school_links(user, school)`, returning (url, label) pairs the user may follow. The foundation
pages gather them, so they never import a domain app.
"""

from __future__ import annotations

import importlib

from django.apps import apps


def _modules():
    for config in apps.get_app_configs():
        if not config.name.startswith("trustwide.") or config.name == "trustwide.accounts":
            continue
        try:
            yield importlib.import_module(f"{config.name}.links")
        except ModuleNotFoundError:
            continue


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
