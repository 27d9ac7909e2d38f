"""Issue 14 item 7: request ids made by the server, strong passwords, throttled password
reset (the calendar feed's part is in governance/tests/test_calendar_access.py)."""

import re

from django.urls import reverse

from trustwide.audit.models import AuditEvent


def test_client_request_id_is_not_trusted_into_audit_rows(world, login):
    client = login(world.user("trust_administrator"))
    forged = "forged-id'); DROP TABLE x;--" + "A" * 80
    response = client.post(
        reverse("accounts:membership-create", args=[world.trust_a.slug]),
        {
            "email": "new.person@world.example",
            "full_name": "New Person",
            "role": "teacher",
            "school": world.school_a1.pk,
            "starts_on": "2026-09-01",
        },
        HTTP_X_REQUEST_ID=forged,
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_type="accounts.membership").latest("pk")
    assert re.fullmatch(r"[0-9a-f]{32}", event.request_id)
    assert response["X-Request-ID"] == event.request_id
    assert event.client_request_id == ("forged-idDROPTABLEx--" + "A" * 80)[:64]
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", event.client_request_id)


# --- 7a: password reset throttled -------------------------------------------------------------

import pytest  # noqa: E402
from django.contrib.auth.tokens import default_token_generator  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.utils.encoding import force_bytes  # noqa: E402
from django.utils.http import urlsafe_base64_encode  # noqa: E402

from tests.world import make_user  # noqa: E402


@pytest.fixture
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_six_reset_requests_do_not_send_six_emails(
    world, client, mailoutbox, settings, clean_cache
):
    user = world.user("teacher")
    responses = [
        client.post(reverse("accounts:password-reset"), {"email": user.email.upper()})
        for _ in range(6)
    ]
    assert len(mailoutbox) == settings.TRUSTWIDE_RESET_PER_EMAIL == 3
    assert [r.status_code for r in responses] == [302, 302, 302, 429, 429, 429]
    assert "already sent reset emails for this address recently" in responses[-1].content.decode()


def test_throttled_answer_is_the_same_for_unknown_emails(world, client, mailoutbox, clean_cache):
    known, unknown = world.user("teacher").email, "nobody@nowhere.example"
    answers = {}
    for email in (known, unknown):
        for _ in range(4):
            response = client.post(reverse("accounts:password-reset"), {"email": email})
        page = re.sub(
            r"[A-Za-z0-9]{64}", "TOKEN", response.content.decode().replace(email, "EMAIL")
        )
        answers[email] = (response.status_code, page)
    assert answers[known][0] == answers[unknown][0] == 429
    assert answers[known][1] == answers[unknown][1]
    assert len(mailoutbox) == 3


def test_one_address_cannot_spray_reset_emails(world, client, mailoutbox, settings, clean_cache):
    settings.TRUSTWIDE_RESET_PER_ADDRESS = 4
    people = [make_user(f"spray.{n}") for n in range(6)]
    for person in people:
        client.post(reverse("accounts:password-reset"), {"email": person.email})
    assert len(mailoutbox) == 4


# --- 7b: weak passwords refused wherever a password is set ------------------------------------

WEAK = ["rosagill2026", "Gill.Rosa.1999", "short9"]


@pytest.fixture
def rosa(db):
    from trustwide.accounts.models import User

    user = User.objects.create_user(
        email="rosa.gill@school.example", password="an-old-password-77", full_name="Rosa Gill"
    )
    return user


@pytest.mark.parametrize("weak", WEAK + ["password1234"])
def test_reset_confirm_refuses_weak_passwords(rosa, client, weak):
    uid = urlsafe_base64_encode(force_bytes(rosa.pk))
    token = default_token_generator.make_token(rosa)
    url = reverse("accounts:password-reset-confirm", args=[uid, token])
    form_url = client.get(url)["Location"]
    response = client.post(form_url, {"new_password1": weak, "new_password2": weak})
    assert response.status_code == 200
    rosa.refresh_from_db()
    assert rosa.check_password("an-old-password-77")


def test_password_change_refuses_name_and_accepts_a_strong_one(rosa, client):
    client.force_login(rosa)
    data = {
        "old_password": "an-old-password-77",
        "new_password1": "rosagill2026",
        "new_password2": "rosagill2026",
    }
    response = client.post(reverse("accounts:password-change"), data)
    assert response.status_code == 200
    assert "contains your name or email address" in response.content.decode()
    strong = "copper-lantern-meadow-41"
    data.update(new_password1=strong, new_password2=strong)
    assert client.post(reverse("accounts:password-change"), data).status_code == 302
    rosa.refresh_from_db()
    assert rosa.check_password(strong)


def test_createsuperuser_noinput_refuses_a_weak_password(db, monkeypatch):
    from django.core.management import CommandError, call_command

    from trustwide.accounts.models import User

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "rosagill2026")
    with pytest.raises(CommandError, match="contains your name"):
        call_command(
            "createsuperuser", "--noinput", email="rosa.gill@ops.example", full_name="Rosa Gill"
        )
    assert not User.objects.filter(email="rosa.gill@ops.example").exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "copper-lantern-meadow-41")
    call_command(
        "createsuperuser", "--noinput", email="rosa.gill@ops.example", full_name="Rosa Gill"
    )
    assert User.objects.get(email="rosa.gill@ops.example").is_superuser
