from django.urls import reverse

from trustwide.access import Perm, can, can_in_trust, trust_ids


def school_links(user, school):
    links = []
    if can(user, Perm.GOVERNANCE_VIEW, school):
        from .models import GoverningBody

        for body in GoverningBody.objects.filter(school=school).only("pk", "name"):
            links.append((reverse("governance:body-detail", args=[body.pk]), body.name))
        links.append((reverse("governance:visit-list", args=[school.pk]), "Governor monitoring visits"))
    from .services import may_assign_at

    if may_assign_at(user, school.trust_id, school):
        links.append((reverse("governance:school-tasks", args=[school.pk]), "Annual-cycle tasks: who does what"))
    return links


def trust_links(user, trust):
    links = []
    if trust.pk in trust_ids(user, Perm.GOVERNANCE_VIEW):
        links.append((reverse("governance:trust", args=[trust.slug]), "Governance: bodies, meetings, skills"))
    if can_in_trust(user, Perm.STRATEGIC_PLAN_VIEW, trust.pk):
        links.append((reverse("governance:cycle", args=[trust.slug]), "Annual cycle calendar"))
    return links
