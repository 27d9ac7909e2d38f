from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.accounts.models import User
from trustwide.common.views import ScopedViewMixin, deny_unless
from trustwide.trusts.models import School, Trust

from . import history, rules, selectors
from .forms import AuditFilterForm


class TrustAuditView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
        deny_unless(rules.may_see_trust_audit(request.user, trust), rules.TRUST_AUDIT_REFUSED)
        people = User.objects.filter(memberships__trust=trust).distinct().only("full_name", "email")
        form = AuditFilterForm(
            request.GET or None,
            schools=School.objects.filter(trust=trust).only("name"),
            people=people,
        )
        filters = form.cleaned_data if form.is_valid() else {}
        events = selectors.trust_audit_events(
            user=request.user,
            trust=trust,
            school_id=filters.get("school"),
            actor_id=filters.get("person"),
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
        )
        page = Paginator(events, 50).get_page(request.GET.get("page"))
        template = "audit/partials/_event_table.html" if request.htmx else "audit/trust_audit.html"
        return render(request, template, {"trust": trust, "form": form, "page": page})


class ObjectHistoryView(ScopedViewMixin, View):
    """History of an audited object: only an object the user may open on its own page (the
    app's rule in <app>/history.py) and whose history they may read (history.view there).
    Anything else, whether missing, out of scope or without a page, is 404."""

    def get(self, request, object_type, object_id):
        rule = history.rules().get(object_type.lower())
        if rule is None or not str(object_id).isdigit():
            raise Http404("No history here.")
        visible = rule(request.user)
        try:
            instance = visible.get(pk=int(object_id))
        except visible.model.DoesNotExist as exc:
            raise Http404("No history here.") from exc
        if not history.may_read_history(request.user, instance):
            raise Http404("No history here.")
        page = Paginator(selectors.object_history(instance=instance), 50).get_page(
            request.GET.get("page")
        )
        return render(request, "audit/object_history.html", {"object": instance, "page": page})
