"""The id of the request being served, so audit rows from one request can be grouped."""

import contextvars

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("trustwide_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str):
    return _request_id.set(value)


def reset_request_id(token) -> None:
    _request_id.reset(token)
