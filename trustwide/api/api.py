"""The JSON API for trusts' BI tools (django-ninja): personal access tokens (Bearer), a per-token
rate limit, a compact record of every token use, and the routers. It reads only through the
owning apps' selectors and rules, so it answers exactly what the pages show."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI
from ninja.errors import Throttled
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

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


class PerTokenThrottle(SimpleRateThrottle):
    """TRUSTWIDE_API_RATE requests per token (e.g. "120/m"), counted in Django's cache."""

    scope = "api-token"

    def get_rate(self):
        return getattr(settings, "TRUSTWIDE_API_RATE", "120/m")

    def get_cache_key(self, request):
        token = getattr(request, "api_token", None)
        if token is None:
            return None  # unauthenticated requests never reach an operation
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


api = NinjaAPI(
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
    response = api.create_response(request, {"detail": rules.RATE_LIMITED.format(seconds=seconds)}, status=429)
    response["Retry-After"] = str(seconds)
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Not allowed."}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=400)


from . import endpoints_imports, endpoints_kpis, endpoints_registers, endpoints_scope  # noqa: E402

api.add_router("/", endpoints_scope.router)
api.add_router("/kpis", endpoints_kpis.router)
api.add_router("/", endpoints_registers.router)
api.add_router("/imports", endpoints_imports.router)
