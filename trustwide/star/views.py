"""STAR project pages: a school's projects, one project, its write-up, start, evaluation,
exemplary marking and deletion; the trust's exemplars and the trust overview."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from trustwide.access import Perm, can, can_in_trust, get_object_or_404_for
from trustwide.common.views import (
    ScopedViewMixin,
    delete_page,
    deny_unless,
    form_page,
    messages_from,
)
from trustwide.trusts.models import School, Trust

from . import rules, selectors, services
from .forms import EvaluateForm, ExemplaryForm, StarProjectForm
from .models import StarProject, StarStatus


def _school(request, pk) -> School:
    school = get_object_or_404_for(
        request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
    )
    deny_unless(rules.may_see_school_projects(request.user, school), rules.SCHOOL_REFUSED)
    return school


def _trust(request, slug) -> Trust:
    return get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)


def _project(request, pk) -> StarProject:
    project = selectors.project_for(request.user, pk)
    if project is None:
        raise Http404("No STAR project found.")
    return project


def _editable(request, pk) -> StarProject:
    project = _project(request, pk)
    member_ids = {m.user_id for m in project.team.all()}
    deny_unless(rules.may_edit(request.user, project, member_ids), rules.EDIT_REFUSED)
    return project


class _FormPage(ScopedViewMixin, View):
    """A page whose GET shows a form and whose POST submits it: both go through handle()."""

    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)


def _project_url(project) -> str:
    return reverse("star:project-detail", args=[project.pk])


class SchoolProjectsView(ScopedViewMixin, View):
    def get(self, request, pk):
        school = _school(request, pk)
        return render(
            request,
            "star/school_projects.html",
            {
                "school": school,
                "projects": selectors.school_projects(school),
                "can_start": rules.may_start_project(request.user, school),
                "can_read_exemplars": rules.may_read_exemplars(request.user, school.trust),
            },
        )


class ProjectDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        project = _project(request, pk)
        member_ids = {m.user_id for m in project.team.all()}
        return render(
            request,
            "star/project_detail.html",
            {
                "project": project,
                "can_edit": rules.may_edit(request.user, project, member_ids),
                "can_mark": rules.may_mark_exemplary(request.user, project),
                # The appraisal objective is shown where the plan's objectives are readable.
                "show_objective": project.objective_id
                and can(request.user, Perm.PLAN_VIEW, project.school),
            },
        )


class ProjectCreateView(_FormPage):
    def handle(self, request, pk):
        school = _school(request, pk)
        deny_unless(rules.may_start_project(request.user, school), rules.RUN_REFUSED)
        choose_lead = rules.may_edit_school_projects(request.user, school)
        form = StarProjectForm(request.POST or None, school=school, choose_lead=choose_lead)

        def save(form):
            values = form.values()
            lead = values.pop("lead", None) or request.user
            return services.star_project_create(
                actor=request.user, school=school, lead=lead, **values
            )

        back = reverse("star:school-projects", args=[school.pk])
        return form_page(
            request,
            form,
            save,
            success_url=_project_url,
            success_message="STAR project saved as a draft.",
            context={
                "title": "New STAR project",
                "subtitle": school.name,
                "intro": "Intent: your question and where things stand now. Implementation: "
                "what you will do and how you will know. You evaluate the impact in October.",
                "back_url": back,
                "back": "STAR projects",
            },
        )


class ProjectEditView(_FormPage):
    def handle(self, request, pk):
        project = _editable(request, pk)
        url = _project_url(project)
        if project.status == StarStatus.EVALUATED:
            messages.error(request, "An evaluated project is on record as it was evaluated.")
            return redirect(url)
        form = StarProjectForm(
            request.POST or None,
            instance=StarProject.objects.get(pk=project.pk),
            school=project.school,
            choose_lead=rules.may_edit_school_projects(request.user, project.school),
        )

        def save(form):
            values = form.values()
            return services.star_project_update(
                actor=request.user,
                project=project,
                lead=values.pop("lead", None),
                members=values.pop("members", []),
                **values,
            )

        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="STAR project saved.",
            context={"title": f"Edit: {project.title}", "back_url": url, "back": project.title},
        )


def _transition(request, project, service, done: str):
    """A one-button change on the project page: the service runs, or its refusal is shown."""
    try:
        service(actor=request.user, project=project)
    except ValidationError as exc:
        messages_from(request, exc)
    else:
        messages.success(request, done)
    return redirect(_project_url(project))


class ProjectStartView(ScopedViewMixin, View):
    def post(self, request, pk):
        project = _editable(request, pk)
        return _transition(request, project, services.star_project_start, "The project is running.")


class ProjectEvaluateView(_FormPage):
    def handle(self, request, pk):
        project = _editable(request, pk)
        url = _project_url(project)
        form = EvaluateForm(
            request.POST or None,
            initial={
                "findings": project.findings,
                "impact": project.impact,
                "impact_rating": project.impact_rating,
            },
        )

        def save(form):
            return services.star_project_evaluate(
                actor=request.user, project=project, **form.cleaned_data
            )

        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Evaluation recorded.",
            context={
                "title": f"Evaluate: {project.title}",
                "subtitle": f"Question: {project.question}" if project.question else None,
                "back_url": url,
                "back": project.title,
            },
        )


class ProjectExemplaryView(_FormPage):
    def handle(self, request, pk):
        project = _project(request, pk)
        deny_unless(rules.may_mark_exemplary(request.user, project), rules.EXEMPLARY_REFUSED)
        form = ExemplaryForm(request.POST or None)

        def save(form):
            return services.star_project_mark_exemplary(
                actor=request.user, project=project, note=form.cleaned_data["note"]
            )

        url = _project_url(project)
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Marked exemplary: published on the trust's STAR exemplars page.",
            context={
                "title": f"Mark exemplary: {project.title}",
                "intro": "An exemplary project is published to every member of staff of the "
                "trust as a best-practice exemplar.",
                "back_url": url,
                "back": project.title,
                "submit_label": "Mark exemplary",
            },
        )


class ProjectWithdrawExemplarView(ScopedViewMixin, View):
    def post(self, request, pk):
        project = _project(request, pk)
        deny_unless(rules.may_mark_exemplary(request.user, project), rules.EXEMPLARY_REFUSED)
        return _transition(
            request,
            project,
            services.star_project_withdraw_exemplar,
            "Withdrawn from the trust's exemplars.",
        )


class ProjectDeleteView(_FormPage):
    def handle(self, request, pk):
        project = _editable(request, pk)
        blocker = (
            None
            if project.status == StarStatus.DRAFT
            else "Only a draft can be deleted: this project has run and stays on record."
        )
        return delete_page(
            request,
            title=f"Delete the draft \u201c{project.title}\u201d",
            delete=lambda: services.star_project_delete(actor=request.user, project=project),
            back_url=_project_url(project),
            done_url=reverse("star:school-projects", args=[project.school_id]),
            done_message="Draft deleted.",
            explanation="Delete a draft entered in error, with its team.",
            blocker=blocker,
        )


class ExemplarsView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.may_read_exemplars(request.user, trust), rules.EXEMPLARS_REFUSED)
        return render(
            request,
            "star/exemplars.html",
            {"trust": trust, "exemplars": selectors.exemplars(trust)},
        )


class OverviewView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.may_see_overview(request.user, trust), rules.OVERVIEW_REFUSED)
        years = list(selectors.overview_years(trust))
        chosen = request.GET.get("year")
        year = next((y for y in years if str(y.start_year) == chosen), None)
        if year is None:
            year = next((y for y in years if y.is_current), years[0] if years else None)
        if year is None:
            raise Http404("The trust has no academic years yet.")
        return render(
            request,
            "star/overview.html",
            {
                "trust": trust,
                "year": year,
                "years": years,
                "overview": selectors.overview(request.user, trust, year),
                "whole_trust": can_in_trust(request.user, Perm.STAR_LEAD, trust.pk),
            },
        )
