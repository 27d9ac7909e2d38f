"""Which objects' history a user may open: exactly the objects the user may open on the page
that shows them. Each app declares, in `<app>/history.py`, `VISIBLE = {"app.model": rule}`
where rule(user) is the queryset of objects of that model the user may see on their page (the
same selector or rule the page uses). A model with no entry has no history page (404), so no
model falls back to a looser rule; the history page also needs history.view on the object
(may_read_history)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from trustwide.access import Perm, restrict, trust_ids
from trustwide.common.extensions import app_modules

Rule = Callable[[object], QuerySet]


def by_view_permission(model) -> Rule:
    """The rule of a page that shows an object to whoever holds the model's view permission
    on it (the scope tree decides where)."""

    def rule(user) -> QuerySet:
        return restrict(model._default_manager.all(), user, model.view_permission)

    return rule


def all_by_view_permission(*models) -> dict[str, Rule]:
    return {m._meta.label_lower: by_view_permission(m) for m in models}


@functools.cache
def rules() -> dict[str, Rule]:
    found: dict[str, Rule] = {}
    for module in app_modules("history"):
        if module.__name__ == __name__:
            continue
        overlap = set(found) & set(module.VISIBLE)
        if overlap:
            raise ImproperlyConfigured(f"History rules declared twice: {sorted(overlap)}")
        found.update(module.VISIBLE)
    return found


def may_read_history(user, instance) -> bool:
    """history.view where the object hangs: on its school for a school's object; anywhere in the
    trust for an object of the whole trust (a trust risk, a trust-wide policy), whose page the
    rule above has already allowed."""
    model = type(instance)
    one = model._default_manager.filter(pk=instance.pk)
    if restrict(one, user, Perm.HISTORY_VIEW).exists():
        return True
    school_path = getattr(model, "scope_school_path", None)
    trust_path = getattr(model, "scope_trust_path", None)
    if not school_path or school_path == "pk" or not trust_path:
        return False
    return one.filter(
        **{f"{school_path}__isnull": True, f"{trust_path}__in": trust_ids(user, Perm.HISTORY_VIEW)}
    ).exists()
