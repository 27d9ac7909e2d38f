"""The trust dashboard at a trust with more schools than a page: 25 rows a page, sorted across
every row, page links keeping the filters and sort, query counts the same on every page, and
out-of-scope schools on no page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.test_permission_matrix import PAGE_QUERY_CAP
from tests.world import make_school
from trustwide.common.pdfs import bump_data_version
from trustwide.kpis.models import KpiTarget

from .helpers import kpi

EXTRA = 60  # with A1 and A2: 62 schools, three pages; 31 in hub 1


@pytest.fixture
def many(world):
    for i in range(EXTRA):
        school = make_school(
            world.trust_a, world.hub_1 if i % 2 else world.hub_2, name=f"Extra {i}"
        )
        kpi(world, school, "overall_absence", 10.0 + i)
    # The red rating (against a target of 30%) marks the schools needing attention.
    kpi(world, world.school_b1, "overall_absence", 99.0)
    return world


def names(body: str) -> list[str]:
    """School names in the table's rows, in order."""
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', body)


def next_link(body: str) -> str:
    href = re.search(r'<a href="([^"]+)" rel="next"', body).group(1)
    return href.replace("&amp;", "&")


def url(world):
    return reverse("dashboards:trust-dashboard", kwargs={"slug": world.trust_a.slug})


def test_first_page_then_next_keeps_sort_and_filter(many, login):
    client = login(many.user("trust_leader"))
    body = client.get(
        url(many), {"sort": "overall_absence", "dir": "desc", "phase": "primary"}
    ).content.decode()
    # Sorted across all 62 rows, not within the page: the highest 25 values come first.
    assert names(body) == [f"Extra {i}" for i in range(EXTRA - 1, EXTRA - 26, -1)]
    assert '<nav class="pager" aria-label="Pages of the schools table">' in body
    assert "Showing 1 to 25 of 62." in body
    assert re.search(r'<a href="[^"]*page=1"[^>]*aria-current="page"', body)
    link = next_link(body)
    assert "sort=overall_absence" in link and "dir=desc" in link and "phase=primary" in link
    second = client.get(url(many) + link).content.decode()
    assert names(second) == [f"Extra {i}" for i in range(EXTRA - 26, EXTRA - 51, -1)]
    assert "Showing 26 to 50 of 62." in second
    third = client.get(url(many) + next_link(second)).content.decode()
    # Schools without a figure stay last, on the last page.
    assert names(third)[-2:] == ["A1 Primary", "A2 Primary"] and len(names(third)) == 12
    assert 'rel="next"' not in third


def test_sorting_goes_back_to_the_first_page(many, login):
    client = login(many.user("trust_leader"))
    body = client.get(url(many), {"page": "3", "sort": "school"}).content.decode()
    sort_links = re.findall(r'class="sort-link" href="([^"]+)"', body)
    assert sort_links and not any("page=" in link for link in sort_links)


def test_show_all_for_printing_and_htmx_fragment(many, login):
    client = login(many.user("trust_leader"))
    body = client.get(url(many), {"page": "all", "sort": "school"}).content.decode()
    assert len(names(body)) == EXTRA + 2 and "Showing all 62." in body
    assert "Show 25 a page" in body
    fragment = client.get(url(many), {"page": "2"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and len(names(fragment)) == 25
    assert 'hx-target="#trust-table"' in fragment and 'hx-select="#trust-table"' in fragment
    # A page past the end shows the last one.
    assert len(names(client.get(url(many), {"page": "99"}).content.decode())) == 12


def test_out_of_scope_schools_are_on_no_page(many, login):
    client = login(many.user("executive_headteacher"))  # hub 1: A1 and 30 extras
    seen = []
    body = client.get(url(many)).content.decode()
    while True:
        seen += names(body)
        if 'rel="next"' not in body:
            break
        body = client.get(url(many) + next_link(body)).content.decode()
    assert len(seen) == 31 and "A1 Primary" in seen
    assert "A2 Primary" not in seen and "B1 Primary" not in seen
    assert all(int(n.split()[1]) % 2 for n in seen if n.startswith("Extra"))


def test_query_count_is_the_same_on_every_page(many, login):
    client = login(many.user("trust_leader"))
    client.get(url(many))  # per-process caches (national figures) filled once
    counts = []
    for page in ("1", "2", "3", "all"):
        bump_data_version(many.trust_a.pk)  # the cold path: rows built afresh
        with CaptureQueriesContext(connection) as ctx:
            assert (
                client.get(url(many), {"page": page, "sort": "overall_absence"}).status_code == 200
            )
        counts.append(len(ctx.captured_queries))
    assert len(set(counts)) == 1 and counts[0] <= PAGE_QUERY_CAP


def test_schools_needing_attention_only(many, login):
    KpiTarget.objects.create(
        trust=many.trust_a,
        academic_year=many.trust_a.academic_years.get(is_current=True).start_year,
        kpi_code="overall_absence",
        target=30.0,
    )
    client = login(many.user("trust_leader"))
    every = client.get(url(many), {"page": "all"}).content.decode()
    rows = re.findall(r"<tr>\s*(<th scope=\"row\">.*?)</tr>", every, re.S)
    red = {names(row)[0] for row in rows if "rag-red" in row}
    assert red and "A1 Primary" not in red and "Extra 59" in red
    body = client.get(url(many)).content.decode()
    assert f"{len(red)} of 62 schools need attention" in body
    only = client.get(url(many), {"attention": "on", "page": "all"}).content.decode()
    assert set(names(only)) == red and "B1 Primary" not in only
    assert "Show every school" in only
