import pytest
from django.core.cache import cache

from trustwide.api import services


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    """Rate counts live in the cache, keyed by token id; ids repeat between tests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tokens(world):
    """A token for every role of the world (and trust B's leader): role -> Authorization header."""
    out = {}
    for role, user in [*world.users.items(), ("trust_b_leader", world.extra["trust_b_leader"])]:
        _, secret = services.token_create(actor=user, name=f"{role} BI", days=30)
        out[role] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    return out
