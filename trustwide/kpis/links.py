from django.urls import reverse

from . import rules


def school_links(user, school):
    if not rules.may_view_kpis(user, school):
        return []
    links = [(reverse("kpis:school-kpis", kwargs={"pk": school.pk}), "KPIs")]
    if rules.may_view_subject_results(user, school):
        links.append(
            (reverse("kpis:school-subjects", kwargs={"pk": school.pk}), "Results by subject")
        )
    return links


def trust_links(user, trust):
    links = []
    if rules.sees_subject_results_in_trust(user, trust.pk):
        links.append(
            (reverse("kpis:trust-subjects", kwargs={"slug": trust.slug}), "Results by subject")
        )
    if rules.may_set_trust_targets(user, trust.pk):
        links.append((reverse("kpis:trust-targets", kwargs={"slug": trust.slug}), "KPI targets"))
    return links
