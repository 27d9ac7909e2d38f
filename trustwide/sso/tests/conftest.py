import pytest
from django.core.cache import cache

from trustwide.sso import services
from trustwide.sso.models import ProviderKind

from .oidc_provider import LocalOIDCProvider

CLIENT_ID = "trustwide-test-client"
CLIENT_SECRET = "s3cret-from-the-idp-9f8e7d"


@pytest.fixture
def idp(settings):
    settings.TRUSTWIDE_SSO_ALLOW_HTTP = True  # the local provider speaks plain http
    cache.clear()  # kept discovery/JWKS of an earlier test's provider (ports are reused)
    with LocalOIDCProvider(CLIENT_ID, CLIENT_SECRET) as provider:
        yield provider


@pytest.fixture
def make_provider(world, idp):
    """A provider of trust A for world.example, configured through the service."""

    def make(kind=ProviderKind.GOOGLE, domains=("world.example",), trust=None):
        return services.provider_create(
            actor=world.user("trust_administrator"),
            trust=trust or world.trust_a,
            kind=kind,
            discovery_url=idp.discovery_url,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            domains=list(domains),
        )

    return make
