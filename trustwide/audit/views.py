from django.apps import apps
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views import View

from trustwide.access import Perm, get_object_or_404_for, restrict
from trustwide.accounts.models import User
from trustwide.common.views import ScopedViewMixin, deny_unless
from trustwide.trusts.models import School, Trust

from . import rules, selectors
from .forms import AuditFilterForm


class TrustAuditView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
        deny_unless(rules.may_see_trust_audit(request.user, trust), rules.TRUST_AUDIT_REFUSED)
        people = User.objects.filter(memberships__trust=trust).distinct().only("full_name", "email")
        form = AuditFilterForm(request.GET or None, schools=School.objects.filter(trust=trust).only("name"), people=people)
        filters = form.cleaned_data if form.is_valid() else {}
        events = selectors.trust_audit_events(
            user=request.user, trust=trust, school_id=filters.get("school"),
            actor_id=filters.get("person"), date_from=filters.get("date_from"), date_to=filters.get("date_to"),
        )
        page = Paginator(events, 50).get_page(request.GET.get("page"))
        template = "audit/partials/_event_table.html" if request.htmx else "audit/trust_audit.html"
        return render(request, template, {"trust": trust, "form": form, "page": page})


class ObjectHistoryView(ScopedViewMixin, View):
    """History of any audited object the user may see (and whose history they may read)."""

    def get(self, request, object_type, object_id):
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError) as exc:
            raise Http404("Unknown kind of object.") from exc
        view_perm = getattr(model, "view_permission", None)
        if not view_perm or not str(object_id).isdigit():
            raise Http404("No history here.")
        queryset = restrict(model._default_manager.all(), request.user, Perm.HISTORY_VIEW)
        instance = get_object_or_404_for(request.user, view_perm, queryset, pk=int(object_id))
        page = Paginator(selectors.object_history(instance=instance), 50).get_page(request.GET.get("page"))
        return render(request, "audit/object_history.html", {"object": instance, "page": page})
