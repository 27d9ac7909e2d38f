"""Permission-matrix entries for the single sign-on URLs (see tests/matrix.py)."""

from tests.matrix import Entry, t_kwargs

from .factories import identity_provider

ADMIN = {"trust_administrator"}


def _provider(world, target):
    return {"pk": identity_provider(target.trust).pk}


MATRIX = {
    # Public: the address step, and the provider's return (400 with no sign-in in progress).
    "sso:start": Entry(public=True, anonymous=200),
    "sso:callback": Entry(public=True, anonymous=400),
    # Settings: trust administrators only; others in the trust 403, other trusts 404.
    "sso:provider-list": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=ADMIN, denied=403),
    "sso:provider-create": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=ADMIN, denied=403),
    "sso:provider-edit": Entry(kwargs=_provider, ok=ADMIN, denied=403),
    "sso:provider-delete": Entry(kwargs=_provider, ok=ADMIN, denied=403),
}
