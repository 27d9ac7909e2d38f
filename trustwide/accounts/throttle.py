"""Password-reset throttling: at most TRUSTWIDE_RESET_PER_EMAIL emails to one address and
TRUSTWIDE_RESET_PER_ADDRESS requests from one network address per hour. Counted for every
email asked about, known or not, so the answer never tells whether an account exists.

Counters live in Django's cache (per process unless CACHES names a shared cache); that is
enough to stop a burst, which is the harm: a mailbox flooded, or our sender's reputation."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def _hit(key: str) -> int:
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


def client_address(request) -> str:
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")


def password_reset_allowed(request, email: str) -> bool:
    """Counts this request; False when either limit is already used up this hour."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    per_email = _hit(f"tw:pwreset:email:{digest}")
    per_address = _hit(f"tw:pwreset:addr:{client_address(request)}")
    return (
        per_email <= settings.TRUSTWIDE_RESET_PER_EMAIL
        and per_address <= settings.TRUSTWIDE_RESET_PER_ADDRESS
    )
