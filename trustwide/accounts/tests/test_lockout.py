"""Issue 14 item 1: the login lockout cannot be bypassed by changing the email's case, and an
address that cycles through accounts is stopped too."""

from django.urls import reverse

from tests.world import make_user

LOGIN = "accounts:login"


def _user(email_label: str, password: str):
    user = make_user(email_label)
    user.set_password(password)
    user.save()
    return user


def test_case_variant_after_lockout_is_refused(db, client, settings):
    owen = _user("owen.patel", "right-password-123")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse(LOGIN), {"username": owen.email, "password": "wrong"})
    response = client.post(
        reverse(LOGIN), {"username": owen.email.upper(), "password": "right-password-123"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Padding is the same account too.
    response = client.post(
        reverse(LOGIN), {"username": f"  {owen.email.title()} ", "password": "right-password-123"}
    )
    assert response.status_code == 429


def test_case_variants_share_one_failure_count(db, client, settings):
    owen = _user("owen.patel", "right-password-123")
    variants = [
        owen.email,
        owen.email.upper(),
        owen.email.title(),
        owen.email.swapcase(),
        " " + owen.email,
    ]
    for variant in variants[: settings.AXES_FAILURE_LIMIT]:
        client.post(reverse(LOGIN), {"username": variant, "password": "wrong"})
    response = client.post(
        reverse(LOGIN), {"username": owen.email, "password": "right-password-123"}
    )
    assert response.status_code == 429


def test_one_address_cycling_accounts_is_locked(db, client, settings):
    settings.TRUSTWIDE_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    target = _user("target.person", "right-password-123")
    # Two failures each on four accounts: no account reaches 5, the address reaches 8.
    for n in range(4):
        other = make_user(f"spray.{n}")
        for _ in range(2):
            client.post(reverse(LOGIN), {"username": other.email, "password": "wrong"})
    response = client.post(
        reverse(LOGIN), {"username": target.email, "password": "right-password-123"}
    )
    assert response.status_code == 429


def test_successful_login_clears_only_that_accounts_failures(db, client, settings):
    settings.TRUSTWIDE_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    mine = _user("attacker.own", "my-own-password-1")
    victim = _user("victim.person", "victim-password-1")
    first, second = make_user("spray.a"), make_user("spray.b")
    for _ in range(4):
        client.post(reverse(LOGIN), {"username": first.email, "password": "wrong"})
    # Logging in to one's own account does not wipe the address's count of failures.
    assert (
        client.post(
            reverse(LOGIN), {"username": mine.email, "password": "my-own-password-1"}
        ).status_code
        == 302
    )
    client.logout()
    for _ in range(2):
        client.post(reverse(LOGIN), {"username": second.email, "password": "wrong"})
    response = client.post(
        reverse(LOGIN), {"username": victim.email, "password": "victim-password-1"}
    )
    assert response.status_code == 429
