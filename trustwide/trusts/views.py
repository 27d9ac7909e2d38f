from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views import View

from trustwide.access import Perm, can, get_object_or_404_for
from trustwide.accounts import links
from trustwide.audit.selectors import object_history
from trustwide.common.views import ScopedViewMixin

from . import selectors, services
from .forms import SchoolFilterForm, SchoolProfileForm
from .models import Hub, School, Trust


class TrustDetailView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
        user = request.user
        context = {
            "trust": trust,
            "hubs": list(selectors.hubs_for(user=user, trust=trust)),
            "schools": list(selectors.schools_for(user=user, trust=trust)),
            "academic_years": list(trust.academic_years.prefetch_related("terms")),
            "people": list(selectors.people_of_trust(trust=trust)) if can(user, Perm.PEOPLE_VIEW, trust) else None,
            "can_manage_people": can(user, Perm.MEMBERSHIP_MANAGE, trust),
            "can_view_audit": can(user, Perm.AUDIT_VIEW_TRUST, trust),
            "section_links": links.trust_links(user, trust),
        }
        return render(request, "trusts/trust_detail.html", context)


class HubDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        hub = get_object_or_404_for(
            request.user, Perm.HUB_VIEW, Hub.objects.select_related("trust", "executive_headteacher"), pk=pk
        )
        schools = list(selectors.schools_for(user=request.user, hub_id=hub.pk))
        return render(request, "trusts/hub_detail.html", {"hub": hub, "schools": schools})


class SchoolListView(ScopedViewMixin, View):
    def get(self, request):
        user = request.user
        hubs = list(selectors.hubs_for(user=user))
        form = SchoolFilterForm(request.GET or None, hubs=hubs)
        hub_id = phase = None
        if form.is_valid():
            hub_id, phase = form.cleaned_data["hub"], form.cleaned_data["phase"]
        schools = list(selectors.schools_for(user=user, hub_id=hub_id, phase=phase))
        template = "trusts/partials/_school_table.html" if request.htmx else "trusts/school_list.html"
        return render(request, template, {"schools": schools, "form": form, "show_hub_filter": bool(hubs)})


class SchoolDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        user = request.user
        school = get_object_or_404_for(
            user, Perm.SCHOOL_VIEW, selectors.schools_for(user=user), pk=pk
        )
        context = {
            "school": school,
            "inspection": school.latest_inspection,
            "people": list(selectors.people_of_school(school=school)) if can(user, Perm.PEOPLE_VIEW, school) else None,
            "can_edit": can(user, Perm.SCHOOL_EDIT, school),
            "history": list(object_history(instance=school)[:10]) if can(user, Perm.HISTORY_VIEW, school) else None,
            "section_links": links.school_links(user, school),
        }
        return render(request, "trusts/school_detail.html", context)


class SchoolUpdateView(ScopedViewMixin, View):
    def _school(self, request, pk):
        school = get_object_or_404_for(request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk)
        if not can(request.user, Perm.SCHOOL_EDIT, school):
            raise PermissionDenied("You may not edit this school's profile.")
        return school

    def get(self, request, pk):
        school = self._school(request, pk)
        return render(request, "trusts/school_form.html", {"school": school, "form": SchoolProfileForm(instance=school)})

    def post(self, request, pk):
        school = self._school(request, pk)
        # Bind a copy so a failed form does not leave the instance half-changed.
        form = SchoolProfileForm(request.POST, instance=School.objects.get(pk=school.pk))
        if form.is_valid():
            services.school_update(actor=request.user, school=school, **form.cleaned_data)
            messages.success(request, "School profile saved.")
            return redirect("trusts:school-detail", pk=school.pk)
        return render(request, "trusts/school_form.html", {"school": school, "form": form}, status=400)
