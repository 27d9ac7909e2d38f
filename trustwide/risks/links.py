from django.urls import reverse

from trustwide.access import Perm, can, can_in_trust


def school_links(user, school):
    if can(user, Perm.RISK_VIEW, school):
        return [(reverse("risks:school-register", args=[school.pk]), "Risk register")]
    return []


def trust_links(user, trust):
    from .selectors import may_see_trust_register

    if may_see_trust_register(user, trust):
        label = "Trust risk register and heatmap"
        if not can_in_trust(user, Perm.RISK_VIEW, trust.pk):
            label = "Trust risk register (trust risks and your hub's schools)"
        return [(reverse("risks:trust-register", args=[trust.slug]), label)]
    return []
