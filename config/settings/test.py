"""Test settings: fast hashing, in-memory email, tasks run at once."""

import os
import tempfile

from .base import *  # noqa: F403
from .base import DATABASES

SECRET_KEY = "test-only-secret-key-not-for-production-0123456789abcdef"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["*"]
AXES_ENABLED = True
TRUSTWIDE_DATA_DIR = os.environ.get("TRUSTWIDE_DATA_DIR") or tempfile.mkdtemp(
    prefix="trustwide-data-"
)
MEDIA_ROOT = tempfile.mkdtemp(prefix="trustwide-media-")
TRUSTWIDE_FEED_ROOT = tempfile.mkdtemp(prefix="trustwide-feeds-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": None}  # in memory
