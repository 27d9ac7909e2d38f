"""Invitations: the add form and bulk add email a set-password link; the link works once and
signs the person in to their home page; re-sending gives a fresh link; every step is audited."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.world import build_world, make_school
from trustwide.accounts import invitations, services
from trustwide.accounts.models import Membership, User
from trustwide.accounts.roles import Role
from trustwide.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "Kestrel-orchard-1987"


@pytest.fixture
def world():
    return build_world()


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def test_invitation_send_emails_a_link_and_is_audited(world, django_capture_on_commit_callbacks):
    admin = world.user("trust_administrator")
    user = User.objects.create_user(email="new.head@example.org", full_name="New Head")
    with django_capture_on_commit_callbacks(execute=True):
        link = invitations.invitation_send(
            actor=admin, user=user, trust=world.trust_a, base_url="https://tw.example"
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.head@example.org"]
    assert link in mail.outbox[0].body and link.startswith("https://tw.example/invitation/")
    event = AuditEvent.objects.get(action=AuditAction.INVITE)
    assert (event.actor, event.trust_id, event.object_id) == (admin, world.trust_a.pk, str(user.pk))


def test_no_email_when_the_transaction_rolls_back(world, django_capture_on_commit_callbacks):
    """The email goes on commit: an invitation in a failed write is never sent."""
    admin = world.user("trust_administrator")
    user = User.objects.create_user(email="x@example.org", full_name="X")
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                invitations.invitation_send(actor=admin, user=user, trust=world.trust_a)
                raise RuntimeError("later step fails")
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action=AuditAction.INVITE).exists()


def test_only_trust_administrators_invite(world):
    user = User.objects.create_user(email="y@example.org", full_name="Y")
    with pytest.raises(PermissionDenied):
        invitations.invitation_send(actor=world.user("headteacher"), user=user, trust=world.trust_a)
    with pytest.raises(PermissionDenied):  # another trust's administrator
        invitations.invitation_send(
            actor=world.user("trust_administrator"), user=user, trust=world.trust_b
        )


def test_someone_with_a_password_is_not_invited(world):
    with pytest.raises(ValidationError, match="already set a password"):
        invitations.invitation_send(
            actor=world.user("trust_administrator"), user=world.user("teacher"), trust=world.trust_a
        )


def test_add_form_invites_a_new_person_who_sets_a_password_once(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.user("trust_administrator"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:membership-create", args=[world.trust_a.slug]),
            {
                "email": "Ada.Head@Example.org",
                "full_name": "Ada Head",
                "role": Role.HEADTEACHER,
                "school": world.school_a1.pk,
                "starts_on": "2020-01-01",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="ada.head@example.org")
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    path = _path(_link(mail.outbox[0]))
    client.logout()

    # Django's confirm view moves the token into the session and redirects to the form.
    form_url = client.get(path).url
    weak = client.post(form_url, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200 and "too common" in weak.content.decode()
    done = client.post(form_url, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert done.status_code == 302 and done.url == reverse("accounts:home")
    home = client.get(done.url)
    assert world.school_a1.name in home.content.decode()
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.ACCEPT_INVITATION)
    assert (event.actor, event.trust_id) == (user, world.trust_a.pk)

    # The link works once.
    client.logout()
    again = client.get(path, follow=True)
    assert "This link has expired" in again.content.decode()


def test_a_password_reset_token_does_not_open_an_invitation(world, client):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = User.objects.create_user(email="z@example.org", full_name="Z")
    url = reverse(
        "accounts:invitation-accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    assert "This link has expired" in client.get(url, follow=True).content.decode()


def test_a_deactivated_person_cannot_use_their_invitation(world, client):
    user = User.objects.create_user(email="gone@example.org", full_name="Gone")
    link = invitations.invitation_url(user)
    user.is_active = False
    user.save()
    assert "This link has expired" in client.get(_path(link), follow=True).content.decode()


def test_resend_sends_a_fresh_link_and_refuses_after_acceptance(
    world, client, django_capture_on_commit_callbacks
):
    admin = world.user("trust_administrator")
    user = services.user_get_or_create(
        actor=admin, trust=world.trust_a, email="r@example.org", full_name="R"
    )
    membership = services.membership_create(
        actor=admin, user=user, role=Role.TEACHER, trust=world.trust_a, school=world.school_a1
    )
    client.force_login(admin)
    url = reverse("accounts:invitation-resend", args=[membership.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert (
        len(mail.outbox) == 1 and AuditEvent.objects.filter(action=AuditAction.INVITE).count() == 1
    )
    people = client.get(
        reverse("accounts:membership-list", args=[world.trust_a.slug])
    ).content.decode()
    assert "Not yet accepted" in people

    user.set_password(GOOD_PASSWORD)
    user.save()
    response = client.post(url, follow=True)
    assert "already set a password" in response.content.decode()
    assert len(mail.outbox) == 1


def test_people_page_shows_what_each_role_may_do(world, client):
    client.force_login(world.user("trust_administrator"))
    body = client.get(
        reverse("accounts:membership-list", args=[world.trust_a.slug])
    ).content.decode()
    assert "What each role may do" in body
    for role in Role:
        assert f'id="role-{role.value}"' in body
    clerk = body.split('id="role-clerk_to_governors"')[1].split("</tr>")[0]
    assert "run governance" in clerk and "<td>No</td>" in clerk
    senco = body.split('id="role-senco"')[1].split("</tr>")[0]
    assert "<td>Yes</td>" in senco


def test_every_permission_has_a_label():
    from trustwide.access.policy import PERM_LABELS, Perm

    perms = {v for k, v in vars(Perm).items() if k.isupper()}
    assert perms == set(PERM_LABELS)


def test_new_roles_see_pupils_only_where_they_should():
    from trustwide.access.policy import NEVER_SEE_PUPILS, Perm, role_has

    for role in (Role.CLERK_TO_GOVERNORS, Role.TRUST_FINANCE_OFFICER, Role.SCHOOL_BUSINESS_MANAGER):
        assert role in NEVER_SEE_PUPILS and not role_has(role, Perm.PUPILS_VIEW)
    for role in (Role.SAFEGUARDING_LEAD, Role.SENCO):
        assert role_has(role, Perm.PUPILS_VIEW)
    assert role_has(Role.CLERK_TO_GOVERNORS, Perm.GOVERNANCE_EDIT)
    assert role_has(Role.SCHOOL_BUSINESS_MANAGER, Perm.RISK_EDIT)
    assert role_has(Role.TRUST_FINANCE_OFFICER, Perm.PLAN_VIEW)


def test_a_new_school_role_needs_a_school_of_the_trust(world):
    other = make_school(world.trust_b)
    m = Membership(role=Role.SENCO, trust=world.trust_a, school=other)
    with pytest.raises(ValidationError):
        m.clean()
