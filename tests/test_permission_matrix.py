"""Walks every URL pattern the project registers, for every role x (in scope, out of scope,
anonymous). See tests/matrix.py for the entries."""

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix import ALL_ROLES, SCHOOL_ROLES, Target, collect_matrix

# "apiv1" is the JSON API: its own matrix walks every route (trustwide/api/tests/test_api_matrix.py).
SKIPPED_NAMESPACES = {"admin", "apiv1"}
# Every page a role can open answers in a bounded number of queries (list pages have their own,
# tighter caps that also check the count does not grow with the rows; see tests/test_pages.py).
PAGE_QUERY_CAP = 40  # Django admin: superusers only, tested on its own below.


def registered_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                if ns in SKIPPED_NAMESPACES:
                    continue
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"URL pattern {pattern.pattern} has no name"
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


MATRIX = collect_matrix()
URL_NAMES = sorted(registered_url_names())


def test_every_url_has_a_matrix_entry():
    missing = sorted(set(URL_NAMES) - set(MATRIX))
    assert not missing, f"Add permission-matrix entries for: {missing}"
    stale = sorted(set(MATRIX) - set(URL_NAMES))
    assert not stale, f"Matrix entries for URLs that no longer exist: {stale}"


def _request(client, entry, url, data):
    if entry.method == "post":
        return client.post(url, data)
    return client.get(url)


@pytest.mark.parametrize("name", URL_NAMES)
def test_permission_matrix(name, world, client):
    entry = MATRIX[name]
    inside = Target(world.trust_a, world.hub_1, world.school_a1, in_scope=True)
    outside = Target(world.trust_b, world.extra["hub_b"], world.school_b1, in_scope=False)

    url_in = reverse(name, kwargs=entry.kwargs(world, inside))
    response = _request(client, entry, url_in, entry.data(world, inside))
    assert response.status_code == entry.anonymous, f"anonymous {name}: {response.status_code}"
    if entry.public:
        return
    url_out = reverse(name, kwargs=entry.kwargs(world, outside))

    failures = []
    for role in sorted(ALL_ROLES):
        client.force_login(world.user(role))
        # Out of scope first: a POST in scope may change state (e.g. end a membership).
        response = _request(client, entry, url_out, entry.data(world, outside))
        if entry.listing:
            body = response.content.decode()
            hidden = [world.school_b1.name] + (
                [world.school_a2.name] if role in SCHOOL_ROLES else []
            )
            leaked = [h for h in hidden if h in body]
            if leaked:
                failures.append(f"{role}: lists out-of-scope {leaked}")
            if response.status_code != entry.expected(role):
                failures.append(
                    f"{role}: got {response.status_code}, expected {entry.expected(role)}"
                )
        elif response.status_code != entry.out_of_scope:
            failures.append(
                f"{role} out of scope: got {response.status_code}, expected {entry.out_of_scope}"
            )
        if not entry.listing:
            with CaptureQueriesContext(connection) as queries:
                response = _request(client, entry, url_in, entry.data(world, inside))
            if entry.method == "get" and response.status_code == 200:
                if len(queries) > PAGE_QUERY_CAP:
                    failures.append(f"{role}: {len(queries)} queries (cap {PAGE_QUERY_CAP})")
                if os.environ.get("TRUSTWIDE_REPORT_QUERIES"):
                    print(f"QUERIES {len(queries):3d} {name} {role}")
            if response.status_code != entry.expected(role):
                failures.append(
                    f"{role} in scope: got {response.status_code}, expected {entry.expected(role)}"
                )
        client.logout()
    assert not failures, f"{name}:\n" + "\n".join(failures)


def test_admin_is_for_superusers_only(world, client, django_user_model):
    for role in sorted(ALL_ROLES):
        client.force_login(world.user(role))
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"], role
    root = django_user_model.objects.create_superuser(
        email="root@world.example", password="x" * 12, full_name="Root"
    )
    client.force_login(root)
    assert client.get("/admin/").status_code == 200


def test_expired_peer_reviewer_loses_access(world, client):
    import datetime

    from django.utils import timezone

    reviewer = world.user("peer_reviewer")
    membership = reviewer.memberships.get()
    membership.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    membership.save()
    client.force_login(reviewer)
    assert (
        client.get(reverse("trusts:school-detail", kwargs={"pk": world.school_a1.pk})).status_code
        == 404
    )
