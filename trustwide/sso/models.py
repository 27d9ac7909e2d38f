"""A trust's OpenID Connect identity providers (Microsoft Entra ID, Google Workspace).

A provider signs in people whose verified address is in one of its email domains and who
already hold an active role in its trust. The client secret is stored encrypted (crypto.py)
and never shown again after saving.
"""

from django.db import models


class ProviderKind(models.TextChoices):
    ENTRA = "entra", "Microsoft Entra ID"
    GOOGLE = "google", "Google Workspace"


class IdentityProvider(models.Model):
    trust = models.ForeignKey(
        "trusts.Trust", on_delete=models.CASCADE, related_name="identity_providers"
    )
    kind = models.CharField(max_length=20, choices=ProviderKind.choices)
    discovery_url = models.URLField(
        "discovery URL",
        max_length=500,
        help_text="The issuer's /.well-known/openid-configuration address.",
    )
    client_id = models.CharField("client ID", max_length=255)
    # Fernet token; see crypto.py. Never rendered, never written to the audit log.
    client_secret_encrypted = models.TextField(editable=False)
    is_enabled = models.BooleanField("enabled", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_trust_path = "trust"

    class Meta:
        ordering = ["trust", "kind", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} sign-in ({self.trust})"

    def audit_scope(self):
        return self.trust_id, None

    @property
    def domain_names(self) -> list[str]:
        return [d.domain for d in self.domains.all()]


class IdentityProviderDomain(models.Model):
    """An email domain a provider answers for. Unique across the deployment, so an address
    leads to exactly one trust's provider."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    scope_trust_path = "provider__trust"

    class Meta:
        ordering = ["domain"]

    def __str__(self):
        return self.domain
