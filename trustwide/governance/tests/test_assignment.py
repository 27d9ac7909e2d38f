"""Cycle tasks assigned to named people: who may assign, who may be named, who then sees the
task (lists, home page, digest, calendar), and the overview pages' query counts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.world import grant, make_user
from trustwide.audit.models import AuditEvent
from trustwide.governance import attention, digest, ical, selectors, services
from trustwide.governance.models import CycleItem, CycleTask

pytestmark = pytest.mark.django_db


def _task(world, *, school=None, role="headteacher", title="Safeguarding audit", days=2, item=None):
    year = world.trust_a.academic_years.get(is_current=True)
    item = item or CycleItem.objects.create(trust=world.trust_a, title=title, role=role, month=1)
    return CycleTask.objects.create(
        item=item,
        trust=world.trust_a,
        academic_year=year,
        school=school if school is not None else world.school_a1,
        role=role,
        title=title,
        due_on=timezone.localdate() + datetime.timedelta(days=days),
    )


@pytest.fixture
def second_head(world):
    """Another headteacher of A1 (co-heads), so the role has two holders there."""
    user = make_user("co_head")
    grant(user, "headteacher", trust=world.trust_a, school=world.school_a1)
    return user


def _titles(user):
    return {t.title for t in selectors.tasks_for(user)}


def test_assigned_task_shows_only_for_the_assignee(world, second_head):
    head = world.user("headteacher")
    assigned = _task(world, title="Appraisal targets set")
    _task(world, title="Safeguarding audit", item=assigned.item, days=3)
    services.task_assign(actor=world.user("trust_leader"), task=assigned, assignee=second_head)
    # The assignee sees it; the other holder of the role does not; unassigned: both.
    assert _titles(second_head) == {"Appraisal targets set", "Safeguarding audit"}
    assert _titles(head) == {"Safeguarding audit"}
    # The trust leader, whose role it is not, sees neither in their own list.
    assert _titles(world.user("trust_leader")) == set()
    today = timezone.localdate()
    overdue, due = selectors.due_tasks(head, today, 7)
    assert [t.title for t in overdue + due] == ["Safeguarding audit"]
    overdue, due = selectors.due_tasks(second_head, today, 7)
    assert [t.title for t in due] == ["Appraisal targets set", "Safeguarding audit"]
    # The digest, home page and calendar read the same rule.
    assert "Appraisal targets set" not in digest.digest_for(head, today).body
    assert "Appraisal targets set" in digest.digest_for(second_head, today).body
    assert not any("Appraisal" in a.title for a in attention.items(head))
    assert any("Appraisal" in a.title for a in attention.items(second_head))
    assert "Appraisal targets set" not in ical.calendar_for(head)
    assert "Appraisal targets set" in ical.calendar_for(second_head)


def test_assignee_who_leaves_the_trust_no_longer_sees_it(world, second_head):
    task = _task(world)
    services.task_assign(actor=world.user("headteacher"), task=task, assignee=second_head)
    membership = second_head.memberships.get()
    membership.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    membership.save()
    second_head.__dict__.pop("_trustwide_grants", None)
    assert _titles(second_head) == set()


def test_only_the_assignee_or_a_trust_leader_completes_an_assigned_task(world, second_head, client):
    task = _task(world)
    services.task_assign(actor=world.user("headteacher"), task=task, assignee=second_head)
    task.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.task_complete(actor=world.user("headteacher"), task=task)
    client.force_login(world.user("headteacher"))
    assert client.post(reverse("governance:task-complete", args=[task.pk])).status_code == 404
    client.force_login(second_head)
    assert client.post(reverse("governance:task-complete", args=[task.pk])).status_code == 302
    assert CycleTask.objects.get(pk=task.pk).completed_by == second_head


def test_assign_needs_a_holder_of_the_role_and_an_allowed_assigner(world, second_head):
    task = _task(world)
    with pytest.raises(ValidationError) as exc:
        services.task_assign(
            actor=world.user("trust_leader"), task=task, assignee=world.user("teacher")
        )
    assert "does not hold the role headteacher at A1 Primary" in str(exc.value)
    other_school = make_user("a2_head")
    grant(other_school, "headteacher", trust=world.trust_a, school=world.school_a2)
    with pytest.raises(ValidationError):
        services.task_assign(actor=world.user("trust_leader"), task=task, assignee=other_school)
    for role in ("teacher", "local_governor", "trustee", "trust_administrator"):
        with pytest.raises(PermissionDenied):
            services.task_assign(actor=world.user(role), task=task, assignee=second_head)
    assert CycleTask.objects.get(pk=task.pk).assignee is None
    assert not AuditEvent.objects.filter(object_type="governance.cycletask").exists()
    # The school's leaders and the EHT of its hub may.
    for role in ("senior_leader", "executive_headteacher", "headteacher"):
        services.task_assign(
            actor=world.user(role),
            task=task,
            assignee=None if role == "senior_leader" else second_head,
        )
    a2_task = _task(world, school=world.school_a2)
    with pytest.raises(PermissionDenied):  # the A1 head is not a leader of A2
        services.task_assign(actor=world.user("headteacher"), task=a2_task, assignee=other_school)


def test_assign_is_audited_and_can_cover_the_items_other_open_tasks(world, second_head):
    first = _task(world, days=2)
    second = _task(world, item=first.item, days=32)
    done = _task(world, item=first.item, days=-20)
    done.completed_on = timezone.localdate()
    done.save()
    elsewhere = _task(world, item=first.item, school=world.school_a2, days=2)
    head = world.user("headteacher")
    assert services.task_assign(actor=head, task=first, assignee=second_head, all_open=True) == 2
    assert {t.pk for t in CycleTask.objects.filter(assignee=second_head)} == {first.pk, second.pk}
    assert CycleTask.objects.get(pk=elsewhere.pk).assignee is None
    events = AuditEvent.objects.filter(object_type="governance.cycletask", action="assign")
    assert sorted(int(e.object_id) for e in events) == sorted([first.pk, second.pk])
    event = events.get(object_id=str(first.pk))
    assert event.before["assignee_id"] is None and event.after["assignee_id"] == second_head.pk
    assert event.school_id == world.school_a1.pk
    # Back to everyone with the role; a done task has nothing left to assign.
    assert (
        services.task_assign(actor=head, task=CycleTask.objects.get(pk=first.pk), assignee=None)
        == 1
    )
    with pytest.raises(ValidationError):
        services.task_assign(actor=head, task=done, assignee=second_head)


def test_trust_level_task_is_assigned_among_the_trusts_holders(world):
    other_leader = make_user("director_of_education")
    grant(other_leader, "trust_leader", trust=world.trust_a)
    task = _task(world, school=None, role="trust_leader", title="Draft the trust plan")
    task.school = None
    task.save()
    assert set(selectors.role_holders(task)) == {world.user("trust_leader"), other_leader}
    with pytest.raises(PermissionDenied):  # a head leads a school, not trust-level tasks
        services.task_assign(actor=world.user("headteacher"), task=task, assignee=other_leader)
    services.task_assign(actor=world.user("trust_leader"), task=task, assignee=other_leader)
    assert (
        _titles(other_leader) == {"Draft the trust plan"}
        and _titles(world.user("trust_leader")) == set()
    )


def test_assign_page(world, second_head, client):
    task = _task(world)
    client.force_login(world.user("headteacher"))
    url = reverse("governance:task-assign", args=[task.pk])
    page = client.get(url).content.decode()
    assert "Co Head" in page and "Teacher" not in page.split("<form")[1]  # only holders of the role
    response = client.post(url, {"assignee": world.user("teacher").pk})
    assert response.status_code == 400 and CycleTask.objects.get(pk=task.pk).assignee is None
    response = client.post(url, {"assignee": second_head.pk})
    assert response.status_code == 302 and response["Location"] == reverse(
        "governance:school-tasks", args=[world.school_a1.pk]
    )
    assert CycleTask.objects.get(pk=task.pk).assignee == second_head
    overview = client.get(response["Location"]).content.decode()
    assert "Safeguarding audit" in overview and "Co Head" in overview


@pytest.mark.parametrize("page", ["school", "trust"])
def test_task_overviews_do_not_grow_queries_with_rows(world, client, page):
    school = world.school_a1 if page == "school" else None
    role = "headteacher" if page == "school" else "trust_leader"
    item = CycleItem.objects.create(
        trust=world.trust_a, title="Monthly check", role=role, frequency="monthly"
    )
    assignee = world.user(role)
    url = (
        reverse("governance:school-tasks", args=[world.school_a1.pk])
        if page == "school"
        else reverse("governance:trust-tasks", args=[world.trust_a.slug])
    )
    client.force_login(world.user("trust_leader"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url + "?done=1")
        assert response.status_code == 200
        return len(queries)

    task = _task(world, school=school, role=role, item=item)
    task.school = school
    task.save()
    count()  # the first page of a session records when it was last seen (one session write)
    few = count()
    for i in range(30):
        t = _task(world, school=school, role=role, item=item, days=5 + i)
        t.school, t.assignee = school, assignee if i % 2 else None
        t.completed_on = timezone.localdate() if i % 3 == 0 else None
        t.completed_by = assignee if i % 3 == 0 else None
        t.save()
    assert count() == few
    assert few <= 12


def test_links_to_assignment_only_for_those_who_may(world, client):
    _task(world)
    client.force_login(world.user("headteacher"))
    school_page = client.get(
        reverse("trusts:school-detail", args=[world.school_a1.pk])
    ).content.decode()
    assert reverse("governance:school-tasks", args=[world.school_a1.pk]) in school_page
    client.force_login(world.user("teacher"))
    school_page = client.get(
        reverse("trusts:school-detail", args=[world.school_a1.pk])
    ).content.decode()
    assert reverse("governance:school-tasks", args=[world.school_a1.pk]) not in school_page


def test_cycle_page_lists_overdue_tasks_assigned_or_not(world, client, second_head):
    """The trust's cycle page shows each overdue task with who it is assigned to (the demo
    found a page error when an overdue task had nobody named)."""
    unassigned = _task(world, title="Safeguarding audit", days=-5)
    named = _task(world, title="Appraisal targets set", days=-2)
    named.assignee = second_head
    named.save()
    client.force_login(world.user("trust_leader"))
    response = client.get(reverse("governance:cycle", args=[world.trust_a.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert unassigned.title in html and named.title in html
    assert (second_head.full_name or second_head.email) in html


def test_a_task_falls_back_to_the_role_when_its_assignee_leaves(world, second_head):
    """An assigned task never vanishes: once the named person no longer holds the role at the
    school, everyone who does sees it again and may complete it."""
    head = world.user("headteacher")
    task = _task(world, days=-3)
    services.task_assign(actor=world.user("trust_leader"), task=task, assignee=second_head)
    assert list(selectors.tasks_for(head)) == [] and list(selectors.tasks_for(second_head)) == [
        task
    ]
    membership = second_head.memberships.get()
    membership.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    membership.save()
    for user in (head, second_head):
        user.__dict__.pop("_trustwide_grants", None)
    assert list(selectors.tasks_for(second_head)) == []
    assert list(selectors.tasks_for(head)) == [task]
    assert services.may_complete(head, task)
    overdue, _due = selectors.due_tasks(head, timezone.localdate(), 7)
    assert overdue == [task]


def test_generating_again_after_a_redate_keeps_a_completed_occurrence(world):
    year = world.trust_a.academic_years.get(is_current=True)
    leader = world.user("trust_leader")
    item = services.cycle_item_create(
        actor=leader,
        trust=world.trust_a,
        title="Safeguarding audit",
        role="headteacher",
        category="compliance",
        frequency="once",
        month=1,
        day=15,
        per_school=True,
    )
    services.cycle_generate(actor=leader, trust=world.trust_a, academic_year=year)
    services.task_complete(
        actor=leader, task=CycleTask.objects.get(item=item, school=world.school_a1)
    )
    services.cycle_item_update(actor=leader, item=item, month=2)
    services.cycle_generate(actor=leader, trust=world.trust_a, academic_year=year)
    a1 = CycleTask.objects.filter(item=item, school=world.school_a1)
    assert a1.count() == 1 and a1.get().completed_on is not None  # done once is done for the year
    a2 = CycleTask.objects.get(item=item, school=world.school_a2)
    assert a2.due_on.month == 2 and a2.completed_on is None
