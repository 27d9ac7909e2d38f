"""The trust risk register at a trust with more schools than a page: the rolled-up school risks
and the active risks by school a page at a time (each pager keeping the other's page), schools
with the most high risks first, the same query count on every page, out-of-scope schools and
risks on no page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.test_permission_matrix import PAGE_QUERY_CAP
from tests.world import make_school
from trustwide.common.pdfs import bump_data_version

from .factories import make_risk

EXTRA = 60  # 30 in each hub; every school one high risk, every third school a second one


@pytest.fixture
def many(world):
    for i in range(EXTRA):
        school = make_school(
            world.trust_a, world.hub_2 if i % 2 else world.hub_1, name=f"Risky {i:02d}"
        )
        make_risk(world.trust_a, school, title=f"Roof at {school.name}", likelihood=4, impact=5)
        if i % 3 == 0:
            make_risk(
                world.trust_a, school, title=f"Staffing at {school.name}", likelihood=4, impact=4
            )
        else:
            make_risk(
                world.trust_a, school, title=f"Minor at {school.name}", likelihood=1, impact=2
            )
    other = make_school(world.trust_b, world.extra["hub_b"], name="Other trust school")
    make_risk(world.trust_b, other, title="Roof at Other trust school", likelihood=5, impact=5)
    return world


def rolled(body: str) -> list[str]:
    part = body.split('<div id="rolled-risks">')[1].split("</div>")[0]
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', part)


def by_school(body: str) -> list[str]:
    part = body.split('<div id="risks-by-school">')[1].split("</div>")[0]
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', part)


def link(body: str, div: str, rel: str = "next") -> str:
    part = body.split(f'<div id="{div}">')[1].split("</div>")[0]
    return re.search(rf'<a href="([^"]+)" rel="{rel}"', part).group(1).replace("&amp;", "&")


def url(world):
    return reverse("risks:trust-register", args=[world.trust_a.slug])


def test_each_table_pages_on_its_own(many, login):
    client = login(many.user("trust_leader"))
    first = client.get(url(many)).content.decode()
    # 80 rolled-up risks (score 16 or 20), highest first, then by school.
    assert rolled(first)[:3] == ["Roof at Risky 00", "Roof at Risky 01", "Roof at Risky 02"]
    assert len(rolled(first)) == 25
    assert '<nav class="pager" aria-label="Pages of the rolled-up school risks">' in first
    assert '<nav class="pager" aria-label="Pages of the active risks by school">' in first
    # Schools with two high risks first, then one; 25 of the 60.
    two = [f"Risky {i:02d}" for i in range(0, EXTRA, 3)]
    assert by_school(first)[:20] == two and len(by_school(first)) == 25
    # Move the by-school table on, then the rolled table: each keeps the other's page.
    second = client.get(url(many) + link(first, "risks-by-school")).content.decode()
    assert rolled(second) == rolled(first) and by_school(second)[0] not in by_school(first)
    third = client.get(url(many) + link(second, "rolled-risks")).content.decode()
    assert by_school(third) == by_school(second)
    assert rolled(third)[0] not in rolled(first)
    assert "Roof at Other trust school" not in first + second + third


def test_out_of_scope_schools_are_on_no_page(many, login):
    client = login(many.user("executive_headteacher"))  # hub 1: 30 extra schools
    pages = [client.get(url(many)).content.decode()]
    pages.append(client.get(url(many) + link(pages[0], "risks-by-school")).content.decode())
    schools = by_school(pages[0]) + by_school(pages[1])
    assert len(schools) == 30 and all(int(n.split()[1]) % 2 == 0 for n in schools)
    everything = client.get(url(many), {"rolled": "all"}).content.decode()
    assert len(rolled(everything)) == 40  # 30 roofs and 10 staffing risks of hub 1
    assert "Other trust" not in "".join(pages) + everything
    assert not any(int(r.split()[-1]) % 2 for r in rolled(everything))


def test_query_count_is_the_same_on_every_page(many, login):
    client = login(many.user("trust_leader"))
    client.get(url(many))
    counts = []
    for query in ({}, {"rolled": "2"}, {"bysch": "3"}, {"rolled": "all", "bysch": "all"}):
        bump_data_version(many.trust_a.pk)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(many), query).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert len(set(counts)) == 1 and counts[0] <= PAGE_QUERY_CAP
