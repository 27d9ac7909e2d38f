"""The trust page links to its MIS feeds, for those who see or configure them."""

from django.urls import reverse

from .rules import may_see_trust_feeds


def trust_links(user, trust):
    if may_see_trust_feeds(user, trust):
        return [(reverse("feeds:trust-feeds", args=[trust.slug]), "MIS feeds")]
    return []
