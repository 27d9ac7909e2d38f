"""The trust administrator's sign-in settings: who may open them, what is saved and audited,
and that the client secret never comes back out."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.world import grant, make_user
from trustwide.audit.models import AuditEvent
from trustwide.sso import services
from trustwide.sso.crypto import SecretUnreadable, decrypt_secret, encrypt_secret
from trustwide.sso.models import IdentityProvider, ProviderKind
from trustwide.sso.rules import Refusal
from trustwide.sso.services import SSO_REFUSED

from .factories import identity_provider

SECRET = "very-secret-client-value-42"
GOOGLE = "https://accounts.google.com/.well-known/openid-configuration"


def form_data(**overrides):
    data = {
        "kind": "google",
        "discovery_url": GOOGLE,
        "client_id": "abc.apps.googleusercontent.com",
        "client_secret": SECRET,
        "domains": "World.example\noak.sch.uk",
        "is_enabled": "on",
    }
    return data | overrides


def test_administrator_adds_a_provider_secret_encrypted_and_audited(client, world):
    admin = world.user("trust_administrator")
    client.force_login(admin)
    response = client.post(reverse("sso:provider-create", args=[world.trust_a.slug]), form_data())
    assert response.status_code == 302

    provider = IdentityProvider.objects.get(trust=world.trust_a)
    assert provider.domain_names == ["oak.sch.uk", "world.example"]
    assert SECRET not in provider.client_secret_encrypted
    assert decrypt_secret(provider.client_secret_encrypted) == SECRET
    event = AuditEvent.objects.get(object_type="sso.identityprovider", action="create")
    assert event.actor == admin and event.trust == world.trust_a
    assert (
        event.after["domains"] == ["oak.sch.uk", "world.example"]
        and event.after["client_secret"] == "set"
    )
    assert "client_secret_encrypted" not in event.after
    assert SECRET not in str(event.after) and provider.client_secret_encrypted not in str(
        event.after
    )


def test_secret_is_never_rendered_back(client, world):
    client.force_login(world.user("trust_administrator"))
    provider = identity_provider(world.trust_a, secret=SECRET)
    edit = reverse("sso:provider-edit", args=[provider.pk])
    pages = [
        client.get(edit),
        client.get(reverse("sso:provider-list", args=[world.trust_a.slug])),
        # A failed save re-renders the form: the secret typed in is not echoed either.
        client.post(edit, form_data(domains="not a domain!")),
    ]
    assert [p.status_code for p in pages] == [200, 200, 400]
    for page in pages:
        body = page.content.decode()
        assert SECRET not in body and provider.client_secret_encrypted not in body
    assert "Not an email domain" in pages[2].content.decode()


def test_blank_secret_keeps_the_saved_one_and_a_new_one_replaces_it(client, world):
    client.force_login(world.user("trust_administrator"))
    provider = identity_provider(world.trust_a, secret=SECRET)
    edit = reverse("sso:provider-edit", args=[provider.pk])

    assert client.post(edit, form_data(client_secret="", client_id="new-id")).status_code == 302
    provider.refresh_from_db()
    assert (
        provider.client_id == "new-id"
        and decrypt_secret(provider.client_secret_encrypted) == SECRET
    )

    assert client.post(edit, form_data(client_secret="rotated-secret")).status_code == 302
    provider.refresh_from_db()
    assert decrypt_secret(provider.client_secret_encrypted) == "rotated-secret"
    last = AuditEvent.objects.filter(object_type="sso.identityprovider", action="update").first()
    assert last.after["client_secret"] == "changed" and "rotated-secret" not in str(last.after)


def test_a_domain_belongs_to_one_provider_only(client, world):
    identity_provider(world.trust_b, domain="shared.example")
    client.force_login(world.user("trust_administrator"))
    response = client.post(
        reverse("sso:provider-create", args=[world.trust_a.slug]),
        form_data(domains="shared.example"),
    )
    assert response.status_code == 400
    assert (
        "Already set up for sign-in by another provider: shared.example"
        in response.content.decode()
    )
    assert not IdentityProvider.objects.filter(trust=world.trust_a).exists()


def test_create_needs_a_secret_and_https(client, world, settings):
    settings.TRUSTWIDE_SSO_ALLOW_HTTP = False
    client.force_login(world.user("trust_administrator"))
    url = reverse("sso:provider-create", args=[world.trust_a.slug])
    body = client.post(url, form_data(client_secret="")).content.decode()
    assert "Enter the client secret" in body
    body = client.post(
        url, form_data(discovery_url="http://idp.example/.well-known/openid-configuration")
    ).content.decode()
    assert "must start with https://" in body
    assert not IdentityProvider.objects.exists()


def test_settings_pages_are_for_the_trusts_administrators(client, world):
    provider = identity_provider(world.trust_a)
    urls = [
        reverse("sso:provider-list", args=[world.trust_a.slug]),
        reverse("sso:provider-edit", args=[provider.pk]),
    ]
    client.force_login(world.user("trust_leader"))  # in the trust, not an administrator
    assert [client.get(u).status_code for u in urls] == [403, 403]
    other_admin = make_user("trust_b_admin")
    grant(other_admin, "trust_administrator", trust=world.trust_b)
    client.force_login(other_admin)
    assert [client.get(u).status_code for u in urls] == [404, 404]
    client.force_login(world.user("trust_administrator"))
    assert [client.get(u).status_code for u in urls] == [200, 200]


def test_services_refuse_others_and_write_nothing(world):
    with pytest.raises(PermissionDenied):
        services.provider_create(
            actor=world.user("trust_leader"),
            trust=world.trust_a,
            kind=ProviderKind.GOOGLE,
            discovery_url=GOOGLE,
            client_id="x",
            client_secret="y",
            domains=["world.example"],
        )
    assert not IdentityProvider.objects.exists()
    assert not AuditEvent.objects.filter(object_type="sso.identityprovider").exists()


def test_remove_provider_is_audited(client, world):
    admin = world.user("trust_administrator")
    provider = identity_provider(world.trust_a)
    client.force_login(admin)
    response = client.post(reverse("sso:provider-delete", args=[provider.pk]))
    assert response.status_code == 302 and not IdentityProvider.objects.exists()
    event = AuditEvent.objects.get(object_type="sso.identityprovider", action="delete")
    assert event.actor == admin and event.before["domains"] == ["trust-a.example"]


def test_trust_page_links_administrators_to_the_settings(client, world):
    url = reverse("sso:provider-list", args=[world.trust_a.slug])
    client.force_login(world.user("trust_administrator"))
    assert (
        url
        in client.get(reverse("trusts:trust-detail", args=[world.trust_a.slug])).content.decode()
    )
    client.force_login(world.user("trust_leader"))
    assert (
        url
        not in client.get(
            reverse("trusts:trust-detail", args=[world.trust_a.slug])
        ).content.decode()
    )


def test_login_page_offers_the_school_account_step(client):
    body = client.get(reverse("accounts:login") + "?next=/trusts/").content.decode()
    assert reverse("sso:start") + "?next=/trusts/" in body


def test_secret_survives_a_key_rotation_with_fallback(settings):
    token = encrypt_secret(SECRET)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-deployment-0123456789abcdef"
    assert decrypt_secret(token) == SECRET
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(SecretUnreadable):
        decrypt_secret(token)


def test_unreachable_provider_is_a_clear_refusal_and_audited(client, world, settings):
    settings.TRUSTWIDE_SSO_ALLOW_HTTP = True
    provider = identity_provider(world.trust_a, domain="world.example")
    # Port 9 on loopback: nothing listens there, so discovery fails at once.
    IdentityProvider.objects.filter(pk=provider.pk).update(
        discovery_url="http://127.0.0.1:9/.well-known/openid-configuration"
    )
    response = client.post(reverse("sso:start"), {"email": world.user("headteacher").email})
    assert response.status_code == 502
    assert Refusal.message(Refusal.PROVIDER_ERROR) in response.content.decode()
    event = AuditEvent.objects.get(action=SSO_REFUSED)
    assert event.after["reason"] == Refusal.PROVIDER_ERROR and "discovery" in event.after["detail"]


def test_validation_error_messages_name_the_field(world):
    with pytest.raises(ValidationError) as exc:
        services.provider_create(
            actor=world.user("trust_administrator"),
            trust=world.trust_a,
            kind=ProviderKind.GOOGLE,
            discovery_url=GOOGLE,
            client_id="x",
            client_secret="y",
            domains=[],
        )
    assert exc.value.message_dict == {
        "domains": ["List at least one email domain, e.g. school.org.uk."]
    }


def test_saving_unchanged_settings_records_nothing(client, world):
    client.force_login(world.user("trust_administrator"))
    provider = identity_provider(world.trust_a)
    data = form_data(client_secret="", client_id=provider.client_id, domains="trust-a.example")
    assert client.post(reverse("sso:provider-edit", args=[provider.pk]), data).status_code == 302
    assert not AuditEvent.objects.filter(
        object_type="sso.identityprovider", action="update"
    ).exists()
