from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin, deny_unless, form_page
from trustwide.trusts.models import School, Trust

from . import notify, rules, selectors, services
from .forms import FeedSettingsForm, SourceForm
from .tasks import run_source


def _trust(request, slug) -> Trust:
    return get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)


class TrustFeedsView(ScopedViewMixin, View):
    """The trust's feeds: each school's source, and the latest runs the user may see."""

    def get(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.may_see_trust_feeds(request.user, trust), rules.RUNS_REFUSED)
        return render(
            request,
            "feeds/trust_feeds.html",
            {
                "trust": trust,
                "sources": list(selectors.sources_for(user=request.user, trust=trust)),
                "runs": list(selectors.runs_for(user=request.user, trust=trust)[:50]),
                "may_manage": rules.may_manage_feeds(request.user, trust),
                "stale_days": notify.stale_days(trust),
            },
        )


def _source_form_page(request, trust, form, save, title):
    back = reverse("feeds:trust-feeds", args=[trust.slug])
    return form_page(
        request,
        form,
        lambda f: save(f.cleaned_data),
        title=title,
        back_url=back,
        success_url=lambda source: reverse("feeds:source-detail", args=[source.pk]),
        success_message="Feed source saved.",
        context={"back": "MIS feeds"},
    )


class SourceCreateView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.may_manage_feeds(request.user, trust), rules.MANAGE_REFUSED)
        form = SourceForm(request.POST or None, schools=School.objects.filter(trust=trust))
        return _source_form_page(
            request,
            trust,
            form,
            lambda data: services.source_create(actor=request.user, trust=trust, **data),
            "Add a feed source",
        )

    post = get


class SourceEditView(ScopedViewMixin, View):
    def get(self, request, pk):
        source = selectors.source_for_page(request.user, pk)
        deny_unless(rules.may_manage_feeds(request.user, source.trust), rules.MANAGE_REFUSED)
        initial = {
            "school": source.school_id,
            "kind": source.kind,
            "folder": source.folder,
            "wonde_school_id": source.wonde_school_id,
            "every_hours": source.every_hours,
            "is_enabled": source.is_enabled,
        }
        form = SourceForm(
            request.POST or None,
            initial=initial,
            schools=School.objects.filter(trust=source.trust),
            token_saved=source.has_token,
        )
        return _source_form_page(
            request,
            source.trust,
            form,
            lambda data: services.source_update(actor=request.user, source=source, **data),
            f"Edit {source}",
        )

    post = get


class SourceDetailView(ScopedViewMixin, View):
    """One school's source and its run history."""

    def get(self, request, pk):
        source = selectors.source_for_page(request.user, pk)
        return render(
            request,
            "feeds/source_detail.html",
            {
                "source": source,
                "runs": list(selectors.runs_for(user=request.user, source=source)[:100]),
                "may_manage": rules.may_manage_feeds(request.user, source.trust),
            },
        )


class SourceRunNowView(ScopedViewMixin, View):
    def post(self, request, pk):
        source = selectors.source_for_page(request.user, pk)
        deny_unless(rules.may_manage_feeds(request.user, source.trust), rules.MANAGE_REFUSED)
        run_source.enqueue(source.pk, f"run now by {request.user}")
        messages.info(request, "The source is being run: its result appears below.")
        return redirect("feeds:source-detail", pk=source.pk)


class RunDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        run = selectors.run_for_page(request.user, pk)
        return render(request, "feeds/run_detail.html", {"run": run, "source": run.source})


class FeedSettingsView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.may_manage_feeds(request.user, trust), rules.MANAGE_REFUSED)
        form = FeedSettingsForm(
            request.POST or None, initial={"stale_after_days": notify.stale_days(trust)}
        )
        back = reverse("feeds:trust-feeds", args=[trust.slug])
        return form_page(
            request,
            form,
            lambda f: services.settings_save(actor=request.user, trust=trust, **f.cleaned_data),
            title="Stale-data warning",
            back_url=back,
            success_url=back,
            success_message="Saved: data managers are warned when a school's data is older.",
            context={"back": "MIS feeds"},
        )

    post = get
