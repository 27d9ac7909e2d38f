from tests.conftest import login, world  # noqa: F401
