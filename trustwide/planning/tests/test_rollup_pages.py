"""The plan roll-up at a trust with more schools than a page: 25 schools a page in hub order,
each hub's row before its schools on every page, page links keeping the term and filter, the
same query count on every page, out-of-scope schools on no page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.test_permission_matrix import PAGE_QUERY_CAP
from tests.world import make_school
from trustwide.common.pdfs import bump_data_version

from .test_pages import big_plan

EXTRA = 56  # with A1 and A2: 58 schools; 29 in hub 1


@pytest.fixture
def many(world):
    for i in range(EXTRA):
        school = make_school(
            world.trust_a, world.hub_2 if i % 2 else world.hub_1, name=f"Roll {i:02d}"
        )
        if i in (30, 31, 32, 33):  # an amber priority and a red criterion in the autumn term
            big_plan(school, priorities=1, actions=0, criteria=1)
    make_school(world.trust_b, world.extra["hub_b"], name="Other trust school")
    return world


def rows(body: str) -> list[str]:
    """The roll-up's row labels in order: hub rows as "hub:NAME", schools by name."""
    table = body.split('<table class="table rollup">')[1].split("<tfoot>")[0]
    found = re.findall(
        r'<th scope="row">(?:<strong>([^<]+)</strong>|<a href="[^"]+">([^<]+)</a>)', table
    )
    return [f"hub:{hub}" if hub else school for hub, school in found]


def link(body: str, rel: str) -> str:
    return re.search(rf'<a href="([^"]+)" rel="{rel}"', body).group(1).replace("&amp;", "&")


def url(world):
    return reverse("planning:rollup", args=[world.trust_a.slug])


def test_pages_keep_hub_rows_and_the_term(many, login):
    client = login(many.user("trust_leader"))
    first = client.get(url(many), {"term": "autumn"}).content.decode()
    shown = rows(first)
    hub_1 = ["A1 Primary", *[f"Roll {i:02d}" for i in range(0, EXTRA, 2)]]
    hub_2 = ["A2 Primary", *[f"Roll {i:02d}" for i in range(1, EXTRA, 2)]]
    assert shown == ["hub:H1 hub", *hub_1[:25]]
    assert '<nav class="pager" aria-label="Pages of the roll-up">' in first
    assert "Trust total" in first
    second_url = link(first, "next")
    assert "term=autumn" in second_url
    second = client.get(url(many) + second_url).content.decode()
    # The hub's row comes again before its schools on the next page.
    assert rows(second) == ["hub:H1 hub", *hub_1[25:], "hub:H2 hub", *hub_2[:21]]
    assert 'aria-current="page"' in second and "<h1>RAG roll-up: Autumn" in second
    third = client.get(url(many) + link(second, "next")).content.decode()
    assert rows(third) == ["hub:H2 hub", *hub_2[21:]]
    assert "Other trust school" not in first + second + third


def test_only_schools_with_red_or_amber(many, login):
    client = login(many.user("trust_leader"))
    body = client.get(url(many), {"term": "autumn"}).content.decode()
    assert "4 of 58 schools have a red or amber" in body
    only = client.get(url(many), {"term": "autumn", "attention": "on"}).content.decode()
    assert rows(only) == ["hub:H1 hub", "Roll 30", "Roll 32", "hub:H2 hub", "Roll 31", "Roll 33"]
    assert 'name="attention" value="on" checked' in only


def test_out_of_scope_schools_are_on_no_page(many, login):
    client = login(many.user("executive_headteacher"))  # hub 1 only: 29 schools, two pages
    first = client.get(url(many), {"term": "autumn"}).content.decode()
    second = client.get(url(many) + link(first, "next")).content.decode()
    seen = rows(first) + rows(second)
    assert len([r for r in seen if not r.startswith("hub:")]) == 29
    assert "hub:H2 hub" not in seen and "A2 Primary" not in seen
    assert "Other trust school" not in first + second


def test_query_count_is_the_same_on_every_page(many, login):
    client = login(many.user("trust_leader"))
    client.get(url(many))
    counts = []
    for page in ("1", "2", "3", "all"):
        bump_data_version(many.trust_a.pk)  # the cold path: rows built afresh
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(many), {"term": "autumn", "page": page})
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert len(set(counts)) == 1 and counts[0] <= PAGE_QUERY_CAP
    assert len([r for r in rows(response.content.decode()) if not r.startswith("hub:")]) == 58
