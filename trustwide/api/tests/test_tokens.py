"""Personal access tokens: shown once, hashed at rest, expiry, revocation, last use, the
per-request record, the rate limit, and the token page."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from trustwide.api import services
from trustwide.api.models import ApiRequest, ApiToken
from trustwide.audit.models import AuditEvent

TRUSTS = "/api/v1/trusts"


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_token_create_stores_only_a_hash_and_is_audited(world):
    user = world.user("trust_leader")
    token, secret = services.token_create(actor=user, name="Power BI", days=30)
    assert secret.startswith("tw_") and len(secret) > 40
    assert token.token_hash == services.hash_token(secret) and secret not in token.token_hash
    assert not ApiToken.objects.filter(token_hash=secret).exists()
    event = AuditEvent.objects.get(action="api_token_create", object_id=str(token.pk))
    assert (
        event.actor == user and secret not in str(event.after) and "token_hash" not in event.after
    )
    assert (
        timezone.now() + datetime.timedelta(days=29)
        < token.expires_at
        <= timezone.now() + datetime.timedelta(days=30)
    )


@pytest.mark.parametrize(
    "name, days, field", [("", 30, "name"), ("BI", 0, "days"), ("BI", 400, "days")]
)
def test_token_create_refuses_bad_input(world, name, days, field):
    with pytest.raises(ValidationError) as exc:
        services.token_create(actor=world.user("teacher"), name=name, days=days)
    assert field in exc.value.message_dict
    assert (
        not ApiToken.objects.exists()
        and not AuditEvent.objects.filter(action="api_token_create").exists()
    )


def test_token_works_records_each_use_and_last_used(world, client):
    token, secret = services.token_create(actor=world.user("trust_leader"), name="BI", days=30)
    assert token.last_used_at is None
    response = client.get(TRUSTS, **bearer(secret))
    assert response.status_code == 200 and [t["name"] for t in response.json()["items"]] == [
        "Trust A"
    ]
    token.refresh_from_db()
    assert token.last_used_at is not None
    use = ApiRequest.objects.get(token=token)
    assert (use.method, use.path, use.status) == ("GET", TRUSTS, 200)
    client.get("/api/v1/schools/999999", **bearer(secret))
    assert list(
        ApiRequest.objects.filter(token=token).values_list("status", flat=True).order_by("at")
    ) == [200, 404]


def test_expired_token_is_refused_with_401(world, client):
    token, secret = services.token_create(actor=world.user("trust_leader"), name="BI", days=1)
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(TRUSTS, **bearer(secret))
    assert response.status_code == 401 and not ApiRequest.objects.exists()


def test_revoked_token_is_refused_with_401_and_revocation_is_audited(world, client):
    user = world.user("trust_leader")
    token, secret = services.token_create(actor=user, name="BI", days=30)
    assert client.get(TRUSTS, **bearer(secret)).status_code == 200
    services.token_revoke(actor=user, token=token)
    assert client.get(TRUSTS, **bearer(secret)).status_code == 401
    event = AuditEvent.objects.get(action="api_token_revoke", object_id=str(token.pk))
    assert event.actor == user and event.before == {"revoked_at": None}


def test_only_the_owner_revokes_a_token(world):
    token, _ = services.token_create(actor=world.user("trust_leader"), name="BI", days=30)
    with pytest.raises(PermissionDenied):
        services.token_revoke(actor=world.user("headteacher"), token=token)
    token.refresh_from_db()
    assert (
        token.revoked_at is None
        and not AuditEvent.objects.filter(action="api_token_revoke").exists()
    )


def test_token_of_inactive_user_or_with_ended_role_sees_nothing(world, client):
    user = world.user("headteacher")
    _, secret = services.token_create(actor=user, name="BI", days=30)
    user.memberships.update(ends_on=timezone.localdate() - datetime.timedelta(days=1))
    assert client.get(f"/api/v1/schools/{world.school_a1.pk}", **bearer(secret)).status_code == 404
    user.is_active = False
    user.save()
    assert client.get(TRUSTS, **bearer(secret)).status_code == 401


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer nope", "Bearer tw_unknown", "Token tw_x", "Basic abc"]
)
def test_missing_or_unknown_token_is_401(world, client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    assert client.get(TRUSTS, **extra).status_code == 401


def test_session_login_alone_does_not_open_the_api(world, client):
    client.force_login(world.user("trust_leader"))
    assert client.get(TRUSTS).status_code == 401


def test_rate_limit_per_token_answers_429_with_retry_after(world, client, settings):
    settings.TRUSTWIDE_API_RATE = "3/m"
    _, first = services.token_create(actor=world.user("trust_leader"), name="A", days=30)
    _, second = services.token_create(actor=world.user("trust_leader"), name="B", days=30)
    assert [client.get(TRUSTS, **bearer(first)).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(TRUSTS, **bearer(first))
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert "Too many requests" in refused.json()["detail"]
    assert client.get(TRUSTS, **bearer(second)).status_code == 200  # counted per token
    assert ApiRequest.objects.filter(status=429).count() == 1


def test_token_page_shows_the_secret_once_and_revokes(world, client):
    user = world.user("teacher")
    client.force_login(user)
    page = client.post(reverse("api:tokens"), {"name": "Excel", "days": 90})
    assert page.status_code == 200
    token = ApiToken.objects.get(user=user)
    body = page.content.decode()
    secret = body.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert services.hash_token(secret) == token.token_hash
    again = client.get(reverse("api:tokens")).content.decode()
    assert "Excel" in again and secret not in again and token.prefix in again
    assert client.post(reverse("api:token-revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert (
        token.revoked_at is not None
        and "revoked" in client.get(reverse("api:tokens")).content.decode()
    )


def test_token_page_refuses_a_blank_name(world, client):
    client.force_login(world.user("teacher"))
    page = client.post(reverse("api:tokens"), {"name": " ", "days": 90})
    assert page.status_code == 400 and "This field is required" in page.content.decode()
    assert not ApiToken.objects.exists()


def test_someone_elses_token_cannot_be_revoked_from_the_page(world, client):
    token, _ = services.token_create(actor=world.user("trust_leader"), name="BI", days=30)
    client.force_login(world.user("headteacher"))
    assert client.post(reverse("api:token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
