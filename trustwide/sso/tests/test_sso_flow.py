"""Single sign-on end to end: the relying party (Authlib in our views) against a real OpenID
provider on 127.0.0.1 (oidc_provider.py). Discovery, JWKS and the token exchange go over HTTP;
the browser's hops are replayed with the Django test client and `requests`."""

import datetime
import urllib.parse

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from trustwide.audit.models import AuditEvent
from trustwide.sso.models import ProviderKind
from trustwide.sso.rules import Refusal
from trustwide.sso.services import SESSION_KEY, SSO_LOGIN, SSO_REFUSED

from .oidc_provider import other_key


def google_claims(email, **extra):
    return {"email": email, "email_verified": True, "hd": email.split("@")[1], **extra}


def start(client, email, **data):
    response = client.post(reverse("sso:start"), {"email": email, **data})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def at_provider(authorize_url):
    """The browser at the provider: it answers with a redirect back to our callback."""
    response = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    back = urllib.parse.urlsplit(response.headers["Location"])
    return f"{back.path}?{back.query}"


def sign_in(client, email):
    return client.get(at_provider(start(client, email)))


def refusals(provider):
    return list(AuditEvent.objects.filter(action=SSO_REFUSED, object_id=str(provider.pk)))


def test_known_user_signs_in_and_it_is_audited(client, world, idp, make_provider):
    provider = make_provider()
    head = world.user("headteacher")
    idp.claims = google_claims(head.email.upper())

    authorize_url = start(client, head.email, next="/trusts/")
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize_url).query))
    # The library sends state, nonce and a PKCE S256 challenge; the provider checks the verifier.
    assert query["state"] and query["nonce"] and query["code_challenge_method"] == "S256"
    assert query["login_hint"] == head.email and query["hd"] == "world.example"
    response = client.get(at_provider(authorize_url))

    assert response.status_code == 302 and response["Location"] == "/trusts/"
    assert int(client.session["_auth_user_id"]) == head.pk
    assert client.session[SESSION_KEY] == provider.pk
    assert idp.token_requests[-1]["code_verifier"]
    event = AuditEvent.objects.get(action=SSO_LOGIN)
    assert (
        event.actor == head and event.trust == world.trust_a and event.object_id == str(provider.pk)
    )
    assert event.after["email"] == head.email and event.after["subject"] == "subject-123"
    assert client.get(reverse("accounts:home")).status_code == 200


def test_sso_session_is_not_asked_for_trustwides_second_factor(client, world, idp, make_provider):
    """The trust requires two-step login for everyone; the school's identity provider enforces
    its own second factor, so a school-account sign-in lands on the page, while the same person
    logging in with a password is sent to enrol."""
    world.trust_a.mfa_policy = "everyone"
    world.trust_a.save()
    make_provider()
    head = world.user("headteacher")
    idp.claims = google_claims(head.email)
    authorize_url = start(client, head.email, next="/")
    client.get(at_provider(authorize_url))
    assert client.get(reverse("accounts:home")).status_code == 200
    client.logout()
    head.set_password("a-long-Passphrase-9")
    head.save()
    client.post(
        reverse("accounts:login"), {"username": head.email, "password": "a-long-Passphrase-9"}
    )
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:mfa-enrol")
    )


def test_unknown_email_is_refused_and_no_account_is_created(client, world, idp, make_provider):
    from trustwide.accounts.models import User

    provider = make_provider()
    idp.claims = google_claims("stranger@world.example")
    users_before = User.objects.count()
    response = sign_in(client, "stranger@world.example")

    assert response.status_code == 403
    assert Refusal.message(Refusal.UNKNOWN_USER) in response.content.decode()
    assert "_auth_user_id" not in client.session and User.objects.count() == users_before
    [event] = refusals(provider)
    assert (
        event.after["reason"] == Refusal.UNKNOWN_USER
        and event.after["email"] == "stranger@world.example"
    )
    assert event.actor is None and event.trust == world.trust_a


def test_unverified_email_is_refused(client, world, idp, make_provider):
    provider = make_provider()
    head = world.user("headteacher")
    idp.claims = google_claims(head.email, email_verified=False)
    response = sign_in(client, head.email)
    assert response.status_code == 403 and "_auth_user_id" not in client.session
    assert [e.after["reason"] for e in refusals(provider)] == [Refusal.NOT_VERIFIED]


def test_personal_google_account_with_a_school_address_is_refused(
    client, world, idp, make_provider
):
    provider = make_provider()
    head = world.user("headteacher")
    idp.claims = {"email": head.email, "email_verified": True}  # no `hd`: not the Workspace's
    assert sign_in(client, head.email).status_code == 403
    assert [e.after["reason"] for e in refusals(provider)] == [Refusal.NOT_WORKSPACE]


def test_wrong_nonce_is_refused(client, world, idp, make_provider):
    provider = make_provider()
    head = world.user("headteacher")
    idp.claims = google_claims(head.email)
    idp.id_token_overrides = {"nonce": "replayed-from-another-sign-in"}
    response = sign_in(client, head.email)
    assert response.status_code == 403 and "_auth_user_id" not in client.session
    [event] = refusals(provider)
    assert event.after["reason"] == Refusal.PROTOCOL and "nonce" in event.after["detail"]


def test_wrong_state_is_refused(client, world, idp, make_provider):
    provider = make_provider()
    head = world.user("headteacher")
    idp.claims = google_claims(head.email)
    callback = at_provider(start(client, head.email))
    parts = urllib.parse.urlsplit(callback)
    query = dict(urllib.parse.parse_qsl(parts.query)) | {"state": "forged-state"}
    response = client.get(f"{parts.path}?{urllib.parse.urlencode(query)}")
    assert response.status_code == 403 and "_auth_user_id" not in client.session
    assert [e.after["reason"] for e in refusals(provider)] == [Refusal.PROTOCOL]
    assert idp.token_requests == []  # refused before the code was ever spent


def test_callback_without_a_sign_in_in_progress_is_refused(client, world, idp, make_provider):
    make_provider()
    response = client.get(reverse("sso:callback") + "?code=abc&state=xyz")
    assert response.status_code == 400 and "_auth_user_id" not in client.session


def test_token_signed_by_another_key_is_refused(client, world, idp, make_provider):
    provider = make_provider()
    head = world.user("headteacher")
    idp.claims = google_claims(head.email)
    idp.sign_with = other_key()
    assert sign_in(client, head.email).status_code == 403
    assert "_auth_user_id" not in client.session
    assert [e.after["reason"] for e in refusals(provider)] == [Refusal.PROTOCOL]


def test_user_whose_membership_ended_is_refused(client, world, idp, make_provider):
    provider = make_provider()
    head = world.user("headteacher")
    head.memberships.update(ends_on=timezone.localdate() - datetime.timedelta(days=1))
    idp.claims = google_claims(head.email)
    response = sign_in(client, head.email)
    assert response.status_code == 403 and "_auth_user_id" not in client.session
    assert Refusal.message(Refusal.NO_ACTIVE_ROLE) in response.content.decode()
    assert [e.after["reason"] for e in refusals(provider)] == [Refusal.NO_ACTIVE_ROLE]


def test_role_in_another_trust_only_is_refused(client, world, idp, make_provider):
    """Trust B's people cannot come in through trust A's provider."""
    provider = make_provider()
    outsider = world.extra["trust_b_leader"]
    idp.claims = google_claims(outsider.email)
    assert sign_in(client, outsider.email).status_code == 403
    assert [e.after["reason"] for e in refusals(provider)] == [Refusal.NO_ACTIVE_ROLE]


def test_address_outside_the_providers_domains_is_refused(client, world, idp, make_provider):
    """The provider vouches for a domain the trust did not list: not accepted."""
    provider = make_provider()
    idp.claims = google_claims("head@elsewhere.example")
    assert sign_in(client, world.user("headteacher").email).status_code == 403
    assert [e.after["reason"] for e in refusals(provider)] == [Refusal.DOMAIN]


def test_email_with_no_provider_is_told_to_use_a_password(client, world, idp, make_provider):
    make_provider()
    response = client.post(reverse("sso:start"), {"email": "someone@nowhere.example"})
    assert response.status_code == 400
    assert Refusal.message(Refusal.NO_PROVIDER) in response.content.decode()


def test_disabled_provider_is_not_offered(client, world, idp, make_provider):
    from trustwide.sso import services

    provider = make_provider()
    services.provider_update(
        actor=world.user("trust_administrator"),
        provider=provider,
        kind=provider.kind,
        discovery_url=provider.discovery_url,
        client_id=provider.client_id,
        domains=provider.domain_names,
        is_enabled=False,
    )
    response = client.post(reverse("sso:start"), {"email": world.user("headteacher").email})
    assert response.status_code == 400


def test_entra_uses_the_sign_in_name_not_the_editable_email(client, world, idp, make_provider):
    """Entra's `email` claim is not verified: without xms_edov the UPN decides who this is."""
    make_provider(kind=ProviderKind.ENTRA)
    head, leader = world.user("headteacher"), world.user("trust_leader")
    idp.claims = {"preferred_username": head.email, "email": leader.email, "tid": "tenant-1"}
    response = sign_in(client, head.email)
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == head.pk


def test_entra_email_is_used_when_the_domain_owner_verified_it(client, world, idp, make_provider):
    make_provider(kind=ProviderKind.ENTRA)
    head = world.user("headteacher")
    idp.claims = {
        "preferred_username": "h.t@tenant.onmicrosoft.com",
        "email": head.email,
        "xms_edov": True,
    }
    assert sign_in(client, head.email).status_code == 302
    assert int(client.session["_auth_user_id"]) == head.pk


@pytest.mark.parametrize("tenant", ["common", "organizations"])
def test_entra_shared_endpoint_is_refused_on_saving(world, idp, make_provider, tenant, settings):
    from django.core.exceptions import ValidationError

    from trustwide.sso import services

    with pytest.raises(ValidationError) as exc:
        services.provider_create(
            actor=world.user("trust_administrator"),
            trust=world.trust_a,
            kind=ProviderKind.ENTRA,
            discovery_url=f"https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration",
            client_id="x",
            client_secret="y",
            domains=["world.example"],
        )
    assert "tenant" in str(exc.value.message_dict["discovery_url"])


def test_next_pointing_off_site_is_ignored(client, world, idp, make_provider):
    make_provider()
    head = world.user("headteacher")
    idp.claims = google_claims(head.email)
    response = client.get(at_provider(start(client, head.email, next="https://evil.example/")))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:home")


def test_a_code_is_spent_once_replaying_the_callback_is_refused(client, world, idp, make_provider):
    provider = make_provider()
    head = world.user("headteacher")
    idp.claims = google_claims(head.email)
    callback = at_provider(start(client, head.email))
    assert client.get(callback).status_code == 302
    client.logout()
    assert client.get(callback).status_code == 400  # no sign-in in progress any more
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="sso_login", object_id=str(provider.pk)).count() == 1


def test_discovery_and_keys_are_fetched_once_then_kept(client, world, idp, make_provider):
    make_provider()
    head = world.user("headteacher")
    idp.claims = google_claims(head.email)
    for _ in range(2):
        assert sign_in(client, head.email).status_code == 302
        client.logout()
    assert idp.hits["/.well-known/openid-configuration"] == 1 and idp.hits["/jwks"] == 1
    assert idp.hits["/token"] == 2


def test_cancelling_at_the_provider_is_a_refusal_with_the_providers_reason(
    client, world, idp, make_provider
):
    provider = make_provider()
    authorize_url = start(client, world.user("headteacher").email)
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize_url).query))["state"]
    response = client.get(
        reverse("sso:callback")
        + f"?error=access_denied&error_description=User+cancelled&state={state}"
    )
    assert response.status_code == 403 and "_auth_user_id" not in client.session
    assert Refusal.message(Refusal.PROVIDER_ERROR) in response.content.decode()
    [event] = refusals(provider)
    assert (
        event.after["reason"] == Refusal.PROVIDER_ERROR and "access_denied" in event.after["detail"]
    )
