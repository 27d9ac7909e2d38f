"""Publishing pocket guides: publish (trust or school), share and revoke the public link, and the
public read-only page behind that link (no login, no personal data)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin, deny_unless, messages_from
from trustwide.trusts.models import School

from .. import rules, selectors, services
from ..models import GuideKind, GuidePublication, SchoolPlan
from .strategic import _trust, _year


def _guide_url(publication_or_none, trust, school, year) -> str:
    if school is not None:
        return (
            reverse("planning:school-pocket-guide", args=[school.pk]) + f"?year={year.start_year}"
        )
    return reverse("planning:pocket-guide", args=[trust.slug]) + f"?year={year.start_year}"


class TrustGuidePublishView(ScopedViewMixin, View):
    def post(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.may_publish_guide(request.user, trust), rules.PUBLISH_REFUSED)
        year = _year(trust, request)
        try:
            services.pocket_guide_publish(
                actor=request.user, trust=trust, academic_year=year, kind=GuideKind.MSP
            )
        except ValidationError as exc:
            messages_from(request, exc)
        else:
            messages.success(
                request,
                "Published: everyone in the trust sees it on their home page and has an email.",
            )
        return redirect(_guide_url(None, trust, None, year))


class SchoolGuidePublishView(ScopedViewMixin, View):
    def post(self, request, pk, kind):
        school = get_object_or_404_for(
            request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
        )
        deny_unless(
            rules.may_publish_guide(request.user, school.trust, school), rules.PUBLISH_REFUSED
        )
        year = _year(school.trust, request)
        try:
            services.pocket_guide_publish(
                actor=request.user, trust=school.trust, academic_year=year, kind=kind, school=school
            )
        except ValidationError as exc:
            messages_from(request, exc)
        else:
            messages.success(
                request, "Published: the school's staff and governors see it and have an email."
            )
        return redirect(_guide_url(None, school.trust, school, year))


class PublicLinkView(ScopedViewMixin, View):
    """POST share (a new token) or, with revoke=1, revoke the public link."""

    def post(self, request, pk):
        publication = (
            GuidePublication.objects.select_related("trust", "school", "academic_year")
            .filter(pk=pk)
            .first()
        )
        # Everyone who sees the trust's strategic plan sees its publications; others: not found.
        if publication is None or not rules.may_view_strategic_plan(
            request.user, publication.trust
        ):
            raise Http404("No such publication.")
        deny_unless(
            rules.may_edit_strategic_plan(request.user, publication.trust_id),
            rules.PUBLIC_LINK_REFUSED,
        )
        try:
            if request.POST.get("revoke"):
                services.pocket_guide_revoke_public(actor=request.user, publication=publication)
                messages.success(request, "The public link no longer works.")
            else:
                publication = services.pocket_guide_share_public(
                    actor=request.user, publication=publication
                )
                link = request.build_absolute_uri(
                    reverse("planning:public-pocket-guide", args=[publication.public_token])
                )
                messages.success(request, f"Public link for the website: {link}")
        except ValidationError as exc:
            messages_from(request, exc)
        return redirect(
            _guide_url(
                publication, publication.trust, publication.school, publication.academic_year
            )
        )


class PublicPocketGuideView(View):
    """No login: priorities only (codes, titles, headlines), never names of people."""

    def get(self, request, token):
        publication = (
            GuidePublication.objects.select_related("trust", "school", "academic_year")
            .filter(public_token=token)
            .exclude(public_token__isnull=True)
            .first()
        )
        if publication is None or not token:
            raise Http404("This link is not (or no longer) shared.")
        groups, priorities = [], []
        if publication.kind == GuideKind.MSP:
            guide = selectors.pocket_guide_for(
                trust=publication.trust, academic_year=publication.academic_year
            )
            groups = selectors.pocket_guide_groups(guide)
        else:
            plan = SchoolPlan.objects.filter(
                school=publication.school,
                academic_year=publication.academic_year,
                kind=publication.kind,
            ).first()
            priorities = list(plan.priorities.all()) if plan else []
        return render(
            request,
            "planning/public_pocket_guide.html",
            {"publication": publication, "groups": groups, "priorities": priorities},
        )
