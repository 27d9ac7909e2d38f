"""Links from the foundation's trust and school pages to self-evaluation, shown only to those
who may follow them (answered from memberships: no extra queries)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html_join

from trustwide.access import Perm, can, can_in_trust, trust_ids

from ..selectors import sees_trust_overview

register = template.Library()


def _links(links) -> str:
    return format_html_join(" ", '<a href="{}">{}</a>', links)


@register.simple_tag(takes_context=True)
def school_sef_links(context, school):
    user = context["request"].user
    if not can(user, Perm.SEF_VIEW, school):
        return ""
    return _links([(reverse("evaluation:school-sefs", kwargs={"pk": school.pk}), "Self-evaluation (SEF)")])


@register.simple_tag(takes_context=True)
def trust_sef_links(context, trust):
    user = context["request"].user
    links = []
    if sees_trust_overview(user, trust):
        links.append((reverse("evaluation:trust-matrix", kwargs={"slug": trust.slug}), "Self-evaluation across schools"))
    if can_in_trust(user, Perm.SEF_VIEW, trust.pk):
        links.append((reverse("evaluation:trust-self-review-list", kwargs={"slug": trust.slug}), "Trust self-review"))
    if trust.pk in trust_ids(user, Perm.SEF_VIEW):
        links.append((reverse("evaluation:framework-list", kwargs={"slug": trust.slug}), "Evaluation frameworks"))
    return _links(links)
