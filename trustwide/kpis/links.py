from django.urls import reverse

from . import rules


def school_links(user, school):
    if not rules.may_view_kpis(user, school):
        return []
    return [(reverse("kpis:school-kpis", kwargs={"pk": school.pk}), "KPIs")]


def trust_links(user, trust):
    if not rules.may_set_trust_targets(user, trust.pk):
        return []
    return [(reverse("kpis:trust-targets", kwargs={"slug": trust.slug}), "KPI targets")]
