"""Middleware of the accounts app.

MfaRequiredMiddleware sends a logged-in person who owes a second factor to verify or enrol
before any other page. What they owe is worked out once, at login (accounts/apps.py connects it
to user_logged_in, so the password page and any single sign-on both pass here) and kept in the
session, so pages pay no extra query. A trust's policy change applies from each person's next
login.

IdleSessionMiddleware keeps the 8-hour idle expiry without a database write on every request:
the session remembers when it was last seen, refreshed at most every
TRUSTWIDE_SESSION_TOUCH_SECONDS (one write per few minutes of activity, which also moves the
row's expire_date forward), and a session idle longer than TRUSTWIDE_SESSION_IDLE_SECONDS is
flushed. The timestamp is in the server-side session, so a client cannot forge it.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from . import mfa
from .hashers import PasswordChecksBusy

# Pages a person may open before their second factor: the two MFA pages and logging out.
OPEN_BEFORE_MFA = {"accounts:mfa-verify", "accounts:mfa-enrol", "accounts:logout"}


def remember_login_state(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[mfa.SESSION_KEY] = mfa.login_state(user)


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        state = request.session.get(mfa.SESSION_KEY)
        if state is None:  # a session from before two-step login existed
            state = request.session[mfa.SESSION_KEY] = mfa.login_state(user)
        if state == mfa.NOT_NEEDED or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_MFA:
            return None
        target = reverse("accounts:mfa-verify" if state == mfa.VERIFY else "accounts:mfa-enrol")
        if request.method == "GET" and not getattr(request, "htmx", False):
            target += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return redirect(target)


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
