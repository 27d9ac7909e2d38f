"""The JSON API for trusts' BI tools (django-ninja): personal access tokens (Bearer), a per-token
rate limit, a compact record of every token use, and the routers. It reads only through the
owning apps' selectors and rules, so it answers exactly what the pages show."""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI
from ninja.errors import Throttled
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from . import rules, services


class TokenAuth(HttpBearer):
    """`Authorization: Bearer tw_...`. The request then acts as the token's owner."""

    def authenticate(self, request, token):
        found = services.token_for_secret(token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found
        return found


class PerTokenThrottle(BaseThrottle):
    """TRUSTWIDE_API_RATE requests per token (e.g. "120/m") in a fixed window, counted in Django's
    cache with add/incr (atomic in a shared cache). Unlike ninja's SimpleRateThrottle it keeps no
    per-request state on the shared instance (gunicorn threads), and reads the rate per request."""

    _local = threading.local()

    def allow_request(self, request) -> bool:
        token = getattr(request, "api_token", None)
        if token is None:
            return True  # unauthenticated requests never reach an operation
        # ninja's parser, so the setting takes its "count/s|m|h|d" forms.
        rate = SimpleRateThrottle(getattr(settings, "TRUSTWIDE_API_RATE", "120/m"))
        count, window = rate.num_requests, rate.duration
        now = time.time()
        start = int(now // window) * window
        key = f"api-rate:{token.pk}:{start}"
        if cache.add(key, 1, timeout=window + 1):
            used = 1
        else:
            try:
                used = cache.incr(key)
            except ValueError:  # the window's key expired between add and incr
                cache.add(key, 1, timeout=window + 1)
                used = 1
        self._local.wait = max(1, math.ceil(start + window - now))
        return used <= count

    def wait(self):
        return getattr(self._local, "wait", 1)


_ERROR = {"type": "object", "properties": {"detail": {"title": "Detail"}}, "required": ["detail"]}
_COMMON_RESPONSES = {
    "401": "No token, or one that is unknown, expired or revoked.",
    "422": "A parameter is missing or not of the expected form: `detail` lists each with its location.",
    "429": "Too many requests for this token: wait for the seconds in the Retry-After header.",
}


class TrustwideApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Every operation may answer 401, 422 and 429 in the same shape: say so in the document
        (clients and schemathesis rely on it)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in _COMMON_RESPONSES.items():
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {"application/json": {"schema": _ERROR}},
                        },
                    )
        return schema


api = TrustwideApi(
    title="Trustwide API",
    version="1",
    description=(
        "Read what your Trustwide pages show, for your own BI tools. Create a personal access token "
        "on your API tokens page and send it as `Authorization: Bearer <token>`."
    ),
    urls_namespace="apiv1",
    auth=TokenAuth(),
    throttle=[PerTokenThrottle()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(Throttled)
def _throttled(request, exc):
    seconds = int(exc.wait or 1) or 1
    response = api.create_response(
        request, {"detail": rules.RATE_LIMITED.format(seconds=seconds)}, status=429
    )
    response["Retry-After"] = str(seconds)
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Not allowed."}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=400)


from . import (  # noqa: E402
    endpoints_imports,
    endpoints_kpis,
    endpoints_registers,
    endpoints_school_work,
    endpoints_scope,
)

api.add_router("/", endpoints_scope.router)
api.add_router("/kpis", endpoints_kpis.router)
api.add_router("/", endpoints_registers.router)
api.add_router("/", endpoints_school_work.router)
api.add_router("/imports", endpoints_imports.router)
