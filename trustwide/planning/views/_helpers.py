"""Shared bits of the planning views."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from trustwide.access import Perm, can, get_object_or_404_for

from ..models import SchoolPlan


def deny_unless(allowed: bool, message: str) -> None:
    """Visible but not allowed: 403 (out of scope was already a 404)."""
    if not allowed:
        raise PermissionDenied(message)


def get_plan(user, pk: int, *, queryset=None) -> SchoolPlan:
    queryset = queryset if queryset is not None else SchoolPlan.objects.select_related(
        "school__trust", "school__hub", "academic_year"
    )
    return get_object_or_404_for(user, Perm.PLAN_VIEW, queryset, pk=pk)


def get_plan_item(user, model, pk: int, *, related: tuple = ()):
    """A priority, action, criterion or milestone the user may see (404 otherwise)."""
    path = "plan" if model.__name__ == "Priority" else "priority__plan"
    queryset = model.objects.select_related(f"{path}__school__trust", f"{path}__school__hub",
                                            f"{path}__academic_year", *related)
    return get_object_or_404_for(user, Perm.PLAN_VIEW, queryset, pk=pk)


def plan_of(item) -> SchoolPlan:
    if hasattr(item, "plan"):
        return item.plan
    if item.priority is None:  # e.g. an appraisal objective whose priority went before the rule
        raise Http404("This no longer belongs to a plan.")
    return item.priority.plan


def require_edit(user, plan: SchoolPlan) -> None:
    deny_unless(can(user, Perm.PLAN_EDIT, plan.school), "Only school leaders edit this plan.")


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def form_page(request, form, save, *, template="planning/form.html", context=None, success_url,
              success_message="Saved."):
    """GET shows the form; a valid POST calls save(form) (a service), then redirects.
    Validation errors from the form or the service come back on the form (status 400)."""
    if request.method == "POST":
        if form.is_valid():
            try:
                save(form)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, success_message)
                return redirect(success_url)
        return render(request, template, {**(context or {}), "form": form}, status=400)
    return render(request, template, {**(context or {}), "form": form})


def messages_from(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)
