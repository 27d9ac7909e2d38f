from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.accounts import links
from trustwide.accounts import rules as people_rules
from trustwide.audit import rules as audit_rules
from trustwide.audit.selectors import object_history
from trustwide.common.views import ScopedViewMixin, deny_unless, form_page

from . import inspections, rules, selectors, services
from .forms import InspectionForm, SchoolFilterForm, SchoolProfileForm
from .models import Hub, School, Trust


class TrustDetailView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
        user = request.user
        today = timezone.localdate()
        schools = list(selectors.schools_for(user=user, trust=trust))
        context = {
            "trust": trust,
            "hubs": list(selectors.hubs_for(user=user, trust=trust)),
            "schools": [s for s in schools if s.is_open_on(today)],
            "former_schools": [s for s in schools if s.left_trust_on and s.left_trust_on < today],
            "future_schools": [
                s for s in schools if s.joined_trust_on and s.joined_trust_on > today
            ],
            "can_edit_trust": rules.may_edit_trust(user, trust),
            "academic_years": list(trust.academic_years.prefetch_related("terms")),
            "people": list(selectors.people_of_trust(trust=trust))
            if rules.may_see_people(user, trust)
            else None,
            "can_manage_people": people_rules.may_manage_people(user, trust),
            "can_edit_years": rules.may_edit_trust(user, trust),
            "can_view_audit": audit_rules.may_see_trust_audit(user, trust),
            "section_links": links.trust_links(user, trust),
        }
        return render(request, "trusts/trust_detail.html", context)


class HubDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        hub = get_object_or_404_for(
            request.user,
            Perm.HUB_VIEW,
            Hub.objects.select_related("trust", "executive_headteacher"),
            pk=pk,
        )
        schools = list(
            selectors.schools_for(user=request.user, hub_id=hub.pk, open_on=timezone.localdate())
        )
        return render(
            request,
            "trusts/hub_detail.html",
            {
                "hub": hub,
                "schools": schools,
                "can_edit": rules.may_edit_trust(request.user, hub.trust),
            },
        )


class SchoolListView(ScopedViewMixin, View):
    def get(self, request):
        user = request.user
        hubs = list(selectors.hubs_for(user=user))
        form = SchoolFilterForm(request.GET or None, hubs=hubs)
        hub_id = phase = None
        if form.is_valid():
            hub_id, phase = form.cleaned_data["hub"], form.cleaned_data["phase"]
        schools = list(
            selectors.schools_for(
                user=user, hub_id=hub_id, phase=phase, open_on=timezone.localdate()
            )
        )
        template = (
            "trusts/partials/_school_table.html" if request.htmx else "trusts/school_list.html"
        )
        return render(
            request, template, {"schools": schools, "form": form, "show_hub_filter": bool(hubs)}
        )


class SchoolDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        user = request.user
        school = get_object_or_404_for(
            user, Perm.SCHOOL_VIEW, selectors.schools_for(user=user), pk=pk
        )
        context = {
            "school": school,
            "inspection": inspections.read_inspection(school.latest_inspection),
            "inspection_row": school.latest_inspection,
            "monitoring_visits": [
                i for i in school.inspections.all() if i.kind == inspections.MONITORING_VISIT
            ],
            "people": list(selectors.people_of_school(school=school))
            if rules.may_see_people(user, school)
            else None,
            "can_edit": rules.may_edit_school(user, school),
            "can_close": rules.may_edit_trust(user, school.trust) and school.left_trust_on is None,
            "predecessors": list(school.predecessor_links.all()),
            "can_record_inspection": rules.may_record_inspection(user, school),
            "history": list(object_history(instance=school)[:10])
            if audit_rules.may_see_history(user, school)
            else None,
            "section_links": links.school_links(user, school),
            "calendar_url": _calendar_url(user, school),
        }
        return render(request, "trusts/school_detail.html", context)


def _calendar_url(user, school) -> str | None:
    """The school's calendar page (its current year) for those who edit it."""
    if not rules.may_edit_calendar(user, school.trust, school):
        return None
    return reverse("trusts:school-calendar", args=[school.pk])


class SchoolUpdateView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        school = get_object_or_404_for(
            request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
        )
        deny_unless(rules.may_edit_school(request.user, school), rules.EDIT_SCHOOL_REFUSED)
        # Bind a copy so a failed form does not leave the instance half-changed.
        form = SchoolProfileForm(request.POST or None, instance=School.objects.get(pk=school.pk))
        url = reverse("trusts:school-detail", args=[school.pk])
        return form_page(
            request,
            form,
            lambda f: services.school_update(actor=request.user, school=school, **f.cleaned_data),
            success_url=url,
            success_message="School profile saved.",
            title=f"Edit profile: {school.name}",
            back_url=url,
            context={"back": school.name},
        )


class InspectionCreateView(ScopedViewMixin, View):
    """Record an inspection or monitoring visit; ?framework= picks the framework (report card
    by default, as every inspection since 10 November 2025 is one)."""

    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        school = get_object_or_404_for(
            request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
        )
        deny_unless(
            rules.may_record_inspection(request.user, school), rules.RECORD_INSPECTION_REFUSED
        )
        framework = request.GET.get("framework") or inspections.REPORT_CARD_2025
        if framework not in inspections.FRAMEWORKS:
            raise Http404("Unknown inspection framework.")
        form = InspectionForm(request.POST or None, school=school, framework=framework)
        url = reverse("trusts:school-detail", args=[school.pk])
        others = [
            (
                reverse("trusts:inspection-add", args=[school.pk]) + f"?framework={code}",
                f"Use the {name} instead",
            )
            for code, name in inspections.FRAMEWORK_CHOICES
            if code != framework
        ]
        return form_page(
            request,
            form,
            lambda f: services.inspection_record(
                actor=request.user,
                school=school,
                framework=framework,
                kind=f.cleaned_data["kind"],
                inspected_on=f.cleaned_data["inspected_on"],
                report_url=f.cleaned_data["report_url"],
                grades=f.grades(),
            ),
            success_url=url,
            success_message="Inspection recorded.",
            title=f"Record an inspection: {school.name} ({inspections.FRAMEWORKS[framework].name})",
            back_url=url,
            context={"back": school.name, "alternatives": others},
        )
