import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.world import make_user
from trustwide.governance import cycle, digest, ical, selectors, services
from trustwide.governance.models import (
    AgendaItem,
    Attendance,
    BodyMember,
    CycleItem,
    CycleTask,
    GoverningBody,
    MinuteEntry,
    SkillRating,
)
from trustwide.trusts.models import AcademicYear, Term

from .factories import board, lgc, meeting

pytestmark = pytest.mark.django_db


def test_attendance_figures_on_known_meetings(world):
    gov = world.user("local_governor")
    head = world.user("headteacher")
    late = make_user("late_joiner")
    body = lgc(world.school_a1, gov, head)
    today = timezone.localdate()
    BodyMember.objects.create(body=body, user=late, starts_on=today - datetime.timedelta(days=5))
    m1 = meeting(body, held_on=today - datetime.timedelta(days=60))
    m2 = meeting(body, held_on=today - datetime.timedelta(days=30))
    m3 = meeting(body, held_on=today - datetime.timedelta(days=1))
    meeting(
        body, held_on=today + datetime.timedelta(days=20), status="planned"
    )  # not held: not counted
    for m, gov_status, head_status in (
        (m1, "present", "present"),
        (m2, "apologies", "present"),
        (m3, "present", "absent"),
    ):
        Attendance.objects.create(meeting=m, user=gov, status=gov_status)
        Attendance.objects.create(meeting=m, user=head, status=head_status)
    Attendance.objects.create(meeting=m3, user=late, status="present")
    MinuteEntry.objects.create(
        meeting=m1, kind="question", text="Why has reading dipped?", raised_by=gov
    )
    MinuteEntry.objects.create(
        meeting=m3, kind="challenge", text="Is the PP plan working?", raised_by=gov
    )
    MinuteEntry.objects.create(meeting=m3, kind="decision", text="Agreed", raised_by=gov)

    rows, total = selectors.attendance_figures([body.pk])[body.pk]
    by_user = {r.member.user_id: r for r in rows}
    g, h, lj = by_user[gov.pk], by_user[head.pk], by_user[late.pk]
    assert (g.expected, g.present, g.apologies, g.absent, g.rate, g.questions) == (
        3,
        2,
        1,
        0,
        66.7,
        2,
    )
    assert (h.expected, h.present, h.absent, h.rate) == (3, 2, 1, 66.7)
    assert (lj.expected, lj.present, lj.rate) == (
        1,
        1,
        100.0,
    )  # only meetings during the term of office
    assert (total.expected, total.present, total.rate, total.questions) == (7, 5, 71.4, 2)


def test_skills_gap_computation(world):
    gov, head = world.user("local_governor"), world.user("headteacher")
    body = lgc(world.school_a1, gov, head)
    other = lgc(world.school_a2, world.user("teacher"))
    start = 2025
    for user, ratings in (
        (gov, {"finance": 4, "safeguarding": 2, "send": 3}),
        (head, {"finance": 3, "safeguarding": 2, "education": 4}),
    ):
        for skill, r in ratings.items():
            SkillRating.objects.create(
                trust=world.trust_a, user=user, start_year=start, skill=skill, rating=r
            )
    picture = selectors.skills_picture(world.trust_a, [body, other], start, timezone.localdate())
    cov = {c.code: c for c in picture.by_body[body.pk]}
    assert (
        cov["finance"].status == "covered"
        and cov["finance"].strong == 2
        and cov["finance"].average == 3.5
    )
    assert cov["send"].status == "thin"
    assert cov["safeguarding"].status == "gap" and cov["safeguarding"].rated == 2
    assert cov["legal"].status == "gap" and cov["legal"].rated == 0
    assert picture.responded == {body.pk: 2, other.pk: 0}
    assert picture.gaps_by_skill["safeguarding"] == 2 and picture.gaps_by_skill["finance"] == 1
    trust_cov = {c.code: c for c in picture.trust_wide}
    assert trust_cov["education"].status == "thin"


def test_skills_audit_is_own_and_for_members_only(world):
    gov = world.user("local_governor")
    with pytest.raises(ValidationError):
        services.skills_save(
            actor=gov, user=gov, trust=world.trust_a, start_year=2025, ratings={"finance": 3}
        )
    lgc(world.school_a1, gov)
    assert (
        services.skills_save(
            actor=gov,
            user=gov,
            trust=world.trust_a,
            start_year=2025,
            ratings={"finance": 3, "risk": 2},
        )
        == 2
    )
    services.skills_save(
        actor=gov, user=gov, trust=world.trust_a, start_year=2025, ratings={"finance": 4}
    )
    assert SkillRating.objects.get(user=gov, skill="finance").rating == 4


def test_member_without_body_is_rejected(world):
    with pytest.raises(ValidationError) as exc:
        services.member_add(
            actor=world.user("trust_administrator"),
            body=None,
            user=world.user("local_governor"),
            role="member",
            starts_on=timezone.localdate(),
        )
    assert "Choose the governing body" in str(exc.value)
    assert not BodyMember.objects.exists()


def test_member_form_without_body_shows_error(world, client):
    client.force_login(world.user("trust_administrator"))
    response = client.post(
        reverse("governance:member-add", args=[world.trust_a.slug]),
        {
            "user": world.user("local_governor").pk,
            "role": "member",
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400 and "Choose the governing body" in response.content.decode()
    assert not BodyMember.objects.exists()


def test_member_needs_a_role_in_the_school(world):
    body = lgc(world.school_a2)
    with pytest.raises(ValidationError) as exc:
        services.member_add(
            actor=world.user("trust_administrator"),
            body=body,
            user=world.user("local_governor"),
            role="member",
            starts_on=timezone.localdate(),
        )
    assert "holds no current role" in str(exc.value)


def test_agenda_item_pointing_at_another_schools_data(world, client):
    body = lgc(world.school_a1, world.user("local_governor"))
    m = meeting(body, items=False)
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_add(
            actor=world.user("trust_leader"),
            meeting=m,
            kind="kpis",
            title="KPIs",
            school=world.school_a2,
        )
    assert "its own school's data" in str(exc.value)
    client.force_login(world.user("local_governor"))
    response = client.post(
        reverse("governance:agenda-item-add", args=[m.pk]),
        {"kind": "risks", "title": "Risks", "school": world.school_b1.pk},
    )
    assert response.status_code == 400
    assert not AgendaItem.objects.exists()


def test_meeting_agenda_built_from_standard_items(world, client, django_assert_max_num_queries):
    from trustwide.risks.tests.factories import make_risk

    body = lgc(world.school_a1, world.user("local_governor"))
    m = services.meeting_create(
        actor=world.user("trust_administrator"),
        body=body,
        held_on=timezone.localdate(),
        title="Spring LGC",
        standard_items=["risks", "heads_report", "plan_rag", "kpis", "policies_due"],
    )
    assert [(i.number, i.kind) for i in m.agenda_items.all()] == [
        (1, "heads_report"),
        (2, "plan_rag"),
        (3, "kpis"),
        (4, "risks"),
        (5, "policies_due"),
    ]
    assert all(i.school_id == world.school_a1.pk for i in m.agenda_items.all())
    make_risk(world.trust_a, world.school_a1, title="Cyber attack")
    client.force_login(world.user("local_governor"))
    with django_assert_max_num_queries(40):
        response = client.get(reverse("governance:meeting-detail", args=[m.pk]))
    body_text = response.content.decode()
    assert response.status_code == 200 and "Cyber attack" in body_text


def test_body_and_trust_pages_query_counts(world, client, django_assert_max_num_queries):
    trustee = world.user("trustee")
    b = board(world.trust_a, trustee)
    lgc(world.school_a1, world.user("local_governor"))
    meeting(b, held_on=timezone.localdate() - datetime.timedelta(days=2))
    client.force_login(trustee)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("governance:trust", args=[world.trust_a.slug])).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("governance:body-detail", args=[b.pk])).status_code == 200
    for i in range(10):
        lgc(world.school_a2 if i % 2 else world.school_a1)
        GoverningBody.objects.create(trust=world.trust_a, kind="committee", name=f"Committee {i}")
        meeting(b, held_on=timezone.localdate() - datetime.timedelta(days=3 + i))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("governance:trust", args=[world.trust_a.slug])).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("governance:body-detail", args=[b.pk])).status_code == 200


def _year(start=2026):
    trust = AcademicYear.objects.first().trust
    year = AcademicYear.objects.create(trust=trust, start_year=start + 10)
    # 2036/37: terms with known weekdays.
    Term.objects.create(
        academic_year=year,
        name="autumn",
        starts_on=datetime.date(start + 10, 9, 2),
        ends_on=datetime.date(start + 10, 12, 19),
    )
    Term.objects.create(
        academic_year=year,
        name="spring",
        starts_on=datetime.date(start + 11, 1, 5),
        ends_on=datetime.date(start + 11, 4, 2),
    )
    Term.objects.create(
        academic_year=year,
        name="summer",
        starts_on=datetime.date(start + 11, 4, 20),
        ends_on=datetime.date(start + 11, 7, 22),
    )
    return year


def test_calendar_expansion_for_an_academic_year(world):
    year = _year(2026)  # the 2036/37 academic year
    terms = list(year.terms.all())
    once_april = CycleItem(
        trust=world.trust_a,
        title="Draft trust plan",
        role="trust_leader",
        frequency="once",
        month=4,
        day=1,
    )
    once_sept = CycleItem(
        trust=world.trust_a,
        title="Plans agreed",
        role="local_governor",
        frequency="once",
        month=9,
        day=30,
    )
    feb = CycleItem(
        trust=world.trust_a, title="Check", role="headteacher", frequency="once", month=2, day=31
    )
    monthly = CycleItem(
        trust=world.trust_a,
        title="Compliance check",
        role="headteacher",
        frequency="monthly",
        day=1,
    )
    termly = CycleItem(
        trust=world.trust_a,
        title="RAG to governors",
        role="headteacher",
        frequency="termly",
        days_before_term_end=10,
    )
    # April and September fall in the right calendar year.
    assert cycle.due_dates(once_april, year, terms) == [datetime.date(2037, 4, 1)]  # a Wednesday
    assert cycle.due_dates(once_sept, year, terms) == [datetime.date(2036, 9, 30)]  # a Tuesday
    # 31 February is the month's last day (28/02/2037, a Saturday) moved back to Friday 27th.
    assert cycle.due_dates(feb, year, terms) == [datetime.date(2037, 2, 27)]
    dates = cycle.due_dates(monthly, year, terms)
    assert (
        len(dates) == 12
        and dates[0] == datetime.date(2036, 9, 1)
        and dates[-1].month == 8
        and len({d.month for d in dates}) == 12
    )
    assert all(d.weekday() < 5 for d in dates)
    # 1 November 2036 is a Saturday: the Friday before is in October, so Monday 3 November;
    # likewise 1 August 2037 (a Saturday) becomes Monday 3 August.
    assert datetime.date(2036, 11, 3) in dates and dates[-1] == datetime.date(2037, 8, 3)
    termly_dates = cycle.due_dates(termly, year, terms)
    assert termly_dates == [
        datetime.date(2036, 12, 9),
        datetime.date(2037, 3, 23),
        datetime.date(2037, 7, 10),
    ]
    # 2037-03-23 is 10 days before 2 April (a Monday); 12/07/2037 is a Sunday -> Friday 10/07.


def test_cycle_generate_per_school_and_role_idempotent(world):
    leader = world.user("trust_leader")
    year = world.trust_a.academic_years.get(is_current=True)
    services.cycle_item_create(
        actor=leader,
        trust=world.trust_a,
        title="Plans agreed",
        role="local_governor",
        frequency="once",
        month=9,
        day=30,
        per_school=True,
    )
    services.cycle_item_create(
        actor=leader,
        trust=world.trust_a,
        title="Monthly compliance",
        role="headteacher",
        frequency="monthly",
        day=1,
        per_school=True,
        category="compliance",
    )
    services.cycle_item_create(
        actor=leader,
        trust=world.trust_a,
        title="Draft trust plan",
        role="trust_leader",
        frequency="once",
        month=4,
        day=1,
        per_school=False,
    )
    assert (
        services.cycle_generate(actor=leader, trust=world.trust_a, academic_year=year) == 2 + 24 + 1
    )
    assert services.cycle_generate(actor=leader, trust=world.trust_a, academic_year=year) == 0
    gov_tasks = list(selectors.tasks_for(world.user("local_governor")))
    assert [(t.title, t.school_id) for t in gov_tasks] == [("Plans agreed", world.school_a1.pk)]
    assert selectors.tasks_for(world.user("trust_leader")).filter(school__isnull=True).count() == 1
    assert selectors.tasks_for(world.user("executive_headteacher")).count() == 0  # not their role
    with pytest.raises(ValidationError):
        services.cycle_item_create(
            actor=leader,
            trust=world.trust_a,
            title="No month",
            role="headteacher",
            frequency="once",
        )


def _tasks_for_head(world, today):
    item = CycleItem.objects.create(
        trust=world.trust_a,
        title="Safeguarding audit",
        role="headteacher",
        month=1,
        category="compliance",
    )
    year = world.trust_a.academic_years.get(is_current=True)
    for title, delta in (
        ("Safeguarding audit", -3),
        ("Appraisal targets set", 4),
        ("Far away", 40),
    ):
        CycleTask.objects.create(
            item=item,
            trust=world.trust_a,
            academic_year=year,
            school=world.school_a1,
            role="headteacher",
            title=title,
            due_on=today + datetime.timedelta(days=delta),
        )
    CycleTask.objects.create(
        item=item,
        trust=world.trust_a,
        academic_year=year,
        school=world.school_a1,
        role="headteacher",
        title="Done already",
        due_on=today - datetime.timedelta(days=1),
        completed_on=today,
    )
    CycleTask.objects.create(
        item=item,
        trust=world.trust_a,
        academic_year=year,
        school=world.school_a2,
        role="headteacher",
        title="Other school's",
        due_on=today,
    )


def test_digest_content_for_due_and_overdue_tasks(world):
    today = timezone.localdate()
    _tasks_for_head(world, today)
    head = world.user("headteacher")
    d = digest.digest_for(head, today)
    assert d.subject == "Trustwide weekly digest: 1 overdue, 1 due this week"
    assert "Overdue tasks:\n  - Safeguarding audit (A1 Primary), was due" in d.body
    assert "Due in the next 7 days:\n  - Appraisal targets set (A1 Primary), due" in d.body
    for absent in ("Far away", "Done already", "Other school's"):
        assert absent not in d.body
    assert digest.digest_for(world.user("teacher"), today) is None
    sent = digest.send_digests([head, world.user("teacher")], today)
    assert sent == 1 and len(mail.outbox) == 1 and mail.outbox[0].to == [head.email]


def test_digest_command(world, capsys):
    from django.core.management import call_command

    _tasks_for_head(world, timezone.localdate())
    call_command("digest")
    assert "Sent 1 digest(s)." in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_home_page_shows_due_and_overdue_tasks(world, client):
    _tasks_for_head(world, timezone.localdate())
    client.force_login(world.user("headteacher"))
    text = client.get(reverse("accounts:home")).content.decode()
    assert "Overdue: Safeguarding audit" in text and "Due: Appraisal targets set" in text
    assert "Far away" not in text


def test_task_complete(world, client):
    _tasks_for_head(world, timezone.localdate())
    task = CycleTask.objects.get(title="Safeguarding audit")
    client.force_login(world.user("headteacher"))
    assert client.post(reverse("governance:task-complete", args=[task.pk])).status_code == 302
    task.refresh_from_db()
    assert task.completed_on == timezone.localdate()


def test_ical_feed_valid_and_rotatable(world, client):
    today = timezone.localdate()
    _tasks_for_head(world, today)
    head = world.user("headteacher")
    body = lgc(world.school_a1, head)
    meeting(body, held_on=today + datetime.timedelta(days=3), status="planned")
    token = services.calendar_token_for(head).token
    response = client.get(reverse("governance:calendar-feed", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VCALENDAR\r\n")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in lines)
    assert (
        text.count("BEGIN:VEVENT") == text.count("END:VEVENT") == 5
    )  # 4 of their tasks (one done) + 1 meeting
    assert "SUMMARY:Safeguarding audit" in text and "Other school" not in text
    assert all(
        ("DTSTAMP:" in e and "UID:" in e and "DTSTART;VALUE=DATE:" in e)
        for e in text.split("BEGIN:VEVENT")[1:]
    )
    client.force_login(head)
    client.post(reverse("governance:calendar"))
    client.logout()
    assert client.get(reverse("governance:calendar-feed", args=[token])).status_code == 404
    assert client.get(reverse("governance:calendar-feed", args=["nope"])).status_code == 404


def test_ical_escaping_and_folding(world):
    """Commas, semicolons, backslashes, new lines and long non-ASCII titles survive the feed:
    the lines are folded at 75 octets and a calendar parser reads back exactly what we wrote."""
    import icalendar

    head = world.user("headteacher")
    body = lgc(world.school_a1, head)
    title = "Budget; staffing, and \\ review\nsecond line " + "é" * 80
    m = meeting(
        body,
        held_on=timezone.localdate() + datetime.timedelta(days=2),
        status="planned",
        items=False,
    )
    type(m).objects.filter(pk=m.pk).update(title=title)
    text = ical.calendar_for(head)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "\\;" in text and "\\," in text
    events = [
        e
        for e in icalendar.Calendar.from_ical(text).walk("VEVENT")
        if str(e["uid"]).startswith("meeting-")
    ]
    assert [str(e["summary"]) for e in events] == [f"{body.name}: {title}"]
    assert events[0].decoded("dtstart") == timezone.localdate() + datetime.timedelta(days=2)
    assert events[0].decoded("dtstamp").tzinfo is not None  # DTSTAMP in UTC


def test_visit_linked_to_plan_priority_of_same_school(world):
    from trustwide.planning.tests.factories import plan_for

    gov = world.user("local_governor")
    own = plan_for(world.school_a1).priorities.first()
    other = plan_for(world.school_a2).priorities.first()
    visit = services.visit_create(
        actor=gov,
        school=world.school_a1,
        governor=gov,
        visited_on=timezone.localdate(),
        focus="Reading",
        findings="Strong phonics",
        priority=own,
    )
    assert visit.priority == own
    with pytest.raises(ValidationError):
        services.visit_create(
            actor=gov,
            school=world.school_a1,
            governor=gov,
            visited_on=timezone.localdate(),
            focus="Reading",
            findings="x",
            priority=other,
        )


def test_action_tracked_to_completion(world):
    gov = world.user("local_governor")
    body = lgc(world.school_a1, gov)
    m = meeting(body)
    action = services.action_add(
        actor=gov,
        meeting=m,
        description="Review SEND report",
        owner=gov,
        due_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert [a.description for a in selectors.open_actions_owned(gov, timezone.localdate())] == [
        "Review SEND report"
    ]
    services.action_complete(actor=gov, action=action)
    assert selectors.open_actions_owned(gov, timezone.localdate()) == []


def test_home_items_in_one_query(world, django_assert_num_queries):
    from trustwide.governance import attention
    from trustwide.risks.tests.factories import make_risk

    today = timezone.localdate()
    _tasks_for_head(world, today)
    head = world.user("headteacher")
    risk = make_risk(world.trust_a, world.school_a1, title="Boiler")
    risk.owner, risk.review_on = head, today - datetime.timedelta(days=2)
    risk.save()
    body = lgc(world.school_a1, head)
    services.action_add(
        actor=None,
        meeting=meeting(body),
        description="Send the report",
        owner=head,
        due_on=today + datetime.timedelta(days=2),
    )
    head.memberships.first()  # grants are read once per request; read them first
    attention.items(head)
    with django_assert_num_queries(1):
        found = attention.items(head)
    titles = [a.title for a in found]
    assert "Overdue: Safeguarding audit" in titles and "Due: Appraisal targets set" in titles
    assert (
        "Risk review overdue: Boiler" in titles
        and "Governance action due: Send the report" in titles
    )
    assert not any("Far away" in t or "Other school" in t for t in titles)


def test_home_items_for_user_without_roles(world):
    from trustwide.governance import attention

    assert attention.items(make_user("nobody")) == []


def test_board_agenda_risks_say_which_school(world, client):
    """On a trust board agenda the rolled-up school risks name their school (several schools
    often carry a risk with the same title)."""
    from trustwide.risks.tests.factories import make_risk

    b = board(world.trust_a, world.user("trustee"))
    m = services.meeting_create(
        actor=world.user("trust_administrator"),
        body=b,
        held_on=timezone.localdate(),
        title="Board",
        standard_items=["risks"],
    )
    for school in (world.school_a1, world.school_a2):
        risk = make_risk(world.trust_a, school, title="Falling rolls")
        risk.residual_likelihood, risk.residual_impact = 5, 5
        risk.save()
    client.force_login(world.user("trustee"))
    html = client.get(reverse("governance:meeting-detail", args=[m.pk])).content.decode()
    assert html.count("Falling rolls") == 2
    assert world.school_a1.name in html and world.school_a2.name in html
