"""Permission-matrix entries for the API token pages (see tests/matrix.py). The JSON API's own
routes are walked by test_api_matrix.py."""

from tests.matrix import ALL_ROLES, Entry
from trustwide.api import services


def _token_kwargs(world, target):
    # In scope: a token of the trust leader (only they may revoke it); out: trust B's leader's.
    owner = world.user("trust_leader") if target.in_scope else world.extra["trust_b_leader"]
    token, _ = services.token_create(actor=owner, name="Matrix", days=30)
    return {"pk": token.pk}


MATRIX = {
    "api:tokens": Entry(ok=ALL_ROLES, listing=True),
    "api:token-revoke": Entry(kwargs=_token_kwargs, method="post", ok={"trust_leader": 302}),
}
