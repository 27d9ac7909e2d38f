"""The page kit every app builds its pages on: login-required base view, the refusal helper,
the form page (GET shows, valid POST calls a service then redirects, errors come back on the
form with status 400), the delete confirmation page, and ValidationError plumbing. One copy,
here; an app adds only what is its own."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

CONFIRM_DELETE = "confirm_delete.html"
FORM_PAGE = "form_page.html"


class ScopedViewMixin(LoginRequiredMixin):
    """Base for every page: login required; objects are fetched through trustwide.access."""

    raise_exception = False

    def is_htmx(self) -> bool:
        return bool(getattr(self.request, "htmx", False))


def deny_unless(allowed: bool, message: str) -> None:
    """Visible but not allowed: 403 with the rule's own message (out of scope was already a 404).
    The message comes from the app's rules module, where each refusal is written once."""
    if not allowed:
        raise PermissionDenied(message)


def add_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: field errors on their fields, the rest on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def messages_from(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def form_page(
    request,
    form,
    save,
    *,
    success_url,
    template=FORM_PAGE,
    context=None,
    success_message="Saved.",
    title=None,
    back_url=None,
):
    """GET shows the form; a valid POST calls save(form) (a service), then redirects to
    success_url (or success_url(result) when it is callable; success_message likewise). Validation errors from the form or
    the service come back on the form (status 400). title and back_url fill the standard form
    page (form_page.html: breadcrumb, heading, Save and Cancel); context adds to it."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = save(form)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request,
                    success_message(result) if callable(success_message) else success_message,
                )
                return redirect(success_url(result) if callable(success_url) else success_url)
        status = 400
    page = {"form": form}
    if title is not None:
        page["title"] = title
    if back_url is not None:
        page["back_url"] = back_url
    page.update(context or {})
    return render(request, template, page, status=status)


def delete_page(
    request,
    *,
    title: str,
    delete,
    back_url: str,
    done_url: str,
    done_message: str,
    explanation: str = "",
    blocker: str | None = None,
    button: str = "Delete",
    extra_url=None,
):
    """The confirmation page every app's delete uses. GET: the page (or, with a blocker, the
    reason the delete is refused, and no button). POST: delete() (a service) runs, or refuses
    with a ValidationError shown on the page (400). delete() may return the message to show
    instead of done_message. extra_url: an optional (url, label) offered beside Cancel."""
    context = {
        "title": title,
        "explanation": explanation,
        "back_url": back_url,
        "button": button,
        "extra_url": extra_url,
    }
    if request.method == "POST":
        try:
            done = delete()
        except ValidationError as exc:
            return render(
                request, CONFIRM_DELETE, {**context, "blocker": " ".join(exc.messages)}, status=400
            )
        messages.success(request, done if isinstance(done, str) else done_message)
        return redirect(done_url)
    return render(request, CONFIRM_DELETE, {**context, "blocker": blocker})
