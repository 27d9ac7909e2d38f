"""The OpenID Connect relying party, from Authlib's Django client: discovery, state, nonce,
PKCE (S256) and the ID token's signature (JWKS), issuer, audience and expiry checks are all
Authlib's. One client per trust provider, built per request from the saved settings."""

from __future__ import annotations

import hashlib

from authlib.integrations.django_client import OAuth
from django.core.cache import cache

from .crypto import decrypt_secret
from .models import IdentityProvider

SCOPES = "openid email profile"
HTTP_TIMEOUT_SECONDS = 10
# Discovery and the JWKS are kept for an hour, so a sign-in costs one call to the provider
# (the token). A token signed with a key not in the kept JWKS makes Authlib fetch it afresh.
METADATA_CACHE_SECONDS = 60 * 60


def client_name(provider: IdentityProvider) -> str:
    # Authlib keys its state in the session by this name.
    return f"trustwide_sso_{provider.pk}"


def oidc_client(provider: IdentityProvider):
    oauth = OAuth()
    name = client_name(provider)
    oauth.register(
        name=name,
        client_id=provider.client_id,
        client_secret=decrypt_secret(provider.client_secret_encrypted),
        server_metadata_url=provider.discovery_url,
        client_kwargs={
            "scope": SCOPES,
            "code_challenge_method": "S256",
            "default_timeout": HTTP_TIMEOUT_SECONDS,
        },
    )
    client = oauth.create_client(name)
    cached = cache.get(_metadata_key(provider))
    if cached:
        client.server_metadata.update(cached)
    return client


def _metadata_key(provider: IdentityProvider) -> str:
    return "trustwide.sso.metadata." + hashlib.sha256(provider.discovery_url.encode()).hexdigest()


def remember_metadata(provider: IdentityProvider, client) -> None:
    """Keep what the client fetched (after a successful step only)."""
    if "_loaded_at" in client.server_metadata:
        cache.set(_metadata_key(provider), dict(client.server_metadata), METADATA_CACHE_SECONDS)
