from django.urls import reverse

from . import rules


def school_links(user, school):
    if rules.may_see_school_register(user, school):
        return [(reverse("policies:school-register", args=[school.pk]), "Policies")]
    return []


def trust_links(user, trust):
    if rules.may_see_register(user, trust):
        return [(reverse("policies:trust-register", args=[trust.slug]), "Policies")]
    return []
