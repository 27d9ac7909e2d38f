"""Session idle expiry without a database write on every request.

Django's SESSION_SAVE_EVERY_REQUEST kept the 8-hour idle expiry by saving the session on every
request (BEGIN / UPDATE django_session / COMMIT on each page). Instead the session remembers when
it was last seen, refreshed at most every TRUSTWIDE_SESSION_TOUCH_SECONDS (one write per few
minutes of activity, which also moves the row's expire_date forward), and a session idle for
longer than TRUSTWIDE_SESSION_IDLE_SECONDS is flushed: the user signs in again. The timestamp is
in the server-side session, so a client cannot forge it.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from .hashers import PasswordChecksBusy

LAST_SEEN_KEY = "_trustwide_last_seen"


class IdleSessionMiddleware:
    """Place directly after SessionMiddleware (before AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        now = int(time.time())
        # A cookie came with the request (loading it drops the key if the row has expired or
        # never existed: such a visitor is anonymous and gets no new session from us).
        seen = session.get(LAST_SEEN_KEY) if session.session_key is not None else None
        if session.session_key is not None:
            if seen is not None and now - seen > settings.TRUSTWIDE_SESSION_IDLE_SECONDS:
                session.flush()  # idle too long: signed out, the row deleted
            elif seen is None or now - seen >= settings.TRUSTWIDE_SESSION_TOUCH_SECONDS:
                session[LAST_SEEN_KEY] = now
        response = self.get_response(request)
        # A session created or changed by this request (sign-in) starts its clock now, in the
        # same save as the change.
        if session.modified and not session.is_empty() and LAST_SEEN_KEY not in session:
            session[LAST_SEEN_KEY] = now
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PasswordChecksBusy):
            return busy_response(request)
        return None


def busy_response(request) -> HttpResponse:
    """503 with Retry-After: the polite answer when too many passwords are being checked."""
    response = HttpResponse(render_to_string("accounts/busy.html", request=request), status=503)
    response["Retry-After"] = "5"
    return response
