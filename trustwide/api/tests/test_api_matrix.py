"""Every JSON API route, for every role x (in scope, out of scope) and anonymous: the API
answers what the pages answer (out of scope 404, lists narrowed), through the same selectors.
A route without an entry fails the suite."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.matrix import ALL_ROLES, SCHOOL_ROLES, Target
from trustwide.access.policy import ROLE_PERMISSIONS, Perm
from trustwide.api.api import api
from trustwide.data.models import ImportBatch
from trustwide.evaluation.tests.matrix import SEF_READERS, submitted_sef
from trustwide.governance.tests.factories import world_meeting
from trustwide.planning.tests.matrix import _plan
from trustwide.risks.tests.factories import school_risk

BASE = "/api/v1"


def roles_with(perm: str) -> frozenset[str]:
    return frozenset(role for role, perms in ROLE_PERMISSIONS.items() if perm in perms)


@dataclass
class Route:
    url: Callable[[object, Target], str]
    ok: frozenset[str] = ALL_ROLES  # in scope: these roles succeed
    success: int = 200
    denied: dict[str, int] = field(
        default_factory=dict
    )  # in scope, not ok: role -> status (default 404)
    method: str = "get"
    data: Callable[[object, Target], dict] | None = None
    listing: bool = False  # no object in the URL: out-of-scope rows must be absent
    public: bool = False

    def expected(self, role: str) -> int:
        return self.success if role in self.ok else self.denied.get(role, 404)


def _batch(world, target):
    batch = ImportBatch.objects.create(
        trust=target.trust,
        school=target.school,
        dataset="attendance_marks",
        academic_year=2025,
        file_name="marks.csv",
        uploaded_by_label="test",
    )
    return f"{BASE}/imports/{batch.pk}"


def _upload(world, target):
    content = (
        f"URN;UPN;Date;Session;Code\n{target.school.urn};A123456789012;08/09/2025;AM;/\n".encode()
    )
    year = target.trust.academic_years.get(is_current=True).start_year
    return {
        "trust": target.trust.pk,
        "school": target.school.pk,
        "dataset": "attendance_marks",
        "academic_year": year,
        "file": SimpleUploadedFile("marks.csv", content, content_type="text/csv"),
    }


SCHOOL_VIEWERS = roles_with(Perm.SCHOOL_VIEW)
IMPORTERS = frozenset({"trust_data_manager", "school_data_manager"})

ROUTES: dict[tuple[str, str], Route] = {
    ("get", "/trusts"): Route(lambda w, t: f"{BASE}/trusts", listing=True),
    ("get", "/trusts/{trust_id}"): Route(
        lambda w, t: f"{BASE}/trusts/{t.trust.pk}", ok=roles_with(Perm.TRUST_VIEW)
    ),
    ("get", "/hubs"): Route(lambda w, t: f"{BASE}/hubs", listing=True),
    ("get", "/schools"): Route(lambda w, t: f"{BASE}/schools", listing=True),
    ("get", "/schools/{school_id}"): Route(
        lambda w, t: f"{BASE}/schools/{t.school.pk}", ok=SCHOOL_VIEWERS
    ),
    # The trust KPI table: every role that sees the trust gets it, narrowed to its schools.
    ("get", "/kpis/values"): Route(
        lambda w, t: f"{BASE}/kpis/values?trust={t.trust.pk}", ok=roles_with(Perm.TRUST_VIEW)
    ),
    ("get", "/kpis/values/download"): Route(
        lambda w, t: (
            f"{BASE}/kpis/values/download?trust={t.trust.pk}&school={t.school.pk}&format=csv"
        ),
        ok=roles_with(Perm.KPI_VIEW),
    ),
    ("get", "/risks"): Route(lambda w, t: f"{BASE}/risks", listing=True),
    ("get", "/risks/{risk_id}"): Route(
        lambda w, t: f"{BASE}/risks/{school_risk(w, t).pk}", ok=roles_with(Perm.RISK_VIEW)
    ),
    ("get", "/meetings"): Route(lambda w, t: f"{BASE}/meetings", listing=True),
    ("get", "/meetings/{meeting_id}"): Route(
        lambda w, t: f"{BASE}/meetings/{world_meeting(w, t).pk}",
        ok=roles_with(Perm.GOVERNANCE_VIEW),
    ),
    # A file for a school: its importers succeed; others who see the school are refused (403).
    ("post", "/imports"): Route(
        lambda w, t: f"{BASE}/imports",
        method="post",
        data=_upload,
        ok=IMPORTERS,
        success=202,
        denied={r: 403 for r in SCHOOL_VIEWERS},
    ),
    ("get", "/imports/{import_id}"): Route(_batch, ok=roles_with(Perm.DATA_VIEW_IMPORTS)),
    ("get", "/plans"): Route(lambda w, t: f"{BASE}/plans", listing=True),
    ("get", "/plans/{plan_id}"): Route(
        lambda w, t: f"{BASE}/plans/{_plan(w, t).pk}", ok=roles_with(Perm.PLAN_VIEW)
    ),
    # SEFs as on the SEF pages: a school the caller sees but may not read SEFs of is 403.
    ("get", "/schools/{school_id}/sefs"): Route(
        lambda w, t: f"{BASE}/schools/{t.school.pk}/sefs",
        ok=SEF_READERS,
        denied={r: 403 for r in SCHOOL_VIEWERS},
    ),
    ("get", "/sefs/{sef_id}"): Route(
        lambda w, t: f"{BASE}/sefs/{submitted_sef(w, t).pk}",
        ok=SEF_READERS,
        denied={r: 403 for r in SCHOOL_VIEWERS},
    ),
}
# The OpenAPI document and its docs page describe the API, not data: public.
PUBLIC = {f"{BASE}/openapi.json", f"{BASE}/docs"}


def api_routes() -> set[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return {(method, path.removeprefix(BASE)) for path, ops in paths.items() for method in ops}


def test_every_api_route_has_a_matrix_entry():
    routes = api_routes()
    assert not routes - set(ROUTES), f"Add API matrix entries for: {sorted(routes - set(ROUTES))}"
    assert not set(ROUTES) - routes, f"Stale API matrix entries: {sorted(set(ROUTES) - routes)}"


def _call(client, route, url, data, headers):
    if route.method == "post":
        return client.post(url, data or {}, **headers)
    return client.get(url, **headers)


def _leaks(body: str, world, role: str) -> list[str]:
    hidden = [world.school_b1] + ([world.school_a2] if role in SCHOOL_ROLES else [])
    found = [s.name for s in hidden if s.name in body]
    found += [f"school {s.pk}" for s in hidden if f'"school_id": {s.pk},' in body]
    if world.trust_b.name in body:
        found.append(world.trust_b.name)
    return found


@pytest.mark.parametrize("key", sorted(ROUTES), ids=[f"{m.upper()} {p}" for m, p in sorted(ROUTES)])
def test_api_permission_matrix(key, world, tokens, client, django_capture_on_commit_callbacks):
    route = ROUTES[key]
    inside = Target(world.trust_a, world.hub_1, world.school_a1, in_scope=True)
    outside = Target(world.trust_b, world.extra["hub_b"], world.school_b1, in_scope=False)
    url_in, url_out = route.url(world, inside), route.url(world, outside)
    data_in = route.data(world, inside) if route.data else None
    response = _call(client, route, url_in, data_in, {})
    assert response.status_code == 401, f"anonymous {key}: {response.status_code}"
    failures = []
    for role in sorted(ALL_ROLES):
        headers = tokens[role]
        with django_capture_on_commit_callbacks(execute=True):
            response = _call(
                client, route, url_out, route.data(world, outside) if route.data else None, headers
            )
        if route.listing:
            leaked = _leaks(response.content.decode(), world, role)
            if leaked:
                failures.append(f"{role}: lists out-of-scope {leaked}")
            if response.status_code != route.expected(role):
                failures.append(
                    f"{role}: got {response.status_code}, expected {route.expected(role)}"
                )
            continue
        if response.status_code != 404:
            failures.append(f"{role} out of scope: got {response.status_code}, expected 404")
        with django_capture_on_commit_callbacks(execute=True):
            response = _call(
                client, route, url_in, route.data(world, inside) if route.data else None, headers
            )
        leaked = _leaks(response.content.decode(), world, role)
        if leaked:  # e.g. the trust KPI table for a school role holds only their school
            failures.append(f"{role} in scope: shows out-of-scope {leaked}")
        if response.status_code != route.expected(role):
            failures.append(
                f"{role} in scope: got {response.status_code}, expected {route.expected(role)}: "
                f"{response.content[:200]!r}"
            )
    assert not failures, f"{key}:\n" + "\n".join(failures)


@pytest.mark.parametrize("url", sorted(PUBLIC))
def test_openapi_document_and_docs_are_public_and_self_hosted(url, client, db):
    response = client.get(url)
    assert response.status_code == 200
    if url.endswith(".json"):
        assert json.loads(response.content)["info"]["title"] == "Trustwide API"
    else:
        page = response.content.decode()
        assert "swagger-ui-bundle.js" in page and "cdn." not in page and "https://" not in page
