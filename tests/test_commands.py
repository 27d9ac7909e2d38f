"""The command line a trust's IT person uses: demo and createtrust."""

import io

import pytest
from django.core.management import CommandError, call_command

from trustwide.accounts.models import Membership, User
from trustwide.accounts.roles import Role
from trustwide.audit.models import AuditEvent
from trustwide.data.models import ImportBatch
from trustwide.trusts.models import School, Trust


def _demo(**options) -> str:
    out = io.StringIO()
    call_command("demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_demo_is_deterministic_resets_and_has_every_role():
    first = _demo(seed=7, schools=4, hubs=2)
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {r.value for r in Role}, "every role has a demo user"
    assert Trust.objects.count() == 1 and School.objects.count() == 4
    emails = sorted(User.objects.values_list("email", flat=True))
    for email in emails:
        assert email in first, "every login is printed"
    # The trust starts as `createtrust` starts one (no actor); its administrator does the rest
    # through the pages' services, so the audit trail names them.
    admin = Membership.objects.get(role=Role.TRUST_ADMINISTRATOR).user
    trust = Trust.objects.get()
    created = AuditEvent.objects.filter(action="create", object_id=str(trust.pk))
    assert created.get(object_type="trusts.trust").actor_id is None
    for model, count in [("trusts.hub", 2), ("trusts.school", 4), ("trusts.inspection", 4)]:
        events = AuditEvent.objects.filter(action="create", object_type=model)
        if model == "trusts.inspection":  # each school's last inspection before report cards
            events = events.filter(after__framework="ofsted-eif-2019")
        assert events.count() == count and {e.actor_id for e in events} == {admin.pk}, model
    last_year = AuditEvent.objects.get(
        action="create", object_type="trusts.academicyear", after__is_current=False
    )
    assert last_year.actor_id == admin.pk
    # Staff came through the bulk-add service, as the administrator's CSV would (audited).
    bulk = AuditEvent.objects.get(action="bulk_add")
    assert bulk.actor_id == admin.pk and bulk.after["invited"] == 0
    # Four trust roles besides the administrator, a head and a chair of governors per school,
    # five more roles in the first school, and the five roles added in issue 16 (executive
    # headteachers are hub roles, added one by one).
    assert bulk.after["rows"] == 4 + 2 * 4 + 5 + 5
    # Pupil data came through the importers, uploaded by the data managers.
    uploaders = set(ImportBatch.objects.values_list("uploaded_by__memberships__role", flat=True))
    assert uploaders == {Role.SCHOOL_DATA_MANAGER, Role.TRUST_DATA_MANAGER}
    second = _demo(seed=7, schools=4, hubs=2)
    assert Trust.objects.count() == 1 and School.objects.count() == 4, "re-running resets, not adds"
    assert sorted(User.objects.values_list("email", flat=True)) == emails
    assert "demo-trustwide-2026" in second
    # Every printed login works, including people the domain apps add (parent governors).
    cannot = [u.email for u in User.objects.all() if not u.check_password("demo-trustwide-2026")]
    assert cannot == []


@pytest.mark.django_db
def test_createtrust_makes_trust_year_and_administrator():
    out = io.StringIO()
    call_command(
        "createtrust", "Brambleford Academies", admin_email="Admin@Bramble.example", stdout=out
    )
    trust = Trust.objects.get(slug="brambleford-academies")
    membership = Membership.objects.get(trust=trust)
    assert (
        membership.role == Role.TRUST_ADMINISTRATOR
        and membership.user.email == "admin@bramble.example"
    )
    assert trust.academic_years.get(is_current=True).terms.count() == 3
    assert AuditEvent.objects.filter(trust=trust, actor_label="trustwide createtrust").count() >= 6
    with pytest.raises(CommandError):
        call_command(
            "createtrust", "Brambleford Academies", admin_email="x@y.example", stdout=io.StringIO()
        )


@pytest.mark.django_db
def test_createtrust_invites_the_administrator_by_email(
    django_capture_on_commit_callbacks, settings
):
    from django.core import mail

    settings.SITE_URL = "https://trustwide.example"
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "createtrust",
            "Ferndown Trust",
            admin_email="boss@fern.example",
            admin_name="Pat Boss",
            stdout=out,
        )
    admin = User.objects.get(email="boss@fern.example")
    assert not admin.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["boss@fern.example"]
    link = next(
        word
        for word in mail.outbox[0].body.split()
        if word.startswith("https://trustwide.example/invitation/")
    )
    assert link in out.getvalue()
    event = AuditEvent.objects.get(action="invite")
    assert event.actor_label == "trustwide createtrust" and event.trust.slug == "ferndown-trust"


@pytest.mark.django_db
def test_createtrust_with_a_password_sends_nothing_and_checks_the_password():
    from django.core import mail

    with pytest.raises(CommandError, match="--admin-password: This password is too short"):
        call_command(
            "createtrust",
            "Short Trust",
            admin_email="a@short.example",
            admin_password="abc",
            stdout=io.StringIO(),
        )
    assert not Trust.objects.filter(name="Short Trust").exists()
    call_command(
        "createtrust",
        "Long Trust",
        admin_email="a@long.example",
        admin_password="Heron-valley-2031",
        stdout=io.StringIO(),
    )
    assert User.objects.get(email="a@long.example").check_password("Heron-valley-2031")
    assert mail.outbox == [] and not AuditEvent.objects.filter(action="invite").exists()
