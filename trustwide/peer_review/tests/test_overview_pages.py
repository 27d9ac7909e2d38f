"""The peer review overview at a trust with more schools than a page: the rota calendar, open
review actions and deployments a page at a time (each pager keeping the others' pages), the
capacity map collapsed by hub with hubs needing support open, the same query count on every
page, out-of-scope schools on no page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.test_permission_matrix import PAGE_QUERY_CAP
from tests.world import make_school
from trustwide.common.pdfs import bump_data_version
from trustwide.peer_review import services
from trustwide.peer_review.models import Finding, ReviewAction, SupportAssessment

EXTRA = 58  # with A1 and A2: 60 schools, 30 in each hub, 20 triads


@pytest.fixture
def many(world):
    today = timezone.localdate()
    hubs = {world.hub_1: [world.school_a1], world.hub_2: [world.school_a2]}
    for i in range(EXTRA):
        hub = world.hub_1 if i % 2 == 0 else world.hub_2
        hubs[hub].append(make_school(world.trust_a, hub, name=f"Peer {i:02d}"))
    groups = [s[i : i + 3] for s in hubs.values() for i in range(0, 30, 3)]
    year = world.trust_a.academic_years.get(is_current=True)
    reviews = services.rota_create(
        actor=None, actor_label="test", trust=world.trust_a, academic_year=year, groups=groups
    )
    for n, review in enumerate(reviews):
        finding = Finding.objects.create(review=review, area_name="Reading", findings="Notes")
        for k in range(1 + (n % 3 == 0)):  # every third school two actions, one overdue
            ReviewAction.objects.create(
                review=review,
                finding=finding,
                what=f"Action {k}",
                owner_name="Lead",
                due_on=today + datetime.timedelta(days=-1 if k else 30),
            )
    for school in hubs[world.hub_1] + hubs[world.hub_2]:
        SupportAssessment.objects.create(
            school=school,
            assessed_on=today,
            category="targeted" if school.name == "Peer 03" else "universal",
            capacity="neither",
        )
    other = make_school(world.trust_b, world.extra["hub_b"], name="Other trust school")
    SupportAssessment.objects.create(
        school=other, assessed_on=today, category="intensive", capacity="neither"
    )
    return world


def section(body: str, div: str) -> str:
    return body.split(f'<div id="{div}">')[1].split("</div>")[0]


def schools_in(part: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', part)


def link(body: str, div: str, rel: str = "next") -> str:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}"', section(body, div))
    return found.group(1).replace("&amp;", "&")


def url(world):
    return reverse("peer_review:overview", kwargs={"slug": world.trust_a.slug})


def test_long_tables_page_and_hubs_collapse(many, login):
    client = login(many.user("trust_leader"))
    first = client.get(url(many)).content.decode()
    assert first.count('<th scope="row">Triad ') == 10  # 20 triads, 10 a page
    actions = schools_in(section(first, "overview-actions"))
    assert len(actions) == 25 and "most overdue first" in first
    # The 20 schools with an overdue action come first.
    overdue = section(first, "overview-actions").count("1 overdue")
    assert overdue == 20
    second = client.get(url(many) + link(first, "overview-actions")).content.decode()
    assert not set(schools_in(section(second, "overview-actions"))) & set(actions)
    # The calendar's pager keeps the actions table's page.
    third = client.get(url(many) + link(second, "overview-triads")).content.decode()
    assert schools_in(section(third, "overview-actions")) == schools_in(
        section(second, "overview-actions")
    )
    assert '<th scope="row">Triad 11' in third
    # 60 schools on the capacity map: one details per hub, the hub with a targeted school open.
    hub_1, hub_2 = re.findall(r'<details class="hub-group"( open)?><summary>([^<]+)', first)
    assert hub_1 == ("", "H1: 30 schools, 0 intensive, 0 targeted")
    assert hub_2 == (" open", "H2: 30 schools, 0 intensive, 1 targeted")
    opened = client.get(url(many) + "?hubs=open").content.decode()
    assert "<details" not in opened and opened.count("rag-green") == 59
    assert "Other trust school" not in first + second + third + opened


def test_out_of_scope_schools_are_on_no_page(many, login):
    client = login(many.user("executive_headteacher"))  # hub 1: 30 schools, 10 triads
    body = client.get(url(many), {"actions": "all"}).content.decode()
    actions = schools_in(section(body, "overview-actions"))
    assert len(actions) == 30 and "A2 Primary" not in actions
    assert all(int(n.split()[1]) % 2 == 0 for n in actions if n.startswith("Peer"))
    assert 'aria-label="Pages of the rota calendar"' not in body  # 10 triads: one page
    assert "H2:" not in body and "Other trust school" not in body


def test_query_count_is_the_same_on_every_page(many, login):
    client = login(many.user("trust_leader"))
    client.get(url(many))
    counts = []
    for query in ({}, {"actions": "2"}, {"triads": "2", "hubs": "open"}, {"actions": "all"}):
        bump_data_version(many.trust_a.pk)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(many), query).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert len(set(counts)) == 1 and counts[0] <= PAGE_QUERY_CAP
