"""Records every request made with an API token (after the answer, so its status is known)."""

from __future__ import annotations

from . import services


class ApiTokenUseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        token = getattr(request, "api_token", None)
        if token is not None:
            services.token_use_record(
                token=token, method=request.method, path=request.path, status=response.status_code
            )
        return response
