"""Settings shared by every environment. Values come from the environment (12-factor)."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("TRUSTWIDE_VAR_DIR", BASE_DIR / "var"))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("TRUSTWIDE_DEBUG", False)
ALLOWED_HOSTS = env_list("TRUSTWIDE_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("TRUSTWIDE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "trustwide.common",
    "trustwide.accounts",
    "trustwide.audit",
    "trustwide.trusts",
    "trustwide.sso",
    "trustwide.evaluation",
    "trustwide.planning",
    "trustwide.data",
    "trustwide.kpis",
    "trustwide.dashboards",
    "trustwide.peer_review",
    "trustwide.risks",
    "trustwide.policies",
    "trustwide.governance",
    "trustwide.star",
    "trustwide.feeds",
    "trustwide.ops",
    "trustwide.api",
    # django-ninja: its docs page then serves Swagger UI from our static files (CSP: no CDN).
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "trustwide.accounts.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After htmx and OTP: sends a user who owes a second factor to verify or enrol.
    "trustwide.accounts.middleware.MfaRequiredMiddleware",
    "trustwide.common.middleware.SecurityHeadersMiddleware",
    # Records each request made with an API token, with the status it got.
    "trustwide.api.middleware.ApiTokenUseMiddleware",
    # Last, so it sees the response of a failed login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "trustwide" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trustwide.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'trustwide.sqlite3'}"),
        conn_max_age=int(os.environ.get("TRUSTWIDE_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the page server read while the task worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id at the OWASP Password Storage Cheat Sheet baseline (m=19 MiB, t=2, p=1; see
# trustwide/accounts/hashers.py); hashes made at Django's default (m=100 MiB, p=8) are re-hashed
# on the next sign-in. At most this many hashes run at once per process; a request waits this
# long for a slot, then is asked to try again (503).
PASSWORD_HASHERS = [
    "trustwide.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Applied wherever a password is set: password change, reset confirm, createsuperuser
# (also non-interactive, through UserManager.create_superuser). Our User has full_name and
# email, not first_name/last_name, so the similarity check is told what to compare.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("full_name", "email")},
    },
    {"NAME": "trustwide.accounts.password_validation.NameInPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Two-step login (django-otp: TOTP authenticator apps + one-time recovery codes).
OTP_TOTP_ISSUER = "Trustwide"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TRUSTWIDE_PASSWORD_CHECKS_AT_ONCE = int(os.environ.get("TRUSTWIDE_PASSWORD_CHECKS_AT_ONCE", "2"))
TRUSTWIDE_PASSWORD_CHECK_WAIT_SECONDS = float(
    os.environ.get("TRUSTWIDE_PASSWORD_CHECK_WAIT_SECONDS", "5")
)

# Sessions end after 8 idle hours (a working day) or when the browser closes. The session is
# saved only when it changes; IdleSessionMiddleware (trustwide/accounts/middleware.py) keeps the
# idle expiry by refreshing a last-seen time at most every 5 minutes.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_SAVE_EVERY_REQUEST = False
TRUSTWIDE_SESSION_IDLE_SECONDS = SESSION_COOKIE_AGE
TRUSTWIDE_SESSION_TOUCH_SECONDS = 5 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True

# django-axes: lock an email (any case) + address pair after 5 failures (passwords or
# second-factor codes) for 15 minutes, and an address after 50 failures across all emails
# (a school shares one address). See accounts/lockout.py.
AXES_FAILURE_LIMIT = int(os.environ.get("TRUSTWIDE_LOGIN_FAILURE_LIMIT", "5"))
TRUSTWIDE_LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("TRUSTWIDE_LOGIN_ADDRESS_FAILURE_LIMIT", "50")
)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "trustwide.accounts.lockout.axes_username"
AXES_HANDLER = "trustwide.accounts.lockout.TrustwideAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Password reset: emails per address asked about, and requests per network address, per hour.
TRUSTWIDE_RESET_PER_EMAIL = int(os.environ.get("TRUSTWIDE_RESET_PER_EMAIL", "3"))
TRUSTWIDE_RESET_PER_ADDRESS = int(os.environ.get("TRUSTWIDE_RESET_PER_ADDRESS", "20"))

# Single sign-on (trustwide.sso): identity providers are configured per trust in the app.
# Plain-http discovery URLs are refused unless this is on (local development and tests only).
TRUSTWIDE_SSO_ALLOW_HTTP = env_bool("TRUSTWIDE_SSO_ALLOW_HTTP", False)
# Old secret keys, still accepted after a rotation: sessions and saved SSO client secrets
# (encrypted with a key derived from SECRET_KEY) stay readable.
SECRET_KEY_FALLBACKS = env_list("TRUSTWIDE_SECRET_KEY_FALLBACKS")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "d/m/Y"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("TRUSTWIDE_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded pupil files can be large; the importer streams them from disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "TRUSTWIDE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get(
    "TRUSTWIDE_FROM_EMAIL", "Trustwide <no-reply@trustwide.invalid>"
)
EMAIL_HOST = os.environ.get("TRUSTWIDE_EMAIL_HOST", "localhost")
# The address people reach the site on, for links in emails sent outside a request (createtrust).
SITE_URL = os.environ.get("TRUSTWIDE_SITE_URL", "http://localhost:8000").rstrip("/")
EMAIL_PORT = int(os.environ.get("TRUSTWIDE_EMAIL_PORT", "25"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TRUSTWIDE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Who a cached report PDF is for: a function of the user that is equal for users who see the same
# reports (trustwide.common.pdfs keys cached PDFs on it).
TRUSTWIDE_PDF_AUDIENCE = "trustwide.access.audience"

# The weekly email digest of due and overdue tasks: sent by the scheduler (`trustwide
# scheduler`, started by `trustwide serve`) from this weekday (0 = Monday) and hour, local time.
TRUSTWIDE_DIGEST_WEEKDAY = int(os.environ.get("TRUSTWIDE_DIGEST_WEEKDAY", "0"))
TRUSTWIDE_DIGEST_HOUR = int(os.environ.get("TRUSTWIDE_DIGEST_HOUR", "7"))

# Pupil-level analytics store (Parquet), see docs/DATA.md.
TRUSTWIDE_DATA_DIR = Path(os.environ.get("TRUSTWIDE_DATA_DIR", VAR_DIR / "data"))
# An import "running" this long without finishing is taken as interrupted by the import sweep.
TRUSTWIDE_IMPORT_STALE_MINUTES = int(os.environ.get("TRUSTWIDE_IMPORT_STALE_MINUTES", "30"))
# MIS feeds (docs/DATA.md): folder sources are sub-folders of this folder, never other paths;
# Wonde sources call this base address (UK schools; other regions have their own domain).
TRUSTWIDE_FEED_ROOT = Path(os.environ.get("TRUSTWIDE_FEED_ROOT", VAR_DIR / "feeds"))
TRUSTWIDE_WONDE_API_URL = os.environ.get("TRUSTWIDE_WONDE_API_URL", "https://api.wonde.com/v1.0/")

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TRUSTWIDE_LOG_LEVEL", "WARNING")},
}
WHITENOISE_USE_FINDERS = True

# JSON API: requests per personal access token ("count/s|m|h|d"), counted in the cache.
TRUSTWIDE_API_RATE = os.environ.get("TRUSTWIDE_API_RATE", "120/m")
