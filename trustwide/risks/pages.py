"""Small helpers shared by the risk and governance views."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render


def deny_unless(allowed: bool, message: str) -> None:
    """Visible but not allowed: 403 (out of scope was already a 404)."""
    if not allowed:
        raise PermissionDenied(message)


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def form_page(
    request, form, save, *, template, context=None, success_url, success_message="Saved."
):
    """GET shows the form; a valid POST calls save(form) (a service), then redirects.
    Validation errors from the form or the service come back on the form (status 400)."""
    if request.method == "POST":
        if form.is_valid():
            try:
                result = save(form)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, success_message)
                return redirect(success_url(result) if callable(success_url) else success_url)
        return render(request, template, {**(context or {}), "form": form}, status=400)
    return render(request, template, {**(context or {}), "form": form})
