"""The project's shared fixtures (tests/conftest.py applies only under tests/)."""

from tests.conftest import login, world  # noqa: F401
