"""The board report page at a trust with more schools than a page: 25 schools a page in each
school-by-school table (the same schools in each), the pager keeping the term, "Show all" for
printing, the trust's rows and the schools of concern on every page, query counts the same on
every page and out-of-scope schools on no page."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.test_permission_matrix import PAGE_QUERY_CAP
from trustwide.common.pdfs import bump_data_version

from . import test_pagination

many = test_pagination.many  # the fixture: 62 schools in trust A, 31 in hub 1
ALL = test_pagination.EXTRA + 2


def url(world):
    return reverse("dashboards:board-report", kwargs={"slug": world.trust_a.slug})


def section(body: str, name: str) -> str:
    start = body.index(f'id="br-{name}"')
    end = body.find('<section class="report-section"', start)
    return body[start : end if end > 0 else len(body)]


def names(body: str) -> list[str]:
    """School names in the schools-side-by-side table, in order."""
    return re.findall(r'<th scope="row">([^<]+)<span class="cell-meta">', section(body, "schools"))


def rollup_schools(body: str) -> list[str]:
    """School rows of the plan roll-up (hub subtotal rows are in <strong>)."""
    table = section(body, "plan")
    return re.findall(r'<th scope="row">([^<]+)</th>', table.split("<tfoot>")[0])


def next_link(body: str) -> str:
    return re.search(r'<a href="([^"]+)" rel="next"', body).group(1).replace("&amp;", "&")


def term_of(world):
    return world.trust_a.academic_years.get(is_current=True).terms.order_by("number").first()


def test_first_page_then_next_keeps_the_term(many, login):
    client = login(many.user("trust_leader"))
    term = term_of(many)
    body = client.get(url(many), {"term": term.pk}).content.decode()
    first = names(body)
    assert len(first) == 25 and first == sorted(first, key=str.lower)
    assert f"{ALL} schools (page 1 of 3)" in body
    assert "Showing 1 to 25 of 62." in body and "Show all 62" in body
    # The roll-up shows the same page of schools, under their hubs' subtotals.
    assert rollup_schools(body) and set(rollup_schools(body)) <= set(first)
    assert '<th scope="row">Trust</th>' in section(body, "schools")
    assert "Trust total" in section(body, "plan")
    link = next_link(body)
    assert f"term={term.pk}" in link and "page=2" in link
    second = client.get(url(many) + link).content.decode()
    assert len(names(second)) == 25 and not set(names(second)) & set(first)
    assert set(rollup_schools(second)) <= set(names(second))
    assert "Showing 26 to 50 of 62." in second and f"Plan roll-up: {term}<" in second
    assert '<th scope="row">Trust</th>' in section(second, "schools")
    # The schools of concern (those needing attention) are whole on every page.
    assert "schools of concern</caption>" in section(body, "concern")
    assert section(second, "concern") == section(body, "concern")
    third = client.get(url(many) + next_link(second)).content.decode()
    assert len(names(third)) == 12 and 'rel="next"' not in third
    assert sorted({*first, *names(second), *names(third)}) == sorted(
        names(client.get(url(many), {"page": "all"}).content.decode())
    )


def test_show_all_for_printing(many, login):
    client = login(many.user("trust_leader"))
    body = client.get(url(many), {"page": "all"}).content.decode()
    assert len(names(body)) == ALL and "Showing all 62." in body and "Show 25 a page" in body
    assert len(rollup_schools(body)) == ALL
    # A page past the end shows the last one.
    assert len(names(client.get(url(many), {"page": "99"}).content.decode())) == 12


def test_out_of_scope_schools_are_on_no_page(many, login):
    client = login(many.user("executive_headteacher"))  # hub 1: A1 and 30 extras
    seen = []
    body = client.get(url(many)).content.decode()
    while True:
        seen += names(body)
        assert "A2 Primary" not in body and "B1 Primary" not in body
        if 'rel="next"' not in body:
            break
        body = client.get(url(many) + next_link(body)).content.decode()
    assert len(seen) == 31 and "A1 Primary" in seen
    assert all(int(n.split()[1]) % 2 for n in seen if n.startswith("Extra"))


def test_query_count_is_the_same_on_every_page(many, login):
    client = login(many.user("trust_leader"))
    client.get(url(many))  # per-process caches (national figures) filled once
    counts = []
    for page in ("1", "2", "3", "all"):
        bump_data_version(many.trust_a.pk)  # the cold path: rows built afresh
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(many), {"page": page}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert len(set(counts)) == 1 and counts[0] <= PAGE_QUERY_CAP
