"""History rules (see trustwide/audit/history.py): sign-in providers are shown on the trust's
single sign-on settings, to those who manage its people at trust level."""

from trustwide.access import Perm, trust_ids_at

from .models import IdentityProvider, IdentityProviderDomain


def _providers(user):
    return IdentityProvider.objects.filter(trust_id__in=trust_ids_at(user, Perm.MEMBERSHIP_MANAGE))


VISIBLE = {
    "sso.identityprovider": _providers,
    "sso.identityproviderdomain": lambda user: IdentityProviderDomain.objects.filter(
        provider__in=_providers(user)
    ),
}
