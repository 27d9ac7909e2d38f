from django.urls import reverse

from . import rules


def school_links(user, school):
    links = []
    if rules.may_see_school(user, school):
        from .models import GoverningBody

        for body in GoverningBody.objects.filter(school=school).only("pk", "name"):
            links.append((reverse("governance:body-detail", args=[body.pk]), body.name))
        links.append(
            (reverse("governance:visit-list", args=[school.pk]), "Governor monitoring visits")
        )
    if rules.may_assign_at(user, school.trust_id, school):
        links.append(
            (
                reverse("governance:school-tasks", args=[school.pk]),
                "Annual-cycle tasks: who does what",
            )
        )
    return links


def trust_links(user, trust):
    links = []
    if rules.may_see_trust(user, trust):
        links.append(
            (reverse("governance:trust", args=[trust.slug]), "Governance: bodies, meetings, skills")
        )
    if rules.may_see_cycle(user, trust):
        links.append((reverse("governance:cycle", args=[trust.slug]), "Annual cycle calendar"))
    return links
