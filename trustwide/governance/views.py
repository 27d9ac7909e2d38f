"""Governance pages: trust overview, bodies, members, meetings (agenda, minutes, attendance,
actions), governor visits, skills audit and training, the annual cycle, the user's tasks and
their iCalendar feed."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.accounts.models import Membership
from trustwide.common.views import ScopedViewMixin, deny_unless, form_page
from trustwide.trusts.models import School, Trust
from trustwide.trusts.utils import academic_start_year, year_label

from . import agenda, ical, papers, rules, selectors, services
from .forms import (
    ActionForm,
    AgendaItemForm,
    AttendanceForm,
    BodyForm,
    CycleItemForm,
    GenerateForm,
    MeetingForm,
    MemberForm,
    MinuteForm,
    SkillsForm,
    TrainingForm,
    VisitForm,
)
from .models import (
    BodyKind,
    BodyMember,
    CalendarToken,
    CycleTask,
    GovActionStatus,
    GovernorVisit,
    MeetingAction,
    SkillRating,
    TrainingRecord,
)
from .skills import SKILL_LABELS


def _trust(request, slug, perm=Perm.GOVERNANCE_VIEW) -> Trust:
    trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
    deny_unless(rules.may_see_trust(request.user, trust, perm), rules.TRUST_REFUSED)
    return trust


def _school(request, pk) -> School:
    school = get_object_or_404_for(
        request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
    )
    deny_unless(rules.may_see_school(request.user, school), rules.SCHOOL_REFUSED)
    return school


def _body(request, pk):
    try:
        return selectors.bodies_for(request.user).select_related("trust", "school").get(pk=pk)
    except Exception as exc:
        raise Http404("No governing body found.") from exc


def _meeting(request, pk):
    try:
        return (
            selectors.meetings_for(request.user)
            .select_related("body__trust", "body__school")
            .get(pk=pk)
        )
    except Exception as exc:
        raise Http404("No meeting found.") from exc


def _handle(view):
    """GET and POST both go to view.handle."""
    view.get = lambda self, request, *a, **kw: self.handle(request, *a, **kw)
    view.post = lambda self, request, *a, **kw: self.handle(request, *a, **kw)
    return view


class TrustGovernanceView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug)
        today = timezone.localdate()
        start = academic_start_year(today)
        bodies = list(
            selectors.bodies_for(request.user).filter(trust=trust).select_related("school")
        )
        figures = selectors.attendance_figures(
            [b.pk for b in bodies], since=datetime.date(start, 9, 1)
        )
        picture = selectors.skills_picture(trust, bodies, start, today)
        rows = [
            {
                "body": b,
                "total": figures[b.pk][1],
                "members": picture.members[b.pk],
                "responded": picture.responded[b.pk],
                "gaps": [c.label for c in picture.by_body[b.pk] if c.status == "gap"],
            }
            for b in bodies
        ]
        trust_level = rules.sees_whole_trust(request.user, trust)
        return render(
            request,
            "governance/trust.html",
            {
                "trust": trust,
                "rows": rows,
                "picture": picture,
                "trust_level": trust_level,
                "can_manage": rules.may_manage(request.user, trust),
                "year_label": year_label(start),
                "can_cycle": rules.may_see_cycle(request.user, trust),
                "is_governor": rules.is_governor_in(request.user, trust),
            },
        )


@_handle
class BodyCreateView(ScopedViewMixin, View):
    def handle(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.may_manage(request.user, trust), rules.MANAGE_REFUSED)
        form = BodyForm(request.POST or None, trust=trust)

        def save(form):
            return services.body_create(actor=request.user, trust=trust, **form.cleaned_data)

        return form_page(
            request,
            form,
            save,
            success_message="Governing body added.",
            success_url=lambda b: reverse("governance:body-detail", args=[b.pk]),
            context={
                "title": "Add a governing body",
                "back_url": reverse("governance:trust", args=[slug]),
                "back": "Governance",
            },
        )


class BodyDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        body = _body(request, pk)
        today = timezone.localdate()
        start = academic_start_year(today)
        rows, total = selectors.attendance_figures([body.pk], since=datetime.date(start, 9, 1))[
            body.pk
        ]
        picture = selectors.skills_picture(body.trust, [body], start, today)
        meetings = list(body.meetings.all())
        return render(
            request,
            "governance/body_detail.html",
            {
                "body": body,
                "rows": rows,
                "total": total,
                "meetings": meetings,
                "today": today,
                "skills": picture.by_body[body.pk],
                "responded": picture.responded[body.pk],
                "members_now": picture.members[body.pk],
                "year_label": year_label(start),
                "can_manage": rules.may_manage(request.user, body.trust),
                "can_draft_report": rules.may_draft_report(request.user, body),
                "lgc_reports": list(body.lgc_reports.select_related("term__academic_year")),
                "open_actions": list(
                    MeetingAction.objects.filter(
                        meeting__body=body, status=GovActionStatus.OPEN
                    ).select_related("owner", "meeting")
                ),
            },
        )


@_handle
class MemberAddView(ScopedViewMixin, View):
    def handle(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.may_manage(request.user, trust), rules.MANAGE_REFUSED)
        initial = {"starts_on": timezone.localdate()}
        if request.GET.get("body", "").isdigit():
            initial["body"] = int(request.GET["body"])
        form = MemberForm(request.POST or None, trust=trust, initial=initial)

        def save(form):
            return services.member_add(actor=request.user, **form.cleaned_data)

        return form_page(
            request,
            form,
            save,
            success_message="Member added.",
            success_url=lambda m: reverse("governance:body-detail", args=[m.body_id]),
            context={
                "title": "Add a member to a governing body",
                "back_url": reverse("governance:trust", args=[slug]),
                "back": "Governance",
            },
        )


@_handle
class MeetingCreateView(ScopedViewMixin, View):
    def handle(self, request, pk):
        body = _body(request, pk)
        deny_unless(rules.may_manage(request.user, body.trust), rules.MANAGE_REFUSED)
        form = MeetingForm(request.POST or None)

        def save(form):
            return services.meeting_create(actor=request.user, body=body, **form.cleaned_data)

        url = reverse("governance:body-detail", args=[body.pk])
        return form_page(
            request,
            form,
            save,
            success_message="Meeting added with its agenda.",
            success_url=lambda m: reverse("governance:meeting-detail", args=[m.pk]),
            context={"title": f"New meeting: {body.name}", "back_url": url, "back": body.name},
        )


class MeetingDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        meeting = _meeting(request, pk)
        items = list(meeting.agenda_items.select_related("school"))
        minutes = list(meeting.minutes.select_related("raised_by", "agenda_item"))
        by_item = {}
        for m in minutes:
            by_item.setdefault(m.agenda_item_id, []).append(m)
        data, frozen = papers.frozen_for(request.user, meeting)
        if frozen is not None:  # a held meeting shows the figures it saw (papers.py)
            saw = {(p["number"], p["kind"]): p for p in papers.as_dates(data)["items"]}
            sections = [
                (item, saw.get((item.number, item.kind)), by_item.get(item.pk, []))
                for item in items
            ]
        else:
            sections = [
                (item, agenda.item_data(request.user, meeting, item), by_item.get(item.pk, []))
                for item in items
            ]
        members = list(meeting.body.members.select_related("user"))
        marks = {a.user_id: a for a in meeting.attendance.all()}
        return render(
            request,
            "governance/meeting_detail.html",
            {
                "meeting": meeting,
                "body": meeting.body,
                "sections": sections,
                "other_minutes": by_item.get(None, []),
                "attendance": [
                    (m, marks.get(m.user_id)) for m in members if m.is_current(meeting.held_on)
                ],
                "actions": list(meeting.actions.select_related("owner")),
                "today": timezone.localdate(),
                "can_record": rules.may_record(request.user, meeting.body),
                "can_manage": rules.may_manage(request.user, meeting.body.trust),
                "frozen": frozen,
            },
        )


def _meeting_form(request, pk, form_class, save_fn, title, message, *, manage=False):
    meeting = _meeting(request, pk)
    allowed = (
        rules.may_change_meeting(request.user, meeting)
        if manage
        else rules.may_record(request.user, meeting.body)
    )
    deny_unless(allowed, rules.RECORD_REFUSED)
    form = form_class(request, meeting)
    url = reverse("governance:meeting-detail", args=[meeting.pk])
    return form_page(
        request,
        form,
        lambda f: save_fn(meeting, f),
        success_url=url,
        success_message=message,
        context={"title": f"{title}: {meeting}", "back_url": url, "back": str(meeting)},
    )


@_handle
class AgendaItemAddView(ScopedViewMixin, View):
    def handle(self, request, pk):
        return _meeting_form(
            request,
            pk,
            lambda r, m: AgendaItemForm(r.POST or None, meeting=m),
            lambda m, f: services.agenda_item_add(actor=request.user, meeting=m, **f.cleaned_data),
            "Add an agenda item",
            "Agenda item added.",
            manage=True,
        )


@_handle
class MinuteAddView(ScopedViewMixin, View):
    def handle(self, request, pk):
        return _meeting_form(
            request,
            pk,
            lambda r, m: MinuteForm(r.POST or None, meeting=m),
            lambda m, f: services.minute_add(actor=request.user, meeting=m, **f.cleaned_data),
            "Minute",
            "Minute recorded.",
        )


@_handle
class AttendanceView(ScopedViewMixin, View):
    def handle(self, request, pk):
        def form(r, m):
            members = [x for x in m.body.members.select_related("user") if x.is_current(m.held_on)]
            current = {a.user_id: a.status for a in m.attendance.all()}
            return AttendanceForm(r.POST or None, members=members, current=current)

        return _meeting_form(
            request,
            pk,
            form,
            lambda m, f: services.attendance_record(
                actor=request.user, meeting=m, statuses=f.statuses()
            ),
            "Attendance",
            "Attendance recorded.",
        )


@_handle
class ActionAddView(ScopedViewMixin, View):
    def handle(self, request, pk):
        return _meeting_form(
            request,
            pk,
            lambda r, m: ActionForm(r.POST or None, meeting=m),
            lambda m, f: services.action_add(actor=request.user, meeting=m, **f.cleaned_data),
            "Add an action",
            "Action added.",
        )


class ActionCompleteView(ScopedViewMixin, View):
    def post(self, request, pk):
        try:
            action = (
                selectors.actions_for(request.user)
                .select_related("meeting__body__trust", "meeting__body__school")
                .get(pk=pk)
            )
        except MeetingAction.DoesNotExist as exc:
            raise Http404("No action found.") from exc
        deny_unless(rules.may_close_action(request.user, action), rules.ACTION_REFUSED)
        services.action_complete(actor=request.user, action=action)
        messages.success(request, "Action marked complete.")
        return redirect(reverse("governance:meeting-detail", args=[action.meeting_id]))


class VisitListView(ScopedViewMixin, View):
    def get(self, request, pk):
        school = _school(request, pk)
        visits = list(
            GovernorVisit.objects.filter(school=school).select_related("governor", "priority__plan")
        )
        return render(
            request,
            "governance/visits.html",
            {
                "school": school,
                "visits": visits,
                "can_record": rules.may_record_visits(request.user, school),
                "bodies": list(selectors.bodies_for(request.user).filter(school=school)),
            },
        )


@_handle
class VisitCreateView(ScopedViewMixin, View):
    def handle(self, request, pk):
        school = _school(request, pk)
        deny_unless(rules.may_record_visits(request.user, school), rules.VISITS_REFUSED)
        form = VisitForm(
            request.POST or None, school=school, initial={"visited_on": timezone.localdate()}
        )

        def save(form):
            return services.visit_create(
                actor=request.user, school=school, governor=request.user, **form.cleaned_data
            )

        url = reverse("governance:visit-list", args=[school.pk])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Visit recorded.",
            context={
                "title": f"Record a governor visit: {school.name}",
                "back_url": url,
                "back": "Visits",
            },
        )


@_handle
class SkillsView(ScopedViewMixin, View):
    """The user's own skills audit for this year and their training log."""

    def handle(self, request, slug):
        trust = _trust(request, slug)
        start = academic_start_year(timezone.localdate())
        current = dict(
            SkillRating.objects.filter(
                trust=trust, user=request.user, start_year=start
            ).values_list("skill", "rating")
        )
        member = rules.is_governor_in(request.user, trust)
        form = SkillsForm(request.POST or None, current=current)
        context = {
            "trust": trust,
            "member": member,
            "year_label": year_label(start),
            "training": list(TrainingRecord.objects.filter(trust=trust, user=request.user)),
            "skill_labels": SKILL_LABELS,
        }
        if request.method == "POST":
            if not member:
                deny_unless(False, rules.MEMBERS_ONLY)
            if form.is_valid():
                try:
                    services.skills_save(
                        actor=request.user,
                        user=request.user,
                        trust=trust,
                        start_year=start,
                        ratings=form.ratings(),
                    )
                except ValidationError as exc:
                    form.add_error(None, exc.messages)
                else:
                    messages.success(request, "Skills audit saved.")
                    return redirect(reverse("governance:skills", args=[slug]))
            return render(request, "governance/skills.html", {**context, "form": form}, status=400)
        return render(request, "governance/skills.html", {**context, "form": form})


@_handle
class TrainingAddView(ScopedViewMixin, View):
    def handle(self, request, slug):
        trust = _trust(request, slug)
        deny_unless(rules.is_governor_in(request.user, trust), rules.MEMBERS_ONLY)
        form = TrainingForm(request.POST or None)

        def save(form):
            return services.training_add(
                actor=request.user, user=request.user, trust=trust, **form.cleaned_data
            )

        url = reverse("governance:skills", args=[slug])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Training recorded.",
            context={"title": "Add training to your log", "back_url": url, "back": "Skills audit"},
        )


class CycleView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = _trust(request, slug, Perm.STRATEGIC_PLAN_VIEW)
        deny_unless(rules.may_see_cycle(request.user, trust), rules.CYCLE_VIEW_REFUSED)
        from django.db.models import Count, Q

        items = list(
            trust.cycle_items.annotate(
                n_tasks=Count("tasks", filter=Q(tasks__academic_year__is_current=True)),
                n_done=Count(
                    "tasks",
                    filter=Q(
                        tasks__academic_year__is_current=True, tasks__completed_on__isnull=False
                    ),
                ),
            )
        )
        today = timezone.localdate()
        overdue = (
            CycleTask.objects.filter(
                trust=trust,
                academic_year__is_current=True,
                completed_on__isnull=True,
                due_on__lt=today,
            )
            .select_related("school", "assignee")
            .order_by("due_on")[:50]
        )
        return render(
            request,
            "governance/cycle.html",
            {
                "trust": trust,
                "items": items,
                "overdue": list(overdue),
                "can_edit": rules.may_define_cycle(request.user, trust),
                "generate_form": GenerateForm(trust=trust),
            },
        )


@_handle
class CycleItemCreateView(ScopedViewMixin, View):
    def handle(self, request, slug):
        trust = _trust(request, slug, Perm.STRATEGIC_PLAN_VIEW)
        deny_unless(rules.may_define_cycle(request.user, trust), rules.CYCLE_REFUSED)
        form = CycleItemForm(request.POST or None, trust=trust)

        def save(form):
            data = {k: form.cleaned_data[k] for k in CycleItemForm.Meta.fields}
            return services.cycle_item_create(actor=request.user, trust=trust, **data)

        url = reverse("governance:cycle", args=[slug])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Cycle item added.",
            context={"title": "Add to the annual cycle", "back_url": url, "back": "Annual cycle"},
        )


class CycleGenerateView(ScopedViewMixin, View):
    def post(self, request, slug):
        trust = _trust(request, slug, Perm.STRATEGIC_PLAN_VIEW)
        deny_unless(rules.may_define_cycle(request.user, trust), rules.CYCLE_REFUSED)
        form = GenerateForm(request.POST, trust=trust)
        if form.is_valid():
            n = services.cycle_generate(
                actor=request.user, trust=trust, academic_year=form.cleaned_data["academic_year"]
            )
            messages.success(request, f"{n} task(s) created.")
        else:
            messages.error(request, "Choose an academic year of this trust.")
        return redirect(reverse("governance:cycle", args=[slug]))


class MyTasksView(ScopedViewMixin, View):
    def get(self, request):
        today = timezone.localdate()
        show_done = request.GET.get("done") == "1"
        tasks = selectors.tasks_for(request.user).filter(
            due_on__gte=today - datetime.timedelta(days=365)
        )
        if not show_done:
            tasks = tasks.filter(completed_on__isnull=True)
        tasks = list(tasks.select_related("school", "item", "trust").order_by("due_on")[:300])
        return render(
            request,
            "governance/my_tasks.html",
            {"tasks": tasks, "today": today, "show_done": show_done},
        )


class TaskCompleteView(ScopedViewMixin, View):
    def post(self, request, pk):
        try:
            task = selectors.tasks_for(request.user).select_related("trust", "school").get(pk=pk)
        except CycleTask.DoesNotExist as exc:
            raise Http404("No task found.") from exc
        services.task_complete(actor=request.user, task=task)
        messages.success(request, f"Marked done: {task.title}.")
        return redirect(reverse("governance:my-tasks"))


class CalendarView(ScopedViewMixin, View):
    def get(self, request):
        token = services.calendar_token_for(request.user)
        return render(
            request,
            "governance/calendar.html",
            {
                "feed_url": request.build_absolute_uri(
                    reverse("governance:calendar-feed", args=[token.token])
                ),
            },
        )

    def post(self, request):
        services.calendar_token_rotate(user=request.user)
        messages.success(request, "New calendar address made: the old one no longer works.")
        return redirect(reverse("governance:calendar"))


class CalendarFeedView(View):
    """No login: calendar clients cannot sign in. The secret token is the key."""

    def get(self, request, token):
        found = (
            CalendarToken.objects.select_related("user")
            .filter(token=token, user__is_active=True)
            .first()
        )
        # The address is a secret that outlives a login: it works only while the person
        # still holds a role somewhere (tokens also rotate when a membership ends).
        if found is None or not Membership.objects.active().filter(user=found.user).exists():
            raise Http404("Unknown calendar.")
        body = ical.calendar_for(found.user, host=request.get_host().split(":")[0] or "trustwide")
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="trustwide.ics"'
        response["Cache-Control"] = "private, max-age=900"
        return response


__all__ = ["BodyKind", "BodyMember"]
