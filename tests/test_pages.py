"""Pages users rely on: login by email, throttling, forms with field errors, query caps."""

import datetime

import pytest
from django.urls import reverse

from tests.world import grant, make_school, make_user
from trustwide.accounts.roles import Role
from trustwide.audit.models import AuditEvent


def test_login_by_email_and_logout(world, client):
    user = world.user("headteacher")
    user.set_password("correct-horse-battery")
    user.save()
    response = client.post(
        reverse("accounts:login"),
        {"username": user.email.upper(), "password": "correct-horse-battery"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:home")
    home = client.get(reverse("accounts:home"))
    assert "A1 Primary" in home.content.decode()
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 302


def test_repeated_failed_logins_are_locked_out(world, client, settings):
    user = world.user("teacher")
    user.set_password("right-password-123")
    user.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": user.email, "password": "wrong"})
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": "right-password-123"}
    )
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()


def test_password_reset_sends_email_with_link(world, client, mailoutbox):
    user = world.user("teacher")
    response = client.post(reverse("accounts:password-reset"), {"email": user.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and "/password/reset/" in mailoutbox[0].body
    # An unknown address gets the same answer and no email (no account discovery).
    client.post(reverse("accounts:password-reset"), {"email": "nobody@nowhere.example"})
    assert len(mailoutbox) == 1


def test_csrf_is_enforced(world):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.user("trust_leader"))
    response = strict.post(
        reverse("trusts:school-edit", kwargs={"pk": world.school_a1.pk}), {"name": "X"}
    )
    assert response.status_code == 403


def test_school_edit_shows_field_errors_and_saves_nothing(world, login):
    client = login(world.user("trust_administrator"))
    url = reverse("trusts:school-edit", kwargs={"pk": world.school_a1.pk})
    form = client.get(url)
    assert form.status_code == 200
    response = client.post(
        url,
        {
            "name": "",
            "phase": "primary",
            "age_low": 11,
            "age_high": 4,
            "academy_type": "converter",
            "pupils_on_roll": -5,
            "capacity": 10,
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body and "There is a problem" in body
    assert not AuditEvent.objects.filter(object_type="trusts.school").exists()
    # The form carries GIAS's identifiers too (URN, LA code, establishment number).
    school = world.school_a1
    ok = client.post(
        url,
        {
            "name": "A1 Renamed",
            "phase": "primary",
            "age_low": 4,
            "age_high": 11,
            "urn": school.urn,
            "la_code": school.la_code,
            "establishment_number": school.establishment_number,
            "academy_type": "converter",
            "pupils_on_roll": 310,
            "capacity": 320,
            "hub": world.hub_1.pk,
        },
    )
    assert ok.status_code == 302
    assert AuditEvent.objects.get(object_type="trusts.school").after["name"] == "A1 Renamed"


def test_membership_form_creates_user_and_role(world, login):
    client = login(world.user("trust_administrator"))
    url = reverse("accounts:membership-create", kwargs={"slug": world.trust_a.slug})
    bad = client.post(
        url,
        {
            "email": "pr@x.example",
            "full_name": "Pat Reviewer",
            "role": Role.PEER_REVIEWER,
            "school": world.school_a2.pk,
            "starts_on": "2026-01-01",
        },
    )
    assert bad.status_code == 400 and "time-boxed" in bad.content.decode()
    good = client.post(
        url,
        {
            "email": "pr@x.example",
            "full_name": "Pat Reviewer",
            "role": Role.PEER_REVIEWER,
            "school": world.school_a2.pk,
            "starts_on": "2026-01-01",
            "ends_on": "2036-01-01",
        },
    )
    assert good.status_code == 302
    listing = client.get(reverse("accounts:membership-list", kwargs={"slug": world.trust_a.slug}))
    assert "Pat Reviewer" in listing.content.decode()


def test_governor_and_trustee_never_see_people_history_of_pupils(world, login):
    # Pupil-level pages arrive with the pupil data issue; the policy already forbids them.
    from trustwide.access import Perm, role_has

    for role in (Role.LOCAL_GOVERNOR, Role.TRUSTEE, Role.PEER_REVIEWER):
        assert not role_has(role, Perm.PUPILS_VIEW)


def test_school_list_filters_by_hub_and_phase_with_htmx(world, login):
    make_school(
        world.trust_a, world.hub_2, name="A3 Secondary", phase="secondary", age_low=11, age_high=16
    )
    client = login(world.user("trust_leader"))
    url = reverse("trusts:school-list")
    response = client.get(url, {"phase": "secondary"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "A3 Secondary" in body and "A1 Primary" not in body and "<html" not in body
    response = client.get(url, {"hub": world.hub_1.pk})
    body = response.content.decode()
    assert "A1 Primary" in body and "A2 Primary" not in body and "<html" in body


# The cap: every page here ran in 12-15 queries when written, whatever the trust size. The home
# page gathers "needs your attention" items from every domain app (one or two queries each), so
# it has its own cap; what matters is that no count grows with the rows.
MAX_QUERIES = 15
QUERY_CAPS = {"accounts:home": 25}

LIST_PAGES = [
    ("accounts:home", lambda w: {}),
    ("trusts:school-list", lambda w: {}),
    ("trusts:trust-detail", lambda w: {"slug": w.trust_a.slug}),
    ("trusts:hub-detail", lambda w: {"pk": w.hub_1.pk}),
    ("accounts:membership-list", lambda w: {"slug": w.trust_a.slug}),
    ("audit:trust-audit", lambda w: {"slug": w.trust_a.slug}),
    ("trusts:school-detail", lambda w: {"pk": w.school_a1.pk}),
]


@pytest.mark.parametrize("name,kwargs", LIST_PAGES, ids=[n for n, _ in LIST_PAGES])
def test_list_pages_have_bounded_query_counts(
    name, kwargs, world, client, django_assert_max_num_queries
):
    """The count must not grow with the number of schools, people or events."""
    from trustwide.trusts import services

    leader = world.user("trust_leader")
    for i in range(25):
        school = make_school(
            world.trust_a, world.hub_1 if i % 2 else world.hub_2, name=f"Extra {i}"
        )
        services.inspection_record(
            actor=None,
            school=school,
            framework="ofsted-eif-2019",
            inspected_on=datetime.date(2024, 1, i % 9 + 1),
            grades={"quality-of-education": "Good"},
        )
        grant(make_user(f"extra_{i}"), Role.TEACHER, trust=world.trust_a, school=school)
    client.force_login(
        world.user("trust_administrator") if name == "accounts:membership-list" else leader
    )
    with django_assert_max_num_queries(QUERY_CAPS.get(name, MAX_QUERIES)):
        response = client.get(reverse(name, kwargs=kwargs(world)))
    assert response.status_code == 200
