"""Sends a logged-in person who owes a second factor to verify or enrol before any other page.

What they owe is worked out once, at login (accounts/apps.py connects it to user_logged_in,
so the password page and any single sign-on both pass here) and kept in the session, so pages
pay no extra query. A trust's policy change applies from each person's next login."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from . import mfa

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
