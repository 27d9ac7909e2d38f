"""Bulk-add staff from a CSV: all or nothing, every problem named by row and column, audited,
new people invited."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.world import build_world
from trustwide.accounts.bulk import StaffFileInvalid, staff_bulk_add
from trustwide.accounts.models import Membership, User
from trustwide.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db
HEADER = "name,email,role,school_urn,start_date\n"


@pytest.fixture
def world():
    return build_world()


def _csv(world, *lines) -> bytes:
    return (
        (HEADER + "\n".join(lines) + "\n")
        .format(a1=world.school_a1.urn, b1=world.school_b1.urn)
        .encode()
    )


def _add(world, data, actor=None):
    return staff_bulk_add(
        actor=actor or world.user("trust_administrator"),
        trust=world.trust_a,
        data=data,
        filename="staff.csv",
        base_url="https://tw.example",
    )


def _errors(world, data) -> list[str]:
    before = (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    with pytest.raises(StaffFileInvalid) as caught:
        _add(world, data)
    assert (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == before
    return [str(e) for e in caught.value.errors]


def test_valid_file_adds_everyone_invites_and_audits(world, django_capture_on_commit_callbacks):
    data = _csv(
        world,
        "Sam Senco,sam@example.org,senco,{a1},01/09/2025",
        "Fay Finance,fay@example.org,Trust finance officer,,",
        "Cal Clerk,cal@example.org,clerk_to_governors,{a1},2025-09-01",
        "Tess Teacher,teacher@world.example,safeguarding_lead,{a1},",
    )  # has a password already
    with django_capture_on_commit_callbacks(execute=True):
        created = _add(world, data)
    assert [(m.user.email, m.role, m.school_id) for m in created] == [
        ("sam@example.org", "senco", world.school_a1.pk),
        ("fay@example.org", "trust_finance_officer", None),
        ("cal@example.org", "clerk_to_governors", world.school_a1.pk),
        ("teacher@world.example", "safeguarding_lead", world.school_a1.pk),
    ]
    assert created[0].starts_on.isoformat() == "2025-09-01"
    assert sorted(m.to[0] for m in mail.outbox) == [
        "cal@example.org",
        "fay@example.org",
        "sam@example.org",
    ]
    summary = AuditEvent.objects.get(action=AuditAction.BULK_ADD)
    assert summary.after == {"file": "staff.csv", "rows": 4, "invited": 3}
    assert summary.trust_id == world.trust_a.pk
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CREATE, object_type="accounts.membership"
        ).count()
        == 4
    )
    assert AuditEvent.objects.filter(action=AuditAction.INVITE).count() == 3


def test_a_bad_row_rolls_back_the_whole_file(world):
    errors = _errors(
        world,
        _csv(
            world,
            "Sam Senco,sam@example.org,senco,{a1},",
            "Bad Date,bad@example.org,teacher,{a1},31/02/2025",
            "No Role,norole@example.org,caretaker,{a1},",
        ),
    )
    assert errors == [
        "Row 3, column start_date '31/02/2025': a date as YYYY-MM-DD or DD/MM/YYYY, or blank",
        errors[1],
    ]
    assert errors[1].startswith("Row 4, column role 'caretaker': one of: trust_leader,")
    assert not User.objects.filter(email="sam@example.org").exists()


def test_unknown_school_and_other_trusts_school(world):
    errors = _errors(
        world, _csv(world, "A,a@example.org,teacher,999999,", "B,b@example.org,teacher,{b1},")
    )
    assert errors == [
        "Row 2, column school_urn '999999': the URN of one of this trust's schools (no school has this URN)",
        f"Row 3, column school_urn '{world.school_b1.urn}': the URN of a school in this trust (this school is in another trust)",
    ]


def test_duplicate_email_in_the_file_and_existing_role(world):
    errors = _errors(
        world,
        _csv(
            world,
            "A,dup@example.org,teacher,{a1},",
            "A again,DUP@example.org,senco,{a1},",
            "Tess,teacher@world.example,teacher,{a1},",
        ),
    )
    assert errors == [
        "Row 3, column email 'DUP@example.org': each person once: this address is also on row 2",
        "Row 4, column email 'teacher@world.example': someone new to this role: teacher@world.example "
        "already holds it here",
    ]


def test_role_and_school_level_must_match(world):
    errors = _errors(
        world,
        _csv(
            world,
            "A,a@example.org,trust_finance_officer,{a1},",
            "B,b@example.org,school_business_manager,,",
            "C,c@example.org,executive_headteacher,,",
            "D,d@example.org,peer_reviewer,{a1},",
        ),
    )
    assert errors[0] == (
        f"Row 2, column school_urn '{world.school_a1.urn}': blank: Trust finance officer is a trust role, "
        "held across the trust"
    )
    assert errors[1] == (
        "Row 3, column school_urn: the URN of one of the trust's schools: "
        "School business manager is held in a school"
    )
    assert errors[2].startswith(
        "Row 4, column role 'executive_headteacher': a trust or school role"
    )
    assert (
        errors[3] == "Row 5, column end_date: Peer reviewer access is time-boxed: give an end date."
    )


def test_wrong_header_and_bad_email(world):
    errors = _errors(world, b"name,mail,role\nA,a@example.org,teacher\n")
    assert errors[0].startswith("Row 1, column email: a column called 'email'")
    assert any("Row 1, column mail: no such column" in e for e in errors)
    errors = _errors(world, (HEADER + f"A,not-an-email,teacher,{world.school_a1.urn},\n").encode())
    assert errors == [
        "Row 2, column email 'not-an-email': an email address, e.g. name@school.org.uk"
    ]
    assert _errors(world, b"\xff\xfe bad") == ["Row 1, column (file): a CSV file saved as UTF-8"]


def test_only_trust_administrators_bulk_add(world):
    with pytest.raises(PermissionDenied):
        _add(world, _csv(world, "A,a@example.org,teacher,{a1},"), actor=world.user("headteacher"))


def test_upload_page_lists_errors_and_adds_nothing(world, client):
    client.force_login(world.user("trust_administrator"))
    url = reverse("accounts:staff-bulk-add", args=[world.trust_a.slug])
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile(
        "staff.csv", _csv(world, "A,a@example.org,teacher,999999,"), "text/csv"
    )
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    body = response.content.decode()
    assert "staff.csv: nothing was added." in body and "Row 2, column school_urn" in body
    good = SimpleUploadedFile("staff.csv", _csv(world, "A,a@example.org,teacher,{a1},"), "text/csv")
    response = client.post(url, {"file": good})
    assert response.status_code == 302
    assert Membership.objects.filter(user__email="a@example.org", school=world.school_a1).exists()
