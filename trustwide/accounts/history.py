"""History rules (see trustwide/audit/history.py). Memberships are shown on the trust's People
page only, to those who manage memberships at trust level: so is their history."""

from trustwide.access import Perm, trust_ids_at

from .models import Membership


def _memberships(user):
    return Membership.objects.filter(trust_id__in=trust_ids_at(user, Perm.MEMBERSHIP_MANAGE))


VISIBLE = {"accounts.membership": _memberships}
