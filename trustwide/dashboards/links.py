from django.urls import reverse

from trustwide.access import Perm, can

from .selectors import sees_trust_dashboard


def trust_links(user, trust):
    links = []
    if sees_trust_dashboard(user, trust):
        links.append((reverse("dashboards:trust-dashboard", kwargs={"slug": trust.slug}), "Trust dashboard"))
        links.append((reverse("dashboards:trust-concerns", kwargs={"slug": trust.slug}),
                      "Priorities from data and schools of concern"))
    if sees_trust_dashboard(user, trust, Perm.REPORT_VIEW):
        links.append((reverse("dashboards:board-report", kwargs={"slug": trust.slug}), "Board report"))
    return links


def school_links(user, school):
    links = []
    if can(user, Perm.KPI_VIEW, school):
        links.append((reverse("dashboards:school-dashboard", kwargs={"pk": school.pk}), "School dashboard"))
        links.append((reverse("dashboards:school-concerns", kwargs={"pk": school.pk}), "Priorities from data"))
    if can(user, Perm.REPORT_VIEW, school):
        links.append((reverse("dashboards:head-report", kwargs={"pk": school.pk}), "Head's report to governors"))
    return links
