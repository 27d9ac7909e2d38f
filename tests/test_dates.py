"""Issue 14, defect 4: a far-future date never reaches the services (it gave a 500 OverflowError
on the external review form). Every date a person types goes through common.forms.DateField,
which accepts 1 Jan 1990 to 31 Dec 2100 and says so."""

import datetime
import re

import pytest
from django.urls import reverse

from tests.matrix import Target, collect_matrix
from trustwide.common.forms import DateField, validate_sensible_date

pytestmark = pytest.mark.django_db

MESSAGE = "Enter a date between 1 January 1990 and 31 December 2100."
ROLE_ORDER = [
    "trust_leader",
    "trust_administrator",
    "headteacher",
    "executive_headteacher",
    "senior_leader",
    "local_governor",
    "trust_data_manager",
    "middle_leader",
    "teacher",
    "peer_reviewer",
]
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
DATE_INPUT = re.compile(r"<input\b[^>]*type=\"date\"[^>]*>", re.I)
NAME = re.compile(r"name=\"([^\"]+)\"")


def test_date_field_bounds():
    field = DateField()
    assert field.clean("2026-09-01") == datetime.date(2026, 9, 1)
    for bad in ("9999-12-31", "1899-01-01", "0202-03-04"):
        with pytest.raises(Exception, match="Enter a date between"):
            field.clean(bad)
    validate_sensible_date(datetime.date(2100, 12, 31))


def test_external_review_far_future_date_is_refused_with_a_message(world, client):
    """The request that showed the defect, replayed."""
    client.force_login(world.user("trust_leader"))
    url = reverse("peer_review:external-create", kwargs={"slug": world.trust_a.slug})
    response = client.post(
        url,
        {
            "school": world.school_a1.pk,
            "visit_on": "9999-12-31",
            "partner_name": "Audit Partner Ltd",
        },
    )
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()


def test_every_form_with_a_date_refuses_year_9999_without_a_500(world, client):
    matrix = collect_matrix()
    inside = Target(world.trust_a, world.hub_1, world.school_a1, in_scope=True)
    tried = []
    for name, entry in sorted(matrix.items()):
        if entry.method != "get" or entry.public:
            continue
        roles = [r for r in ROLE_ORDER if entry.expected(r) == 200]
        if not roles:
            continue
        url = reverse(name, kwargs=entry.kwargs(world, inside))
        client.force_login(world.user(roles[0]))
        page = client.get(url)
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        for attrs, body in FORM.findall(page.content.decode()):
            if "post" not in attrs.lower():
                continue
            dates = [
                NAME.search(tag).group(1) for tag in DATE_INPUT.findall(body) if NAME.search(tag)
            ]
            if not dates:
                continue
            action = re.search(r"action=\"([^\"]*)\"", attrs)
            target = action.group(1) if action and action.group(1) else url
            # A form on a list page reports through a redirect and a message: follow it.
            response = client.post(target, {d: "9999-12-31" for d in dates}, follow=True)
            assert response.status_code in (200, 400), f"{name} {target}: {response.status_code}"
            assert MESSAGE in response.content.decode(), f"{name} {target}: no date message"
            tried.append(name)
    assert len(set(tried)) >= 12, sorted(set(tried))
