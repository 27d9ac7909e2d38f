"""Links to self-evaluation from the trust and school pages (see trustwide.accounts.links)."""

from django.urls import reverse

from trustwide.access import Perm, can, can_in_trust, trust_ids

from .selectors import sees_trust_overview


def school_links(user, school):
    if not can(user, Perm.SEF_VIEW, school):
        return []
    return [(reverse("evaluation:school-sefs", kwargs={"pk": school.pk}), "Self-evaluation (SEF)")]


def trust_links(user, trust):
    links = []
    if sees_trust_overview(user, trust):
        links.append((reverse("evaluation:trust-matrix", kwargs={"slug": trust.slug}), "Self-evaluation across schools"))
    if can_in_trust(user, Perm.SEF_VIEW, trust.pk):
        links.append((reverse("evaluation:trust-self-review-list", kwargs={"slug": trust.slug}), "Trust self-review"))
    if trust.pk in trust_ids(user, Perm.SEF_VIEW):
        links.append((reverse("evaluation:framework-list", kwargs={"slug": trust.slug}), "Evaluation frameworks"))
    return links
