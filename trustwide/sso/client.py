"""The OpenID Connect relying party, from Authlib's Django client: discovery, state, nonce,
PKCE (S256) and the ID token's signature (JWKS), issuer, audience and expiry checks are all
Authlib's. One client per trust provider, built per request from the saved settings."""

from __future__ import annotations

from authlib.integrations.django_client import OAuth

from .crypto import decrypt_secret
from .models import IdentityProvider

SCOPES = "openid email profile"
HTTP_TIMEOUT_SECONDS = 10


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
    return oauth.create_client(name)
