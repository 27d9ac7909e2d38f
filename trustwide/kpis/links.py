from django.urls import reverse

from trustwide.access import Perm, can, can_in_trust


def school_links(user, school):
    if not can(user, Perm.KPI_VIEW, school):
        return []
    return [(reverse("kpis:school-kpis", kwargs={"pk": school.pk}), "KPIs")]


def trust_links(user, trust):
    if not can_in_trust(user, Perm.KPI_TARGETS_EDIT, trust.pk):
        return []
    return [(reverse("kpis:trust-targets", kwargs={"slug": trust.slug}), "KPI targets")]
