"""Sessions saved only when they change, idle expiry, Argon2 at the OWASP baseline, bounded
password checks."""

import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trustwide.accounts import hashers
from trustwide.accounts.middleware import LAST_SEEN_KEY
from trustwide.accounts.models import User

OWASP_HASHERS = ["trustwide.accounts.hashers.OwaspArgon2PasswordHasher"]
TRIVIAL_PAGE = "accounts:password-change-done"  # logged-in page with no queries of its own


def _session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]


def _shift_last_seen(client, seconds_ago: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds_ago
    session.save()


@pytest.fixture
def head(world, client):
    client.force_login(world.user("headteacher"))
    client.get(reverse(TRIVIAL_PAGE))  # the first request after sign-in may start the clock
    return client


def test_a_plain_logged_in_get_writes_no_session_and_runs_few_queries(head):
    with CaptureQueriesContext(connection) as ctx:
        response = head.get(reverse(TRIVIAL_PAGE))
    assert response.status_code == 200
    assert _session_writes(ctx.captured_queries) == []
    # session, user, memberships (grants, cached for the request), the header's trusts
    assert len(ctx.captured_queries) <= 4, [q["sql"] for q in ctx.captured_queries]


def test_an_active_session_is_refreshed_at_most_every_few_minutes(head, settings):
    _shift_last_seen(head, settings.TRUSTWIDE_SESSION_TOUCH_SECONDS - 30)
    with CaptureQueriesContext(connection) as ctx:
        head.get(reverse(TRIVIAL_PAGE))
    assert _session_writes(ctx.captured_queries) == []

    _shift_last_seen(head, settings.TRUSTWIDE_SESSION_TOUCH_SECONDS + 1)
    with CaptureQueriesContext(connection) as ctx:
        assert head.get(reverse(TRIVIAL_PAGE)).status_code == 200
    assert len(_session_writes(ctx.captured_queries)) == 1
    assert time.time() - head.session[LAST_SEEN_KEY] < 5  # clock restarted


def test_a_session_idle_longer_than_eight_hours_is_signed_out(head, settings):
    assert settings.TRUSTWIDE_SESSION_IDLE_SECONDS == 8 * 60 * 60
    _shift_last_seen(head, 8 * 60 * 60 - 60)
    assert head.get(reverse(TRIVIAL_PAGE)).status_code == 200  # 7h59 idle: still signed in

    _shift_last_seen(head, 8 * 60 * 60 + 60)
    response = head.get(reverse(TRIVIAL_PAGE))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert head.get(reverse(TRIVIAL_PAGE)).status_code == 302  # stays signed out


def test_signing_in_starts_the_idle_clock_in_the_same_save(world, client):
    user = world.user("headteacher")
    user.set_password("a-long-password-1")
    user.save()
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": "a-long-password-1"}
    )
    assert response.status_code == 302
    assert time.time() - client.session[LAST_SEEN_KEY] < 5


def test_anonymous_pages_create_no_session(client, db):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("accounts:login")).status_code == 200
    assert _session_writes(ctx.captured_queries) == []
    assert "sessionid" not in client.cookies


def test_new_hashes_use_the_owasp_argon2id_baseline(settings):
    settings.PASSWORD_HASHERS = OWASP_HASHERS
    encoded = make_password("a-long-password-1")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_hash_at_djangos_old_parameters_is_upgraded_on_sign_in(settings, client, db):
    settings.PASSWORD_HASHERS = OWASP_HASHERS
    old = make_password("a-long-password-1", hasher=Argon2PasswordHasher())
    assert "m=102400" in old
    user = User.objects.create(email="old@world.example", full_name="Old Hash", password=old)
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": "a-long-password-1"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert "m=19456,t=2,p=1" in user.password
    assert user.check_password("a-long-password-1")


def test_a_sign_in_burst_beyond_the_slots_is_asked_to_try_again(settings, client, db):
    settings.PASSWORD_HASHERS = OWASP_HASHERS
    settings.TRUSTWIDE_PASSWORD_CHECKS_AT_ONCE = 1
    settings.TRUSTWIDE_PASSWORD_CHECK_WAIT_SECONDS = 0.05
    user = User.objects.create_user(
        email="busy@world.example", password="a-long-password-1", full_name="B"
    )
    slots = hashers._semaphore()
    assert slots.acquire(timeout=1)  # another thread is hashing
    try:
        response = client.post(
            reverse("accounts:login"), {"username": user.email, "password": "a-long-password-1"}
        )
    finally:
        slots.release()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert hashers.BUSY_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()  # not counted as a failed sign-in

    # once the slot is free the same sign-in succeeds
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": "a-long-password-1"}
    )
    assert response.status_code == 302


def test_other_password_checks_beyond_the_slots_get_a_polite_503(settings, world, client):
    settings.PASSWORD_HASHERS = OWASP_HASHERS
    settings.TRUSTWIDE_PASSWORD_CHECKS_AT_ONCE = 1
    settings.TRUSTWIDE_PASSWORD_CHECK_WAIT_SECONDS = 0.05
    client.force_login(world.user("headteacher"))
    slots = hashers._semaphore()
    assert slots.acquire(timeout=1)
    try:
        response = client.post(
            reverse("accounts:password-change"),
            {
                "old_password": "pw-unused-123",
                "new_password1": "x-new-pass-987",
                "new_password2": "x-new-pass-987",
            },
        )
    finally:
        slots.release()
    assert response.status_code == 503
    assert b"try again" in response.content


def test_a_stale_session_cookie_gets_no_new_session(client, db):
    client.cookies["sessionid"] = "x" * 32  # a session that expired and was cleared away
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(TRIVIAL_PAGE))
    assert response.status_code == 302  # to sign in
    assert _session_writes(ctx.captured_queries) == []
