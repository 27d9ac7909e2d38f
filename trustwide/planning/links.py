from django.urls import reverse

from . import rules


def school_links(user, school):
    links = []
    if rules.may_view_plans(user, school):
        links.append(
            (
                reverse("planning:plan-list", kwargs={"pk": school.pk}),
                "Improvement plans (SIP and BDP)",
            )
        )
        links.append(
            (reverse("planning:school-pocket-guide", kwargs={"pk": school.pk}), "Pocket guide")
        )
    return links


def trust_links(user, trust):
    links = []
    if rules.may_view_strategic_plan(user, trust):
        links.append(
            (
                reverse("planning:strategic-plan", kwargs={"slug": trust.slug}),
                "Trust strategic plan",
            )
        )
    if rules.may_view_rollup(user, trust):
        links.append((reverse("planning:rollup", kwargs={"slug": trust.slug}), "Plan RAG roll-up"))
    return links
