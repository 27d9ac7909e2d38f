import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

log = logging.getLogger(__name__)

# Served if even the 500 template cannot render (a broken template loader or static storage).
_PLAIN_500 = (
    '<!doctype html><html lang="en-GB"><title>Something went wrong · Trustwide</title>'
    "<h1>Something went wrong</h1><p>The error has been logged. Please try again in a moment.</p></html>"
)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def server_error(request):
    # Rendered without the request or a context: whatever failed (the database, a context
    # processor, the session) must not fail this page too.
    try:
        body = loader.render_to_string("500.html")
    except Exception:
        log.exception("The 500 page itself failed to render")
        body = _PLAIN_500
    return HttpResponseServerError(body)
