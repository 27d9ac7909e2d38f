from django.urls import reverse

from . import rules


def school_links(user, school):
    if rules.may_see_school_register(user, school):
        return [(reverse("risks:school-register", args=[school.pk]), "Risk register")]
    return []


def trust_links(user, trust):
    if rules.may_see_trust_register(user, trust):
        label = "Trust risk register and heatmap"
        if not rules.sees_whole_trust_register(user, trust):
            label = "Trust risk register (trust risks and your hub's schools)"
        return [(reverse("risks:trust-register", args=[trust.slug]), label)]
    return []
