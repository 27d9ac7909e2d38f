from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

CONFIRM_DELETE = "confirm_delete.html"


class ScopedViewMixin(LoginRequiredMixin):
    """Base for every page: login required; objects are fetched through trustwide.access."""

    raise_exception = False

    def is_htmx(self) -> bool:
        return bool(getattr(self.request, "htmx", False))


def delete_page(request, *, title: str, delete, back_url: str, done_url: str, done_message: str,
                explanation: str = "", blocker: str | None = None, button: str = "Delete", extra_url=None):
    """The confirmation page every app's delete uses. GET: the page (or, with a blocker, the
    reason the delete is refused, and no button). POST: delete() (a service) runs, or refuses
    with a ValidationError shown on the page (400). delete() may return the message to show
    instead of done_message. extra_url: an optional (url, label) offered beside Cancel."""
    context = {"title": title, "explanation": explanation, "back_url": back_url, "button": button,
               "extra_url": extra_url}
    if request.method == "POST":
        try:
            done = delete()
        except ValidationError as exc:
            return render(request, CONFIRM_DELETE, {**context, "blocker": " ".join(exc.messages)}, status=400)
        messages.success(request, done if isinstance(done, str) else done_message)
        return redirect(done_url)
    return render(request, CONFIRM_DELETE, {**context, "blocker": blocker})
