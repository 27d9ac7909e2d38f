from django.urls import reverse

from . import rules


def trust_links(user, trust):
    links = []
    if rules.sees_trust_dashboard(user, trust):
        links.append(
            (reverse("dashboards:trust-dashboard", kwargs={"slug": trust.slug}), "Trust dashboard")
        )
        links.append(
            (
                reverse("dashboards:trust-concerns", kwargs={"slug": trust.slug}),
                "Priorities from data and schools of concern",
            )
        )
    if rules.sees_board_report(user, trust):
        links.append(
            (reverse("dashboards:board-report", kwargs={"slug": trust.slug}), "Board report")
        )
    return links


def school_links(user, school):
    links = []
    if rules.sees_school_dashboard(user, school):
        links.append(
            (reverse("dashboards:school-dashboard", kwargs={"pk": school.pk}), "School dashboard")
        )
        links.append(
            (
                reverse("dashboards:school-concerns", kwargs={"pk": school.pk}),
                "Priorities from data",
            )
        )
    if rules.sees_tracking(user, school):
        links.append(
            (
                reverse("dashboards:tracking", kwargs={"pk": school.pk}),
                "In-year tracking (teacher assessment)",
            )
        )
    if rules.sees_head_report(user, school):
        links.append(
            (
                reverse("dashboards:head-report", kwargs={"pk": school.pk}),
                "Head's report to governors",
            )
        )
    return links
