import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trustwide.access.scope import grants_with
from trustwide.audit.models import AuditEvent
from trustwide.policies import attention, review_dates, selectors, services
from trustwide.policies.models import Policy, PolicyReview
from trustwide.policies.review_dates import add_months

from .factories import due_in, make_policy

pytestmark = pytest.mark.django_db
D = datetime.date


def _today():
    return timezone.localdate()


def _fields(**over):
    base = dict(
        title="Behaviour",
        category="behaviour",
        statutory=True,
        approver="Trust board",
        approved_on=_today() - datetime.timedelta(days=30),
        review_every_months=12,
        status="current",
    )
    base.update(over)
    return base


# Review dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "on, months, expected",
    [
        (D(2025, 1, 31), 1, D(2025, 2, 28)),  # shorter month: its last day
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # leap year
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2025, 8, 31), 1, D(2025, 9, 30)),
        (D(2025, 3, 31), 11, D(2026, 2, 28)),
        (D(2025, 12, 15), 1, D(2026, 1, 15)),  # across the year end
        (D(2025, 9, 1), 12, D(2026, 9, 1)),
        (D(2025, 9, 1), 36, D(2028, 9, 1)),
        (D(2025, 1, 30), 60, D(2030, 1, 30)),
    ],
)
def test_add_months(on, months, expected):
    assert add_months(on, months) == expected


def test_due_state_on_known_dates():
    today = D(2026, 3, 1)

    def state(next_review_on, retired=False):
        return review_dates.due_state(next_review_on, retired=retired, today=today)

    assert state(D(2026, 2, 28)) == "overdue"
    assert state(D(2026, 3, 1)) == "due"  # due today is not yet overdue
    assert state(D(2026, 4, 30)) == "due"  # 60 days on
    assert state(D(2026, 5, 1)) == "current"
    assert state(None) == "not_approved"
    assert state(D(2020, 1, 1), retired=True) == "retired"


def test_register_counts_and_filters_match_the_badges(world):
    today = D(2026, 3, 1)
    trust, a1 = world.trust_a, world.school_a1
    for title, next_review_on, status in [
        ("Overdue", D(2026, 2, 28), "current"),
        ("Due today", D(2026, 3, 1), "current"),
        ("Due at 60 days", D(2026, 4, 30), "under_review"),
        ("In date", D(2026, 5, 1), "current"),
        ("Old", D(2020, 1, 1), "retired"),
    ]:
        make_policy(trust, a1, title=title, next_review_on=next_review_on, status=status)
    make_policy(trust, None, title="Draft", approved_days_ago=None, status="draft")
    user = world.user("trust_leader")
    reg = selectors.register(user, trust=trust, today=today)
    assert reg.counts == {"overdue": 1, "due": 2, "current": 1, "not_approved": 1, "retired": 1}
    assert {p.title: p.state for p in reg.rows} == {
        "Overdue": "overdue",
        "Due today": "due",
        "Due at 60 days": "due",
        "In date": "current",
        "Draft": "not_approved",
    }  # retired ones only on request
    for state, titles in [
        ("overdue", ["Overdue"]),
        ("due", ["Due today", "Due at 60 days"]),
        ("current", ["In date"]),
        ("retired", ["Old"]),
    ]:
        assert [
            p.title for p in selectors.register(user, trust=trust, due=state, today=today).rows
        ] == titles
    assert [
        p.title
        for p in selectors.register(user, trust=trust, school_filter="trust", today=today).rows
    ] == ["Draft"]


# Services: computing, audit, bad input -----------------------------------------------------------


def test_create_computes_next_review_and_is_audited(world):
    head = world.user("headteacher")
    approved = _today() - datetime.timedelta(days=10)
    policy = services.policy_create(
        actor=head,
        trust=world.trust_a,
        school=world.school_a1,
        **_fields(approved_on=approved, review_every_months=12),
    )
    assert policy.next_review_on == add_months(approved, 12)
    event = AuditEvent.objects.get(
        object_type="policies.policy", object_id=str(policy.pk), action="create"
    )
    assert (
        event.school_id == world.school_a1.pk
        and event.trust_id == world.trust_a.pk
        and event.actor == head
    )
    assert event.after["next_review_on"] == add_months(approved, 12).isoformat()

    # A date set by hand is kept ...
    chosen = _today() + datetime.timedelta(days=100)
    other = services.policy_create(
        actor=head,
        trust=world.trust_a,
        school=world.school_a1,
        **_fields(title="Attendance", next_review_on=chosen),
    )
    assert other.next_review_on == chosen
    # ... and a computed one moves with the approval date and interval.
    policy = services.policy_update(actor=head, policy=policy, review_every_months=24)
    assert policy.next_review_on == add_months(approved, 24)
    other = services.policy_update(actor=head, policy=other, review_every_months=24)
    assert other.next_review_on == chosen
    update = AuditEvent.objects.get(
        object_id=str(policy.pk), object_type="policies.policy", action="update"
    )
    assert update.before["review_every_months"] == 12 and update.after["review_every_months"] == 24


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"review_every_months": 0}, "Review every 1 to 60 months."),
        ({"review_every_months": 61}, "Review every 1 to 60 months."),
        (
            {"approved_on": timezone.localdate() + datetime.timedelta(days=1)},
            "approval date cannot be in the future",
        ),
        ({"approved_on": None}, "A current policy needs the date"),
        (
            {"next_review_on": timezone.localdate() - datetime.timedelta(days=60)},
            "must come after the approval date",
        ),
    ],
)
def test_service_rejects_bad_input_and_saves_nothing(world, bad, message):
    with pytest.raises(ValidationError) as exc:
        services.policy_create(
            actor=world.user("trust_leader"),
            trust=world.trust_a,
            school=world.school_a1,
            **_fields(**bad),
        )
    assert message in str(exc.value)
    assert (
        not Policy.objects.exists()
        and not AuditEvent.objects.filter(object_type="policies.policy").exists()
    )


def test_school_of_another_trust_rejected(world, client):
    with pytest.raises(ValidationError) as exc:
        services.policy_create(
            actor=world.user("trust_leader"),
            trust=world.trust_a,
            school=world.school_b1,
            **_fields(),
        )
    assert "another trust" in str(exc.value)
    client.force_login(world.user("trust_leader"))
    data = {
        **_fields(),
        "approved_on": _fields()["approved_on"].isoformat(),
        "school": world.school_b1.pk,
    }
    response = client.post(reverse("policies:trust-policy-create", args=[world.trust_a.slug]), data)
    assert response.status_code == 400
    assert "Choose one of this trust&#x27;s schools." in response.content.decode()
    assert not Policy.objects.exists()


def test_form_shows_errors_and_saves_nothing(world, client):
    client.force_login(world.user("headteacher"))
    url = reverse("policies:school-policy-create", args=[world.school_a1.pk])
    future = (_today() + datetime.timedelta(days=5)).isoformat()
    for data, message in [
        ({"review_every_months": 0}, "Review every 1 to 60 months."),
        ({"review_every_months": 61}, "Review every 1 to 60 months."),
        ({"approved_on": future}, "The approval date cannot be in the future."),
    ]:
        post = {**_fields(), "approved_on": _fields()["approved_on"].isoformat(), **data}
        response = client.post(url, post)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert (
        not Policy.objects.exists()
        and not AuditEvent.objects.filter(object_type="policies.policy").exists()
    )
    post = {**_fields(), "approved_on": _fields()["approved_on"].isoformat()}
    response = client.post(url, post)
    assert response.status_code == 302
    policy = Policy.objects.get()
    assert policy.school == world.school_a1 and policy.next_review_on == add_months(
        policy.approved_on, 12
    )


def test_record_review_moves_dates_on_and_is_audited(world, client):
    policy = make_policy(world.trust_a, world.school_a1, approved_days_ago=400)  # overdue
    assert policy.due_state() == "overdue"
    head = world.user("headteacher")
    today = _today()
    review = services.policy_record_review(
        actor=head,
        policy=policy,
        reviewed_on=today - datetime.timedelta(days=3),
        approved_on=today,
        approver="Local governing committee",
        changes="New DSL named.",
    )
    policy.refresh_from_db()
    assert (policy.approved_on, policy.next_review_on, policy.approver) == (
        today,
        add_months(today, 12),
        "Local governing committee",
    )
    assert review.next_review_on == policy.next_review_on and review.reviewed_by == head
    assert policy.due_state() == "current"
    assert AuditEvent.objects.filter(
        object_type="policies.policyreview",
        object_id=str(review.pk),
        action="create",
        school=world.school_a1,
    ).exists()
    assert AuditEvent.objects.filter(
        object_type="policies.policy", object_id=str(policy.pk), action="update"
    ).exists()
    # An approval earlier than the last one is refused, and nothing is written.
    with pytest.raises(ValidationError) as exc:
        services.policy_record_review(
            actor=head, policy=policy, approved_on=today - datetime.timedelta(days=30)
        )
    assert "cannot be earlier" in str(exc.value)
    assert PolicyReview.objects.count() == 1

    # Through the page: a future approval date is a form error; a good review shows in the history.
    client.force_login(head)
    url = reverse("policies:policy-review", args=[policy.pk])
    response = client.post(
        url,
        {
            "reviewed_on": today.isoformat(),
            "approved_on": (today + datetime.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 400 and "cannot be in the future" in response.content.decode()
    assert PolicyReview.objects.count() == 1
    detail = client.get(reverse("policies:policy-detail", args=[policy.pk])).content.decode()
    assert "New DSL named." in detail and "Record a review" in detail


def test_retire_and_delete_are_audited(world, client):
    policy = make_policy(world.trust_a, world.school_a1, title="Old uniform policy")
    PolicyReview.objects.create(
        policy=policy,
        reviewed_on=_today(),
        approved_on=_today(),
        next_review_on=_today() + datetime.timedelta(days=365),
    )
    client.force_login(world.user("senior_leader"))
    assert client.get(reverse("policies:policy-retire", args=[policy.pk])).status_code == 200
    assert client.post(reverse("policies:policy-retire", args=[policy.pk])).status_code == 302
    policy.refresh_from_db()
    assert policy.status == "retired" and policy.due_state() == "retired"
    event = AuditEvent.objects.get(
        object_type="policies.policy", object_id=str(policy.pk), action="update"
    )
    assert event.before["status"] == "current" and event.after["status"] == "retired"
    with pytest.raises(ValidationError):
        services.policy_record_review(
            actor=world.user("headteacher"), policy=policy, approved_on=_today()
        )

    assert client.get(reverse("policies:policy-delete", args=[policy.pk])).status_code == 200
    response = client.post(reverse("policies:policy-delete", args=[policy.pk]))
    assert response["Location"] == reverse("policies:school-register", args=[world.school_a1.pk])
    assert not Policy.objects.exists() and not PolicyReview.objects.exists()
    deleted = AuditEvent.objects.get(
        object_type="policies.policy", object_id=str(policy.pk), action="delete"
    )
    assert (
        deleted.before["title"] == "Old uniform policy" and deleted.school_id == world.school_a1.pk
    )
    assert (
        AuditEvent.objects.filter(object_type="policies.policyreview", action="delete").count() == 1
    )


# Who sees and edits what -------------------------------------------------------------------------


def test_visibility_and_editing_follow_scope(world, client):
    trust = world.trust_a
    mine = make_policy(trust, world.school_a1, title="A1 attendance")
    other_hub = make_policy(trust, world.school_a2, title="A2 attendance")
    trust_wide = make_policy(trust, None, title="Safeguarding and child protection")
    make_policy(world.trust_b, world.school_b1, title="B1 attendance")
    make_policy(world.trust_b, None, title="Trust B whistleblowing")

    def titles(role):
        return set(selectors.visible_policies(world.user(role)).values_list("title", flat=True))

    assert titles("local_governor") == {"A1 attendance", "Safeguarding and child protection"}
    assert titles("executive_headteacher") == {"A1 attendance", "Safeguarding and child protection"}
    assert titles("trustee") == {
        "A1 attendance",
        "A2 attendance",
        "Safeguarding and child protection",
    }
    assert titles("teacher") == set()
    # Editing: the school's leaders edit its policies; trust-wide ones are the trust's.
    assert services.may_edit(world.user("headteacher"), trust=trust, school=world.school_a1)
    assert not services.may_edit(world.user("headteacher"), trust=trust)
    assert not services.may_edit(
        world.user("executive_headteacher"), trust=trust, school=world.school_a2
    )
    assert services.may_edit(world.user("trust_administrator"), trust=trust)
    with pytest.raises(PermissionDenied):
        services.policy_update(actor=world.user("headteacher"), policy=trust_wide, title="Changed")
    with pytest.raises(PermissionDenied):
        services.policy_create(
            actor=world.user("local_governor"), trust=trust, school=world.school_a1, **_fields()
        )

    # The trust register of a headteacher: their school's and the trust-wide policies only.
    client.force_login(world.user("headteacher"))
    body = client.get(reverse("policies:trust-register", args=[trust.slug])).content.decode()
    assert "A1 attendance" in body and "Safeguarding and child protection" in body
    assert "A2 attendance" not in body and "A2 Primary" not in body and "Trust B" not in body
    assert "Add a policy" not in body  # trust-wide policies are added by trust-level editors
    assert client.get(reverse("policies:policy-detail", args=[other_hub.pk])).status_code == 404
    assert client.get(reverse("policies:policy-edit", args=[trust_wide.pk])).status_code == 403
    assert client.get(reverse("policies:policy-edit", args=[mine.pk])).status_code == 200
    # The school register shows the school's own and the trust-wide ones.
    client.force_login(world.user("local_governor"))
    body = client.get(
        reverse("policies:school-register", args=[world.school_a1.pk])
    ).content.decode()
    assert (
        "A1 attendance" in body
        and "Safeguarding and child protection" in body
        and "A2 attendance" not in body
    )
    assert client.get(reverse("policies:policy-detail", args=[trust_wide.pk])).status_code == 200
    # Filtering by a school outside one's scope shows nothing of it.
    client.force_login(world.user("headteacher"))
    body = client.get(
        reverse("policies:trust-register", args=[trust.slug]), {"school": world.school_a2.pk}
    ).content.decode()
    assert "A2 attendance" not in body


def test_trust_create_page_chooses_school_or_trust_wide(world, client):
    client.force_login(world.user("trust_administrator"))
    url = reverse("policies:trust-policy-create", args=[world.trust_a.slug])
    base = {**_fields(), "approved_on": _fields()["approved_on"].isoformat()}
    assert client.post(url, {**base, "title": "Pay"}).status_code == 302
    assert (
        client.post(url, {**base, "title": "A2 uniform", "school": world.school_a2.pk}).status_code
        == 302
    )
    assert dict(Policy.objects.values_list("title", "school_id")) == {
        "Pay": None,
        "A2 uniform": world.school_a2.pk,
    }


def test_edit_form_moves_a_computed_review_date(world, client):
    policy = make_policy(world.trust_a, world.school_a1, approved_days_ago=100)
    client.force_login(world.user("headteacher"))
    url = reverse("policies:policy-edit", args=[policy.pk])
    form = client.get(url).context["form"]
    assert form.initial["next_review_on"] is None  # computed, so not pinned by the form
    approved = _today() - datetime.timedelta(days=20)
    data = {
        **_fields(),
        "approved_on": approved.isoformat(),
        "review_every_months": 36,
        "next_review_on": "",
    }
    assert client.post(url, data).status_code == 302
    policy.refresh_from_db()
    assert policy.next_review_on == add_months(approved, 36)


# Home page ---------------------------------------------------------------------------------------


def test_attention_items_for_editors_in_scope(world):
    trust = world.trust_a
    make_policy(trust, world.school_a1, title="A1 overdue", **due_in(-3))
    make_policy(trust, world.school_a1, title="A1 due in 20 days", **due_in(20))
    make_policy(trust, world.school_a1, title="A1 due in 45 days", **due_in(45))
    make_policy(trust, world.school_a1, title="A1 retired", status="retired", **due_in(-30))
    make_policy(trust, world.school_a2, title="A2 overdue", **due_in(-5))
    make_policy(trust, None, title="Trust overdue", **due_in(-1))

    def titles(role):
        return [item.title for item in attention.items(world.user(role))]

    head = titles("headteacher")
    assert head == ["Policy review overdue: A1 overdue", "Policy review due: A1 due in 20 days"]
    assert set(titles("trust_leader")) == {
        "Policy review overdue: A2 overdue",
        "Policy review overdue: A1 overdue",
        "Policy review overdue: Trust overdue",
        "Policy review due: A1 due in 20 days",
    }
    assert set(titles("executive_headteacher")) == set(head)
    assert titles("local_governor") == [] and titles("trustee") == [] and titles("teacher") == []
    items = attention.items(world.user("headteacher"))
    assert items[0].severity == "overdue" and items[1].severity == "due"


def test_attention_query_count_does_not_grow(world):
    leader = world.user("trust_leader")
    grants_with(leader, "policy.edit")  # memberships are read once per request, elsewhere

    def count():
        with CaptureQueriesContext(connection) as queries:
            found = attention.items(leader)
        return len(queries), found

    make_policy(world.trust_a, world.school_a1, title="P0", **due_in(-1))
    few, found = count()
    assert few <= 2 and len(found) == 1
    for i in range(1, 30):
        make_policy(
            world.trust_a, world.school_a2 if i % 2 else None, title=f"P{i}", **due_in(i % 25)
        )
    many, found = count()
    assert many <= 2
    assert len(found) == attention.LIMIT + 1 and found[-1].title.startswith(
        f"{30 - attention.LIMIT} more"
    )


# Governance agendas ------------------------------------------------------------------------------


def test_agenda_lists_policies_due_of_the_right_school(world, client):
    from trustwide.governance import agenda
    from trustwide.governance.models import AgendaItem
    from trustwide.governance.tests.factories import board, lgc, meeting
    from trustwide.trusts.models import AcademicYear, Term

    trust = world.trust_a
    year = AcademicYear.objects.create(trust=trust, start_year=2036)
    Term.objects.create(
        academic_year=year, name="autumn", starts_on=D(2036, 9, 2), ends_on=D(2036, 12, 19)
    )
    Term.objects.create(
        academic_year=year, name="spring", starts_on=D(2037, 1, 5), ends_on=D(2037, 4, 2)
    )
    held_on = D(2037, 1, 20)
    for title, school, next_review_on, status in [
        ("A1 overdue", world.school_a1, D(2036, 12, 1), "current"),
        ("A1 due this term", world.school_a1, D(2037, 3, 30), "under_review"),
        ("A1 due next term", world.school_a1, D(2037, 4, 20), "current"),
        ("A1 retired", world.school_a1, D(2037, 2, 1), "retired"),
        ("A2 due this term", world.school_a2, D(2037, 2, 1), "current"),
        ("Trust-wide due this term", None, D(2037, 2, 1), "current"),
    ]:
        make_policy(trust, school, title=title, next_review_on=next_review_on, status=status)
    make_policy(world.trust_b, None, title="Trust B due", next_review_on=D(2037, 2, 1))

    governor = world.user("local_governor")
    lgc_meeting = meeting(lgc(world.school_a1, governor), held_on=held_on)
    item = lgc_meeting.agenda_items.get(kind="policies_due")
    data = agenda.item_data(governor, lgc_meeting, item)
    assert [row.title for row in data.rows] == [
        "Policy review: A1 overdue",
        "Policy review: A1 due this term",
    ]
    assert [row.overdue for row in data.rows] == [True, False]
    assert "02/04/2037" in data.note

    trustee = world.user("trustee")
    board_meeting = meeting(board(trust, trustee), held_on=held_on)
    data = agenda.item_data(
        trustee, board_meeting, board_meeting.agenda_items.get(kind="policies_due")
    )
    assert [row.title for row in data.rows] == ["Policy review: Trust-wide due this term"]
    # A board item pointed at one school shows that school's.
    a2_item = AgendaItem.objects.create(
        meeting=board_meeting,
        number=9,
        kind="policies_due",
        title="A2 policies",
        school=world.school_a2,
    )
    assert [r.title for r in agenda.item_data(trustee, board_meeting, a2_item).rows] == [
        "Policy review: A2 due this term"
    ]

    client.force_login(governor)
    body = client.get(reverse("governance:meeting-detail", args=[lgc_meeting.pk])).content.decode()
    assert "Policy review: A1 overdue" in body and "A2 due this term" not in body


# Pages: query caps and the Excel export ----------------------------------------------------------


def _many(world, n, start=0):
    for i in range(start, start + n):
        school = [world.school_a1, world.school_a2, None][i % 3]
        make_policy(
            world.trust_a,
            school,
            title=f"Policy {i}",
            owner=world.user("headteacher"),
            **due_in(i * 7 - 30),
        )


def test_register_pages_query_counts_do_not_grow(world, client):
    trust_url = reverse("policies:trust-register", args=[world.trust_a.slug])
    school_url = reverse("policies:school-register", args=[world.school_a1.pk])
    pages = [
        (trust_url, {}),
        (trust_url, {"category": "behaviour", "due": "overdue"}),
        (school_url, {}),
        (reverse("policies:trust-export", args=[world.trust_a.slug]), {}),
    ]
    client.force_login(world.user("trust_leader"))

    def counts():
        out = []
        for url, query in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, query).status_code == 200
            out.append(len(queries))
        return out

    _many(world, 3)
    client.get(trust_url)  # the first page of a session records when it was last seen (one write)
    few = counts()
    _many(world, 60, start=3)
    many = counts()
    assert many == few, f"query counts grew with the rows: {few} -> {many}"
    assert max(many) <= 14, many
    body = client.get(trust_url).content.decode()
    assert "Policy 62" in body and "Policy 61" in body
    body = client.get(school_url).content.decode()
    assert "Policy 60" in body and "Policy 62" in body  # A1's and a trust-wide one
    assert "Policy 61" not in body  # A2's
    # htmx filtering gets the table fragment only.
    fragment = client.get(trust_url, {"due": "overdue"}, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="policy-register">') and "<html" not in fragment


def test_excel_export_reads_back(world, client):
    from openpyxl import load_workbook

    make_policy(
        world.trust_a,
        None,
        title="Safeguarding and child protection",
        category="safeguarding",
        statutory=True,
        **due_in(-2),
    )
    make_policy(world.trust_a, world.school_a1, title="Attendance", **due_in(200))
    make_policy(world.trust_a, world.school_a2, title="Careers guidance", **due_in(10))
    make_policy(world.trust_b, None, title="Trust B policy")
    client.force_login(world.user("trust_leader"))
    response = client.get(reverse("policies:trust-export", args=[world.trust_a.slug]))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxml"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("School", "Title", "Category", "Statutory")
    by_title = {row[1]: row for row in rows[1:]}
    assert set(by_title) == {"Safeguarding and child protection", "Attendance", "Careers guidance"}
    safeguarding = by_title["Safeguarding and child protection"]
    assert (
        safeguarding[0] == "Trust-wide"
        and safeguarding[3] == "Yes"
        and safeguarding[9] == "Overdue"
    )
    assert safeguarding[8].date() == _today() - datetime.timedelta(days=2)
    assert by_title["Careers guidance"][0] == "A2 Primary" and by_title["Careers guidance"][
        9
    ].startswith("Due")
    # Filters apply to the export too; a governor's export holds only what they see.
    response = client.get(
        reverse("policies:trust-export", args=[world.trust_a.slug]), {"due": "overdue"}
    )
    assert [
        r[1]
        for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(
            min_row=2, values_only=True
        )
    ] == ["Safeguarding and child protection"]
    client.force_login(world.user("local_governor"))
    response = client.get(reverse("policies:school-export", args=[world.school_a1.pk]))
    titles = {
        r[1]
        for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(
            min_row=2, values_only=True
        )
    }
    assert titles == {"Safeguarding and child protection", "Attendance"}


def test_links_on_trust_and_school_pages(world):
    from trustwide.policies import links

    assert links.school_links(world.user("local_governor"), world.school_a1)[0][1] == "Policies"
    assert links.school_links(world.user("teacher"), world.school_a1) == []
    assert links.trust_links(world.user("trustee"), world.trust_a)[0][0] == reverse(
        "policies:trust-register", args=[world.trust_a.slug]
    )
    assert links.trust_links(world.user("trust_data_manager"), world.trust_a) == []
