from trustwide.sso.crypto import encrypt_secret
from trustwide.sso.models import IdentityProvider, IdentityProviderDomain, ProviderKind


def identity_provider(
    trust, *, domain: str | None = None, kind=ProviderKind.GOOGLE, secret: str = "factory-secret"
) -> IdentityProvider:
    """A trust's provider (one per trust here), made directly: tests and factories may save."""
    existing = IdentityProvider.objects.filter(trust=trust).first()
    if existing:
        return existing
    provider = IdentityProvider.objects.create(
        trust=trust,
        kind=kind,
        discovery_url="https://accounts.google.com/.well-known/openid-configuration",
        client_id=f"client-{trust.slug}",
        client_secret_encrypted=encrypt_secret(secret),
    )
    IdentityProviderDomain.objects.create(
        provider=provider, domain=domain or f"{trust.slug}.example"
    )
    return provider
