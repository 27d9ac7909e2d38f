"""Links to peer review and support from the trust and school pages (see trustwide.accounts.links)."""

from django.urls import reverse

from trustwide.access import Perm, trust_ids

from . import rules


def school_links(user, school):
    if not rules.may_read_school(user, school):
        return []
    label = "Peer review and support"
    if rules.may_read_support(user, school):
        from .selectors import school_non_negotiables

        latest, items = school_non_negotiables(user=user, school=school)
        if latest is not None:
            label += f" ({latest.get_category_display().lower()}"
            label += (
                f", {len(items)} non-negotiable{'s' if len(items) != 1 else ''})" if items else ")"
            )
    return [(reverse("peer_review:school", kwargs={"pk": school.pk}), label)]


def trust_links(user, trust):
    links = []
    if rules.may_read_in_trust(user, trust):
        links.append(
            (
                reverse("peer_review:overview", kwargs={"slug": trust.slug}),
                "Peer review: triads and rota",
            )
        )
    if rules.may_read_support_in_trust(user, trust):
        links.append(
            (reverse("peer_review:support", kwargs={"slug": trust.slug}), "Support levels")
        )
    if rules.may_manage_support(user, trust.pk):
        links.append(
            (
                reverse("peer_review:expertise-register", kwargs={"slug": trust.slug}),
                "Expertise register",
            )
        )
    if trust.pk in trust_ids(user, Perm.TRUST_VIEW):
        links.append(
            (reverse("peer_review:expertise-mine", kwargs={"slug": trust.slug}), "My expertise")
        )
    return links
