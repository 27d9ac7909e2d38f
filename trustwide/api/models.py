"""Personal access tokens for the JSON API and the compact record of each use.

A token is shown once; only its SHA-256 is stored (tokens are 256 random bits, so a slow
password hash adds nothing). The prefix lets a user tell their tokens apart."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100, help_text="What the token is for, e.g. 'Power BI refresh'."
    )
    prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "active" if self.is_usable() else "expired"

    def audit_scope(self):
        # A token belongs to a person, not to a trust or school.
        return (None, None)


class ApiRequest(models.Model):
    """One row per request made with a token: who, when, what, and the answer's status."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="requests")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"
