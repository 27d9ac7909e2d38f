"""The second step of logging in, enrolment, and an administrator's reset (accounts/mfa.py)."""

from __future__ import annotations

import django_otp
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_otp.plugins.otp_static.models import StaticDevice

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin
from trustwide.trusts.models import MfaPolicy

from . import lockout, mfa
from .models import Membership
from .views import _trust_for_people


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class MfaPolicyForm(forms.Form):
    mfa_policy = forms.ChoiceField(
        label="Two-step login is required for", choices=MfaPolicy.choices
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=12,
        help_text="Type the 6-digit code the app now shows for Trustwide.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, request.is_secure()
    ):
        return candidate
    return "/"


def _locked_out(request):
    """Too many wrong codes: the half-logged-in session ends, and the page says why."""
    logout(request)
    return render(request, "accounts/locked_out.html", status=429)


class MfaVerifyView(LoginRequiredMixin, View):
    template = "accounts/mfa_verify.html"

    def _owes_code(self, request) -> bool:
        if request.session.get(mfa.SESSION_KEY) != mfa.VERIFY or request.user.is_verified():
            return False
        if not mfa.has_device(request.user):
            # Reset by an administrator since login: no code can match, so look again (the
            # middleware then sends them to enrol if their trust requires it).
            request.session[mfa.SESSION_KEY] = mfa.login_state(request.user)
            return False
        return True

    def get(self, request):
        if not self._owes_code(request):
            return redirect(_next_url(request))
        if lockout.is_locked(request, request.user.email):
            return _locked_out(request)
        return render(request, self.template, {"form": CodeForm(), "next": _next_url(request)})

    def post(self, request):
        if not self._owes_code(request):
            return redirect(_next_url(request))
        email = request.user.email
        if lockout.is_locked(request, email):
            return _locked_out(request)
        form = CodeForm(request.POST)
        device = (
            mfa.verify_code(request.user, form.data.get("code", "")) if form.is_valid() else None
        )
        if device is None:
            lockout.record_failure(request, email)
            if lockout.is_locked(request, email):
                return _locked_out(request)
            form.add_error(
                "code",
                "That code did not work. Check the time on your phone and try the newest code.",
            )
            return render(
                request, self.template, {"form": form, "next": _next_url(request)}, status=400
            )
        django_otp.login(request, device)
        lockout.clear_failures(request, email)
        if isinstance(device, StaticDevice):
            left = device.token_set.count()
            messages.warning(
                request,
                f"You used a recovery code: {left} left. If your phone is lost, "
                "ask your trust administrator to reset two-step login.",
            )
        return redirect(_next_url(request))


class MfaEnrolView(LoginRequiredMixin, View):
    """First login under a policy that requires it (or by choice): scan, type a code, keep the
    recovery codes (shown once)."""

    template = "accounts/mfa_enrol.html"

    def _context(self, request, form):
        device = mfa.pending_totp_device(request.user)
        return {
            "form": form,
            "qr_svg": mfa.qr_svg(device),
            "secret": mfa.secret_base32(device),
            "next": _next_url(request),
        }

    def get(self, request):
        if mfa.has_device(request.user):
            messages.info(request, "Two-step login is already set up for you.")
            return redirect(_next_url(request))
        return render(request, self.template, self._context(request, EnrolForm()))

    def post(self, request):
        if mfa.has_device(request.user):
            return redirect(_next_url(request))
        form = EnrolForm(request.POST)
        codes = None
        if form.is_valid():
            device = mfa.pending_totp_device(request.user)
            codes = mfa.mfa_enrol_confirm(
                actor=request.user, device=device, code=form.cleaned_data["code"]
            )
        if codes is None:
            form.add_error(
                "code",
                "That code did not match. Check the app shows Trustwide and type its newest code.",
            )
            return render(request, self.template, self._context(request, form), status=400)
        django_otp.login(request, request.user.totpdevice_set.get(confirmed=True))
        request.session[mfa.SESSION_KEY] = mfa.VERIFY
        return render(
            request,
            "accounts/mfa_recovery_codes.html",
            {"codes": codes, "next": _next_url(request)},
        )


class MfaResetView(ScopedViewMixin, View):
    """People page: a trust administrator removes a person's devices (lost phone)."""

    def post(self, request, pk):
        membership = get_object_or_404_for(
            request.user,
            Perm.MEMBERSHIP_MANAGE,
            Membership.objects.select_related("trust", "user"),
            pk=pk,
        )
        removed = mfa.mfa_reset(actor=request.user, membership=membership)
        if removed:
            messages.success(
                request,
                f"Two-step login reset for {membership.user}: they set it up again "
                "at their next login.",
            )
        else:
            messages.info(request, f"{membership.user} had not set up two-step login.")
        return redirect("accounts:membership-list", slug=membership.trust.slug)


class MfaPolicyView(ScopedViewMixin, View):
    """People page: the trust administrator sets who must use two-step login."""

    def post(self, request, slug):
        trust = _trust_for_people(request, slug)
        form = MfaPolicyForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose who must use two-step login.")
            return redirect("accounts:membership-list", slug=trust.slug)
        mfa.trust_mfa_policy_set(
            actor=request.user, trust=trust, policy=form.cleaned_data["mfa_policy"]
        )
        messages.success(
            request,
            f"Two-step login: {trust.get_mfa_policy_display().lower()}. "
            "It applies to each person from their next login.",
        )
        return redirect("accounts:membership-list", slug=trust.slug)
