"""The page kit's pager: which rows a page holds, and links that keep the other parameters."""

from django.http import QueryDict

from trustwide.common import paging


def test_pages_slice_the_sorted_rows_and_keep_the_query():
    rows = list(range(1, 63))
    first = paging.page_of(rows, None, base_query="hub=2&sort=name")
    assert first.rows == rows[:25] and (first.number, first.count, first.total) == (1, 3, 62)
    assert first.previous_url is None and first.next_url == "?hub=2&sort=name&page=2"
    assert [link.current for link in first.links] == [True, False, False]
    last = paging.page_of(rows, "3", base_query="hub=2&sort=name")
    assert last.rows == rows[50:] and last.next_url is None
    assert last.previous_url == "?hub=2&sort=name&page=2" and (last.first, last.last) == (51, 62)
    assert paging.page_of(rows, "9").number == 3  # past the end: the last page
    assert paging.page_of(rows, "x").number == 1 and paging.page_of(rows, "-2").number == 1
    every = paging.page_of(rows, "ALL", param="rolled")
    assert every.show_all and every.rows == rows and every.first_url == "?rolled=1"
    assert not paging.page_of(rows[:25], None).needed and paging.page_of(rows[:26], None).needed


def test_links_drop_only_the_parameters_named():
    query = QueryDict("hub=2&phase=primary&phase=secondary&page=3&rolled=2")
    assert paging.without(query, "page") == "hub=2&phase=primary&phase=secondary&rolled=2"
    assert paging.link_with(query, hubs="open", page="1").endswith("&rolled=2&hubs=open&page=1")
    assert paging.link_with(QueryDict(""), hubs="open") == "?hubs=open"
    assert paging.page_key(" 2 ") == "2" and paging.page_key("all") == "all"
    assert paging.page_key(None) == "1" and paging.page_key("0") == "1"
