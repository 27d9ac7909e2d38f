"""Extension points: each domain app may offer a module of a known name (links, attention,
demo, schedule); lower layers find them here instead of importing higher apps."""

from __future__ import annotations

import functools
import importlib
from types import ModuleType

from django.apps import apps


@functools.cache
def app_modules(name: str) -> tuple[ModuleType, ...]:
    """`trustwide.<app>.<name>` for every installed Trustwide app that has one, in
    INSTALLED_APPS order. Looked up once per process: a missing module is a file-system search
    that would otherwise repeat on every page. An import error inside a module is raised."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("trustwide."):
            continue
        try:
            found.append(importlib.import_module(f"{config.name}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
    return tuple(found)
