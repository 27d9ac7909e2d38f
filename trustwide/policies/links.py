from django.urls import reverse

from trustwide.access import Perm, can


def school_links(user, school):
    if can(user, Perm.POLICY_VIEW, school):
        return [(reverse("policies:school-register", args=[school.pk]), "Policies")]
    return []


def trust_links(user, trust):
    from .selectors import may_see_register

    if may_see_register(user, trust):
        return [(reverse("policies:trust-register", args=[trust.slug]), "Policies")]
    return []
