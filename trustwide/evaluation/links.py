"""Links to self-evaluation from the trust and school pages (see trustwide.accounts.links)."""

from django.urls import reverse

from . import rules


def school_links(user, school):
    if not rules.may_view_sef(user, school):
        return []
    return [(reverse("evaluation:school-sefs", kwargs={"pk": school.pk}), "Self-evaluation (SEF)")]


def trust_links(user, trust):
    links = []
    if rules.may_see_trust_overview(user, trust):
        links.append(
            (
                reverse("evaluation:trust-matrix", kwargs={"slug": trust.slug}),
                "Self-evaluation across schools",
            )
        )
    if rules.may_see_self_review(user, trust.pk):
        links.append(
            (
                reverse("evaluation:trust-self-review-list", kwargs={"slug": trust.slug}),
                "Trust self-review",
            )
        )
    if rules.may_see_frameworks(user, trust):
        links.append(
            (
                reverse("evaluation:framework-list", kwargs={"slug": trust.slug}),
                "Evaluation frameworks",
            )
        )
    return links
