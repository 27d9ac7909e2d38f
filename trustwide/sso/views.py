"""Sign-in with a school account (public), and the trust administrator's settings pages."""

from __future__ import annotations

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import OAuthError
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from joserfc.errors import JoseError

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin, delete_page, form_page
from trustwide.trusts.models import Trust

from . import selectors, services
from .claims import domain_of, verified_email
from .client import oidc_client, remember_metadata
from .crypto import SecretUnreadable
from .forms import ProviderForm, SchoolAccountEmailForm
from .models import ProviderKind
from .rules import NOT_ALLOWED, Refusal, may_configure_sso

log = logging.getLogger("trustwide.sso")

_PENDING = "trustwide_sso_pending"  # {"provider": pk, "next": url} between start and callback
# Anything the exchange with the provider can raise: protocol (state, nonce, signature,
# claims), transport, or a malformed answer. None of it reaches the user as such.
_EXCHANGE_ERRORS = (
    AuthlibBaseError,
    JoseError,
    requests.RequestException,
    ValueError,
    KeyError,
    TypeError,
    RuntimeError,
    SecretUnreadable,
)


def _safe_next(request, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _refused(request, code: str, status: int = 403):
    return render(request, "sso/refused.html", {"message": Refusal.message(code)}, status=status)


class StartView(View):
    """Step one: the address tells us the trust's provider; then off to the provider."""

    template = "sso/start.html"

    def get(self, request):
        form = SchoolAccountEmailForm(initial={"email": request.GET.get("email", "")})
        return render(request, self.template, {"form": form, "next": request.GET.get("next", "")})

    def post(self, request):
        form = SchoolAccountEmailForm(request.POST)
        next_url = request.POST.get("next", "")
        if not form.is_valid():
            return render(request, self.template, {"form": form, "next": next_url}, status=400)
        email = form.cleaned_data["email"].strip().lower()
        provider = selectors.provider_for_email(email)
        if provider is None:
            # No trust to audit in: the domain is set up nowhere. Logged, like every failure.
            log.info("SSO start refused: no provider for domain %s", domain_of(email))
            form.add_error("email", Refusal.message(Refusal.NO_PROVIDER))
            return render(request, self.template, {"form": form, "next": next_url}, status=400)
        request.session[_PENDING] = {"provider": provider.pk, "next": next_url}
        extra = {"login_hint": email}
        if provider.kind == ProviderKind.GOOGLE:
            extra["hd"] = domain_of(email)  # Google shows only that Workspace's accounts
        try:
            client = oidc_client(provider)
            response = client.authorize_redirect(
                request, request.build_absolute_uri(reverse("sso:callback")), **extra
            )
        except _EXCHANGE_ERRORS as exc:
            services.sso_refusal_record(
                provider=provider,
                reason=Refusal.PROVIDER_ERROR,
                email=email,
                detail=f"discovery: {type(exc).__name__}: {exc}",
            )
            return _refused(request, Refusal.PROVIDER_ERROR, status=502)
        remember_metadata(provider, client)
        return response


class CallbackView(View):
    """Step two: the provider sends the person back with a code; Authlib checks state, swaps
    the code (with the PKCE verifier) for tokens and verifies the ID token and its nonce."""

    def get(self, request):
        pending = request.session.pop(_PENDING, None) or {}
        provider = selectors.enabled_provider(pending.get("provider"))
        if provider is None:
            log.warning(
                "SSO callback without a sign-in in progress (state=%s)", request.GET.get("state")
            )
            return _refused(request, Refusal.PROTOCOL, status=400)
        try:
            client = oidc_client(provider)
            token = client.authorize_access_token(request)
        except OAuthError as exc:
            code = Refusal.PROVIDER_ERROR if request.GET.get("error") else Refusal.PROTOCOL
            services.sso_refusal_record(
                provider=provider, reason=code, detail=f"{exc.error}: {exc.description}"
            )
            return _refused(request, code)
        except _EXCHANGE_ERRORS as exc:
            services.sso_refusal_record(
                provider=provider, reason=Refusal.PROTOCOL, detail=f"{type(exc).__name__}: {exc}"
            )
            return _refused(request, Refusal.PROTOCOL)
        remember_metadata(provider, client)
        claims = token.get("userinfo")
        if not claims:
            services.sso_refusal_record(
                provider=provider, reason=Refusal.PROTOCOL, detail="no ID token"
            )
            return _refused(request, Refusal.PROTOCOL)
        claimed = verified_email(provider.kind, claims)
        if claimed.refusal:
            services.sso_refusal_record(
                provider=provider, reason=claimed.refusal, email=claimed.email
            )
            return _refused(request, claimed.refusal)
        match = selectors.match_user(provider, claimed.email)
        if match.refusal:
            services.sso_refusal_record(
                provider=provider, reason=match.refusal, email=claimed.email
            )
            return _refused(request, match.refusal)
        services.sso_login(
            request=request,
            provider=provider,
            user=match.user,
            email=claimed.email,
            subject=str(claims.get("sub", "")),
        )
        return redirect(_safe_next(request, pending.get("next")))


# --- Trust administrator's settings -------------------------------------------------------


def _trust_to_configure(request, slug) -> Trust:
    trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
    if not may_configure_sso(request.user, trust):
        raise PermissionDenied(NOT_ALLOWED)
    return trust


def _provider_to_configure(request, pk):
    provider = selectors.provider_for_page(request.user, pk)
    if not may_configure_sso(request.user, provider.trust):
        raise PermissionDenied(NOT_ALLOWED)
    return provider


def _form_page(request, form, trust, save, title):
    return form_page(
        request,
        form,
        lambda f: save(f.cleaned_data),
        title=title,
        back_url=reverse("sso:provider-list", args=[trust.slug]),
        success_url=reverse("sso:provider-list", args=[trust.slug]),
        success_message="Sign-in settings saved.",
        context={"back": "Single sign-on"},
    )


class ProviderListView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust_to_configure(request, slug)
        return render(
            request,
            "sso/provider_list.html",
            {
                "trust": trust,
                "providers": selectors.providers_for_trust(trust),
                "callback_url": request.build_absolute_uri(reverse("sso:callback")),
            },
        )


class ProviderCreateView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust_to_configure(request, slug)
        form = ProviderForm(request.POST or None)

        def save(data):
            if not data["client_secret"]:
                raise ValidationError(
                    {"client_secret": "Enter the client secret from your identity provider."}
                )
            services.provider_create(actor=request.user, trust=trust, **data)

        return _form_page(request, form, trust, save, "Add a sign-in provider")

    post = get


class ProviderEditView(ScopedViewMixin, View):
    def get(self, request, pk):
        provider = _provider_to_configure(request, pk)
        initial = {
            "kind": provider.kind,
            "discovery_url": provider.discovery_url,
            "client_id": provider.client_id,
            "domains": "\n".join(provider.domain_names),
            "is_enabled": provider.is_enabled,
        }
        form = ProviderForm(request.POST or None, initial=initial, secret_saved=True)

        def save(data):
            services.provider_update(actor=request.user, provider=provider, **data)

        return _form_page(
            request, form, provider.trust, save, f"Edit {provider.get_kind_display()} sign-in"
        )

    post = get


class ProviderDeleteView(ScopedViewMixin, View):
    def get(self, request, pk):
        provider = _provider_to_configure(request, pk)
        back = reverse("sso:provider-list", args=[provider.trust.slug])
        return delete_page(
            request,
            title=f"Remove {provider}",
            back_url=back,
            done_url=back,
            delete=lambda: services.provider_delete(actor=request.user, provider=provider),
            done_message="Sign-in provider removed.",
            explanation="People with addresses in its domains will log in with their password.",
            button="Remove",
        )

    post = get
