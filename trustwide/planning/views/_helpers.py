"""Shared bits of the planning views."""

from __future__ import annotations

from django.http import Http404

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import deny_unless

from .. import rules
from ..models import SchoolPlan


def get_plan(user, pk: int, *, queryset=None) -> SchoolPlan:
    queryset = (
        queryset
        if queryset is not None
        else SchoolPlan.objects.select_related("school__trust", "school__hub", "academic_year")
    )
    return get_object_or_404_for(user, Perm.PLAN_VIEW, queryset, pk=pk)


def get_plan_item(user, model, pk: int, *, related: tuple = ()):
    """A priority, action, criterion or milestone the user may see (404 otherwise)."""
    path = "plan" if model.__name__ == "Priority" else "priority__plan"
    queryset = model.objects.select_related(
        f"{path}__school__trust", f"{path}__school__hub", f"{path}__academic_year", *related
    )
    return get_object_or_404_for(user, Perm.PLAN_VIEW, queryset, pk=pk)


def plan_of(item) -> SchoolPlan:
    if hasattr(item, "plan"):
        return item.plan
    if item.priority is None:  # e.g. an appraisal objective whose priority went before the rule
        raise Http404("This no longer belongs to a plan.")
    return item.priority.plan


def require_edit(user, plan: SchoolPlan) -> None:
    deny_unless(rules.may_edit_plans(user, plan.school), rules.PLAN_EDIT_REFUSED)
