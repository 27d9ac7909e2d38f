"""The trust page links to its sign-in settings, for those who may configure them."""

from django.urls import reverse

from .rules import may_configure_sso


def trust_links(user, trust):
    if may_configure_sso(user, trust):
        return [(reverse("sso:provider-list", args=[trust.slug]), "Single sign-on")]
    return []
