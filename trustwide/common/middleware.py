import uuid

from .request_context import reset_request_id, sanitise_client_request_id, set_request_id


class SecurityHeadersMiddleware:
    """Gives each request an id (for audit rows) and sets headers Django does not.

    The id is generated here, never taken from the client: a client's X-Request-ID could
    otherwise forge or collide with the ids that group audit rows. The client's value is kept
    separately (sanitised) so a caller can still correlate its own logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex
        client_request_id = sanitise_client_request_id(request.headers.get("X-Request-ID"))
        token = set_request_id(request_id, client_request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response.setdefault("X-Request-ID", request_id)
        response.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
        )
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
