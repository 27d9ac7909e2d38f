"""The user's own API tokens: create (the secret is shown once, on this response only) and revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from trustwide.common.views import ScopedViewMixin, add_errors

from . import rules, services
from .models import ApiToken

DAY_CHOICES = [(30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "1 year")]


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What the token is for, e.g. 'Power BI refresh'."
    )
    days = forms.TypedChoiceField(
        label="Expires after", choices=DAY_CHOICES, coerce=int, initial=90
    )


class TokenListView(ScopedViewMixin, View):
    def _render(self, request, form, status=200, **extra):
        return render(
            request,
            "api/tokens.html",
            {
                "form": form,
                "tokens": ApiToken.objects.filter(user=request.user),
                "docs_url": "/api/v1/docs",
                **extra,
            },
            status=status,
        )

    def get(self, request):
        return self._render(request, TokenForm())

    def post(self, request):
        form = TokenForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            token, secret = services.token_create(
                actor=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
            return self._render(request, form, status=400)
        # Rendered, not redirected: the secret must never travel through a URL or a session.
        return self._render(request, TokenForm(), new_token=token, new_secret=secret)


class TokenRevokeView(ScopedViewMixin, View):
    def post(self, request, pk):
        # Someone else's token is absent, not forbidden: tokens are their owner's alone.
        token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
        services.token_revoke(actor=request.user, token=token)
        messages.success(request, f"Token '{token.name}' revoked: it no longer works.")
        return redirect("api:tokens")


assert rules.MAX_TOKEN_DAYS >= max(d for d, _ in DAY_CHOICES)
