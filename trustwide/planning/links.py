from django.urls import reverse

from trustwide.access import Perm, can, trust_ids


def school_links(user, school):
    links = []
    if can(user, Perm.PLAN_VIEW, school):
        links.append((reverse("planning:plan-list", kwargs={"pk": school.pk}), "Improvement plans (SIP and BDP)"))
        links.append((reverse("planning:school-pocket-guide", kwargs={"pk": school.pk}), "Pocket guide"))
    return links


def trust_links(user, trust):
    links = []
    if trust.pk in trust_ids(user, Perm.STRATEGIC_PLAN_VIEW):
        links.append((reverse("planning:strategic-plan", kwargs={"slug": trust.slug}), "Trust strategic plan"))
    if trust.pk in trust_ids(user, Perm.PLAN_VIEW):
        links.append((reverse("planning:rollup", kwargs={"slug": trust.slug}), "Plan RAG roll-up"))
    return links
