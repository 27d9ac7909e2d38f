"""Property-based tests of the whole JSON API from its own OpenAPI document (schemathesis): for
every operation, generated requests (valid and invalid) never cause a server error and every
response matches the document. Runs in-process against Django's WSGI application, bounded and
derandomised so the suite stays fast and repeatable."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from trustwide.api import services
from trustwide.api.api import api
from trustwide.kpis.models import KpiValue
from trustwide.risks.tests.factories import make_risk

# The document the API publishes at /api/v1/openapi.json, built in-process (no request at
# collection time); requests go to Django's WSGI application, not a live server.
# (schemathesis.pytest.from_fixture does not work with pytest 9 yet: it reads node._nodeid.)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()


@pytest.fixture
def _keep_test_connection():
    """Django's WSGI handler closes the database connection when a request finishes, which would
    end the test's transaction (PostgreSQL); Django's own test client turns that off the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def caller(world, settings, _keep_test_connection):
    """A trust leader's token, with some data behind the endpoints; no rate limit in this test."""
    from django.utils import timezone

    settings.TRUSTWIDE_API_RATE = "100000/m"
    KpiValue.objects.create(
        trust=world.trust_a,
        academic_year=2025,
        kpi_code="overall_absence",
        level="school",
        school=world.school_a1,
        period="year",
        group="all",
        value=6.5,
        pupils=120,
        computed_at=timezone.now(),
    )
    make_risk(world.trust_a, world.school_a1)
    _, secret = services.token_create(actor=world.user("trust_leader"), name="schemathesis", days=1)
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_matches_its_openapi_document(case, caller):
    # No 500s; every status, content type, header and body as documented. (Schemathesis's
    # negative-data checks would also demand that unknown query parameters be refused: we do not.)
    case.call_and_validate(
        headers=caller,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )
