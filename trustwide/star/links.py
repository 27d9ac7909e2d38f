from django.urls import reverse

from . import rules


def school_links(user, school):
    if rules.may_see_school_projects(user, school):
        return [(reverse("star:school-projects", args=[school.pk]), "STAR projects")]
    return []


def trust_links(user, trust):
    links = []
    if rules.may_read_exemplars(user, trust):
        links.append((reverse("star:exemplars", args=[trust.slug]), "STAR best-practice exemplars"))
    if rules.may_see_overview(user, trust):
        links.append(
            (reverse("star:overview", args=[trust.slug]), "STAR projects: participation and impact")
        )
    return links
