"""Production: every secret comes from the environment; refuse to start without it."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment for production.")
    return value


SECRET_KEY = _required("TRUSTWIDE_SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("TRUSTWIDE_SECRET_KEY must be at least 50 characters.")
DEBUG = False
_required("TRUSTWIDE_ALLOWED_HOSTS")

SECURE_SSL_REDIRECT = env_bool("TRUSTWIDE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("TRUSTWIDE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
