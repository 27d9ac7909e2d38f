"""The command line a trust's IT person uses: demo and createtrust."""

import io

import pytest
from django.core.management import CommandError, call_command

from trustwide.accounts.models import Membership, User
from trustwide.accounts.roles import Role
from trustwide.audit.models import AuditEvent
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
    call_command("createtrust", "Brambleford Academies", admin_email="Admin@Bramble.example", stdout=out)
    trust = Trust.objects.get(slug="brambleford-academies")
    membership = Membership.objects.get(trust=trust)
    assert membership.role == Role.TRUST_ADMINISTRATOR and membership.user.email == "admin@bramble.example"
    assert trust.academic_years.get(is_current=True).terms.count() == 3
    assert AuditEvent.objects.filter(trust=trust, actor_label="trustwide createtrust").count() >= 6
    with pytest.raises(CommandError):
        call_command("createtrust", "Brambleford Academies", admin_email="x@y.example", stdout=io.StringIO())
