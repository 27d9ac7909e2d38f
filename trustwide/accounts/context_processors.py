from trustwide.access import Perm
from trustwide.access import trust_ids as trusts_with


def navigation(request):
    """Links the header shows: only to places the user may go."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from trustwide.trusts.models import Trust

    trust_ids = sorted(trusts_with(user, Perm.TRUST_VIEW))
    trusts = list(Trust.objects.filter(pk__in=trust_ids).only("name", "slug")) if trust_ids else []
    return {"nav_trusts": trusts}
