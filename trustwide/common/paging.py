"""Long tables on trust-wide pages: one page of rows at a time, or all of them for printing.

A view sorts and filters all its rows first (so a sort applies across every row, not just the
page shown), then asks `page_of(rows, number, base_query=...)` for the page to render and
includes "includes/pager.html" with it. The pager's links keep the page's other query parameters
(`base_query`: the filters and sort, without the page parameter), so they work without
JavaScript; with `target` they also swap only that part of the page by htmx. `?page=all` shows
every row (for printing).

The page parameter decides what a cached part shows (common.pagecache): put `page_key(number)`
and the base query in its params.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Paginator

PER_PAGE = 25
ALL = "all"


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


@dataclass
class Page:
    rows: list
    number: int  # 1-based; 0 when every row is shown
    count: int  # number of pages
    total: int  # rows across all pages
    per_page: int
    label: str  # the pager's aria-label, naming the table it pages
    target: str | None  # id of the element htmx swaps, or None
    links: list[PageLink] = field(default_factory=list)
    previous_url: str | None = None
    next_url: str | None = None
    all_url: str = ""
    first_url: str = ""

    @property
    def show_all(self) -> bool:
        return self.number == 0

    @property
    def needed(self) -> bool:
        """A pager is shown only when the rows do not fit on one page."""
        return self.total > self.per_page

    @property
    def first(self) -> int:
        return 1 if self.show_all or not self.total else (self.number - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return self.total if self.show_all else min(self.number * self.per_page, self.total)


def caption_range(page: Page) -> str:
    """What a table's caption adds when it shows one page: ", 26 to 50 of 62"."""
    if page.show_all or not page.needed:
        return ""
    return f", {page.first} to {page.last} of {page.total}"


def page_key(value: str | None) -> str:
    """The page parameter as it decides what is shown: a number, or "all"."""
    value = (value or "").strip().lower()
    if value == ALL:
        return ALL
    return value if value.isdigit() and int(value) > 0 else "1"


def without(query, *names: str) -> str:
    """`query` (request.GET or a dict) urlencoded without the parameters `names`."""
    items = query.lists() if hasattr(query, "lists") else ((k, [v]) for k, v in query.items())
    pairs = [(k, v) for k, values in items if k not in names for v in values]
    return urlencode(pairs)


def link_with(query, drop: tuple[str, ...] = (), **values: str) -> str:
    """A link to this page with `values` set, the parameters `drop` left out and every other
    parameter of `query` kept."""
    kept = without(query, *drop, *values)
    return f"?{kept}{'&' if kept else ''}{urlencode(values)}"


def page_of(
    rows: Sequence,
    value: str | None,
    *,
    base_query: str = "",
    param: str = "page",
    per_page: int = PER_PAGE,
    label: str = "Pages",
    target: str | None = None,
) -> Page:
    """The page `value` ("2", "all", or anything else: the first page) of `rows`. A number past
    the last page shows the last page."""
    rows = list(rows)
    paginator = Paginator(
        rows, per_page
    )  # Django's: counts and slices; a page past the end is the last
    total, count = paginator.count, paginator.num_pages
    key = page_key(value)
    shown = rows if key == ALL else paginator.get_page(key)
    number = 0 if key == ALL else shown.number
    prefix = f"?{base_query}&" if base_query else "?"

    def url(page: int | str) -> str:
        return f"{prefix}{param}={page}"

    page = Page(
        rows=list(shown) if number else rows,
        number=number,
        count=count,
        total=total,
        per_page=per_page,
        label=label,
        target=target,
        all_url=url(ALL),
        first_url=url(1),
    )
    page.links = [PageLink(n, url(n), n == number) for n in range(1, count + 1)]
    if number > 1:
        page.previous_url = url(number - 1)
    if 0 < number < count:
        page.next_url = url(number + 1)
    return page
