from django.urls import reverse

from trustwide.access import Perm, can, can_in_trust


def school_links(user, school):
    if can(user, Perm.RISK_VIEW, school):
        return [(reverse("risks:school-register", args=[school.pk]), "Risk register")]
    return []


def trust_links(user, trust):
    if can_in_trust(user, Perm.RISK_VIEW, trust.pk):
        return [(reverse("risks:trust-register", args=[trust.slug]), "Trust risk register and heatmap")]
    return []
