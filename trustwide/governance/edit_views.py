"""Governance edit and delete pages (bodies, members, meetings, agenda items, minutes,
actions, cycle items, visits, training) and the annual-cycle task assignment pages.

Every page finds its object through a scoped selector first (outside the scope: 404), then
asks services whether the user may change it (visible but not allowed: 403). Deleting shows
a confirmation page; where a delete is refused (a body with meetings, a meeting with
minutes) that page says why and offers no button."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.forms.models import model_to_dict
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from trustwide.access import Perm, get_object_or_404_for, restrict
from trustwide.common.views import ScopedViewMixin, delete_page, deny_unless, form_page
from trustwide.trusts.models import School, Trust

from . import rules, selectors, services
from .forms import (
    ActionForm,
    AgendaItemEditForm,
    BodyForm,
    CycleItemForm,
    MeetingEditForm,
    MemberEditForm,
    MinuteForm,
    TaskAssignForm,
    VisitForm,
)
from .models import CycleItem, GovernorVisit, TrainingRecord
from .views import _body, _handle, _meeting


def _get(queryset, pk, noun: str):
    """404 for missing and out of scope alike."""
    try:
        return queryset.get(pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404(f"No {noun} found.") from exc


# Bodies and members -------------------------------------------------------------------------------


@_handle
class BodyEditView(ScopedViewMixin, View):
    def handle(self, request, pk):
        body = _body(request, pk)
        deny_unless(
            rules.may_manage(request.user, body.trust),
            rules.MANAGE_REFUSED,
        )
        locked = services.body_change_blocker(body)
        form = BodyForm(
            request.POST or None,
            trust=body.trust,
            locked=locked,
            initial={"kind": body.kind, "name": body.name, "school": body.school_id},
        )

        def save(form):
            data = form.cleaned_data
            changes = (
                {"name": data["name"]}
                if locked
                else {k: data[k] for k in ("kind", "name", "school")}
            )
            return services.body_update(actor=request.user, body=body, **changes)

        url = reverse("governance:body-detail", args=[body.pk])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Governing body saved.",
            context={"title": f"Edit {body.name}", "back_url": url, "back": body.name},
        )


@_handle
class BodyDeleteView(ScopedViewMixin, View):
    def handle(self, request, pk):
        body = _body(request, pk)
        deny_unless(
            rules.may_manage(request.user, body.trust),
            rules.MANAGE_REFUSED,
        )
        return delete_page(
            request,
            title=f"Delete {body.name}?",
            explanation="For a body set up in error. Its members' entries go with it; the history keeps a record.",
            blocker=services.body_delete_blocker(body) if request.method == "GET" else None,
            delete=lambda: services.body_delete(actor=request.user, body=body),
            back_url=reverse("governance:body-detail", args=[body.pk]),
            done_url=reverse("governance:trust", args=[body.trust.slug]),
            done_message=f"{body.name} deleted.",
        )


def _member(request, pk):
    member = _get(
        selectors.members_for(request.user).select_related("body__trust", "body__school", "user"),
        pk,
        "member",
    )
    deny_unless(
        rules.may_manage(request.user, member.body.trust),
        rules.MANAGE_REFUSED,
    )
    return member


@_handle
class MemberEditView(ScopedViewMixin, View):
    def handle(self, request, pk):
        member = _member(request, pk)
        form = MemberEditForm(
            request.POST or None,
            initial={
                "role": member.role,
                "link_roles": member.link_roles,
                "starts_on": member.starts_on,
                "ends_on": member.ends_on,
            },
        )

        def save(form):
            return services.member_update(actor=request.user, member=member, **form.cleaned_data)

        url = reverse("governance:body-detail", args=[member.body_id])
        name = member.user.full_name or member.user.email
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Member saved.",
            context={
                "title": f"Edit {name} on {member.body.name}",
                "back_url": url,
                "back": member.body.name,
                "intro": "When a governor leaves, give the end of their term of office here: "
                "their attendance stays in the record.",
            },
        )


@_handle
class MemberDeleteView(ScopedViewMixin, View):
    def handle(self, request, pk):
        member = _member(request, pk)
        url = reverse("governance:body-detail", args=[member.body_id])
        name = member.user.full_name or member.user.email
        return delete_page(
            request,
            title=f"Remove {name} from {member.body.name}?",
            button="Remove member",
            explanation="Removing is for an entry made in error: the member disappears from this body's attendance "
            "and skills figures. When a governor leaves, end their term of office instead.",
            extra_url=(
                reverse("governance:member-edit", args=[member.pk]),
                "End the term of office instead",
            ),
            delete=lambda: services.member_remove(actor=request.user, member=member),
            back_url=url,
            done_url=url,
            done_message=f"{name} removed from {member.body.name}.",
        )


# Meetings and agendas ------------------------------------------------------------------------------


@_handle
class MeetingEditView(ScopedViewMixin, View):
    def handle(self, request, pk):
        meeting = _meeting(request, pk)
        deny_unless(rules.may_change_agenda(request.user, meeting), rules.MEETING_REFUSED)
        form = MeetingEditForm(
            request.POST or None,
            initial={
                "title": meeting.title,
                "held_on": meeting.held_on,
                "location": meeting.location,
                "status": meeting.status,
            },
        )

        def save(form):
            return services.meeting_update(actor=request.user, meeting=meeting, **form.cleaned_data)

        url = reverse("governance:meeting-detail", args=[meeting.pk])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message=_saved_message,
            context={"title": f"Edit meeting: {meeting}", "back_url": url, "back": str(meeting)},
        )


def _saved_message(meeting) -> str:
    papers = getattr(meeting, "papers", None) if meeting.status == "held" else None
    if papers is not None and papers.no_papers:
        return (
            "Meeting saved and marked held. No papers were attached to this meeting; that is "
            "recorded with it."
        )
    if papers is not None:
        return "Meeting saved and marked held: its papers are frozen as they stand today."
    return "Meeting saved."


@_handle
class MeetingDeleteView(ScopedViewMixin, View):
    def handle(self, request, pk):
        meeting = _meeting(request, pk)
        deny_unless(
            rules.may_manage(request.user, meeting.body.trust),
            rules.MANAGE_REFUSED,
        )
        return delete_page(
            request,
            title=f"Delete {meeting}?",
            explanation="For a planned meeting set up in error: it goes with its agenda. The history keeps a record.",
            blocker=services.meeting_delete_blocker(meeting) if request.method == "GET" else None,
            delete=lambda: services.meeting_delete(actor=request.user, meeting=meeting),
            back_url=reverse("governance:meeting-detail", args=[meeting.pk]),
            done_url=reverse("governance:body-detail", args=[meeting.body_id]),
            done_message="Meeting deleted.",
        )


def _agenda_item(request, pk):
    item = _get(
        selectors.agenda_items_for(request.user).select_related(
            "meeting__body__trust", "meeting__body__school", "school"
        ),
        pk,
        "agenda item",
    )
    deny_unless(rules.may_change_agenda(request.user, item.meeting), rules.MEETING_REFUSED)
    return item


@_handle
class AgendaItemEditView(ScopedViewMixin, View):
    def handle(self, request, pk):
        item = _agenda_item(request, pk)
        meeting = item.meeting
        form = AgendaItemEditForm(
            request.POST or None,
            meeting=meeting,
            count=meeting.agenda_items.count(),
            initial={
                "kind": item.kind,
                "title": item.title,
                "school": item.school_id,
                "notes": item.notes,
                "position": item.number,
            },
        )

        def save(form):
            data = {k: form.cleaned_data[k] for k in ("kind", "title", "school", "notes")}
            return services.agenda_item_update(
                actor=request.user, item=item, position=form.cleaned_data["position"], **data
            )

        url = reverse("governance:meeting-detail", args=[meeting.pk])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Agenda item saved.",
            context={
                "title": f"Edit agenda item {item.number}: {meeting}",
                "back_url": url,
                "back": str(meeting),
            },
        )


@_handle
class AgendaItemDeleteView(ScopedViewMixin, View):
    def handle(self, request, pk):
        item = _agenda_item(request, pk)
        url = reverse("governance:meeting-detail", args=[item.meeting_id])
        return delete_page(
            request,
            title=f"Remove agenda item {item}?",
            button="Remove item",
            explanation="Its minutes stay with the meeting, under other minutes. The rest of the agenda is "
            "renumbered from 1.",
            delete=lambda: services.agenda_item_delete(actor=request.user, item=item),
            back_url=url,
            done_url=url,
            done_message="Agenda item removed; the agenda is renumbered.",
        )


def _minute(request, pk):
    minute = _get(
        selectors.minutes_for(request.user).select_related(
            "meeting__body__trust", "meeting__body__school"
        ),
        pk,
        "minute",
    )
    deny_unless(
        rules.may_record(request.user, minute.meeting.body),
        rules.RECORD_REFUSED,
    )
    return minute


@_handle
class MinuteEditView(ScopedViewMixin, View):
    def handle(self, request, pk):
        minute = _minute(request, pk)
        meeting = minute.meeting
        form = MinuteForm(
            request.POST or None,
            meeting=meeting,
            initial={
                "kind": minute.kind,
                "agenda_item": minute.agenda_item_id,
                "text": minute.text,
                "response": minute.response,
                "raised_by": minute.raised_by_id,
            },
        )

        def save(form):
            return services.minute_update(actor=request.user, minute=minute, **form.cleaned_data)

        url = reverse("governance:meeting-detail", args=[meeting.pk])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Minute saved.",
            context={"title": f"Edit minute: {meeting}", "back_url": url, "back": str(meeting)},
        )


@_handle
class MinuteDeleteView(ScopedViewMixin, View):
    def handle(self, request, pk):
        minute = _minute(request, pk)
        url = reverse("governance:meeting-detail", args=[minute.meeting_id])
        return delete_page(
            request,
            title="Delete this minute?",
            explanation=f"“{minute.text[:200]}”. The history keeps a record.",
            delete=lambda: services.minute_delete(actor=request.user, minute=minute),
            back_url=url,
            done_url=url,
            done_message="Minute deleted.",
        )


def _action(request, pk):
    return _get(
        selectors.actions_for(request.user).select_related(
            "meeting__body__trust", "meeting__body__school", "owner"
        ),
        pk,
        "action",
    )


@_handle
class ActionEditView(ScopedViewMixin, View):
    def handle(self, request, pk):
        action = _action(request, pk)
        meeting = action.meeting
        deny_unless(
            rules.may_record(request.user, meeting.body),
            rules.RECORD_REFUSED,
        )
        form = ActionForm(
            request.POST or None,
            meeting=meeting,
            initial={
                "description": action.description,
                "owner": action.owner_id,
                "due_on": action.due_on,
            },
        )

        def save(form):
            return services.action_update(actor=request.user, action=action, **form.cleaned_data)

        url = reverse("governance:meeting-detail", args=[meeting.pk])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Action saved.",
            context={"title": f"Edit action: {meeting}", "back_url": url, "back": str(meeting)},
        )


class ActionReopenView(ScopedViewMixin, View):
    def post(self, request, pk):
        action = _action(request, pk)
        deny_unless(
            rules.may_close_action(request.user, action),
            rules.ACTION_REFUSED,
        )
        try:
            services.action_reopen(actor=request.user, action=action)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Action reopened.")
        return redirect(reverse("governance:meeting-detail", args=[action.meeting_id]))


# The annual cycle ---------------------------------------------------------------------------------


def _cycle_item(request, pk):
    item = _get(
        restrict(CycleItem.objects.select_related("trust"), request.user, Perm.TRUST_VIEW),
        pk,
        "cycle item",
    )
    deny_unless(
        rules.may_define_cycle(request.user, item.trust),
        rules.CYCLE_REFUSED,
    )
    return item


@_handle
class CycleItemEditView(ScopedViewMixin, View):
    def handle(self, request, pk):
        item = _cycle_item(request, pk)
        fields = CycleItemForm.Meta.fields
        form = CycleItemForm(
            request.POST or None, trust=item.trust, initial=model_to_dict(item, fields=fields)
        )

        def save(form):
            return services.cycle_item_update(
                actor=request.user, item=item, **{k: form.cleaned_data[k] for k in fields}
            )

        url = reverse("governance:cycle", args=[item.trust.slug])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Cycle item saved; its open tasks this year follow the change.",
            context={
                "title": f"Edit: {item.title}",
                "back_url": url,
                "back": "Annual cycle",
                "intro": "Open tasks of this and later years take the change (new dates replace "
                "them); completed tasks stay as they were.",
            },
        )


@_handle
class CycleItemDeleteView(ScopedViewMixin, View):
    def handle(self, request, pk):
        item = _cycle_item(request, pk)
        url = reverse("governance:cycle", args=[item.trust.slug])
        explanation = "It leaves the cycle, so no more tasks are made for it."
        if request.method == "GET":
            n_open = services.cycle_item_open_tasks(item)
            tasks = "open task is" if n_open == 1 else "open tasks are"
            explanation += f" Its {n_open} {tasks} removed; its completed tasks stay as the record of work done."

        def delete():
            removed = services.cycle_item_delete(actor=request.user, item=item)
            return f"Cycle item deleted with {removed} open task{'s' if removed != 1 else ''}."

        return delete_page(
            request,
            title=f"Delete “{item.title}” from the cycle?",
            explanation=explanation,
            delete=delete,
            back_url=url,
            done_url=url,
            done_message="Cycle item deleted.",
        )


def _overview_url(task) -> str:
    if task.school_id:
        return reverse("governance:school-tasks", args=[task.school_id])
    return reverse("governance:trust-tasks", args=[task.trust.slug])


@_handle
class TaskAssignView(ScopedViewMixin, View):
    def handle(self, request, pk):
        task = _get(
            selectors.cycle_tasks_visible(request.user).select_related(
                "school", "trust", "assignee"
            ),
            pk,
            "task",
        )
        deny_unless(
            rules.may_assign(request.user, task),
            rules.ASSIGN_REFUSED,
        )
        form = TaskAssignForm(
            request.POST or None,
            people=selectors.role_holders(task),
            initial={"assignee": task.assignee_id},
        )

        def save(form):
            return services.task_assign(actor=request.user, task=task, **form.cleaned_data)

        url = _overview_url(task)
        where = task.school.name if task.school_id else "the trust"
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Assignment saved.",
            context={
                "title": f"Assign: {task.title}",
                "back_url": url,
                "back": "Tasks",
                "subtitle": f"Due {task.due_on:%d/%m/%Y} at {where}, for the "
                f"{task.get_role_display().lower()}.",
                "intro": "A named person sees the task in their list, on the home page, in the "
                "digest and in their calendar; nobody else with the role does. "
                "Choose nobody to give it back to everyone who holds the role.",
            },
        )


def _overview(request, *, trust, school, back_url, back):
    show_done = request.GET.get("done") == "1"
    tasks = selectors.task_overview(trust=trust, school=school, show_done=show_done)
    return render(
        request,
        "governance/task_overview.html",
        {
            "trust": trust,
            "school": school,
            "tasks": tasks,
            "show_done": show_done,
            "back_url": back_url,
            "back": back,
            "schools": list(trust.schools.order_by("name")) if school is None else [],
            "today": timezone.localdate(),
        },
    )


class SchoolTasksView(ScopedViewMixin, View):
    """A school's annual-cycle tasks this year and who they are assigned to (its leaders' view)."""

    def get(self, request, pk):
        school = get_object_or_404_for(
            request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
        )
        deny_unless(
            rules.may_assign_at(request.user, school.trust_id, school),
            rules.ASSIGN_REFUSED,
        )
        return _overview(
            request,
            trust=school.trust,
            school=school,
            back=school.name,
            back_url=reverse("trusts:school-detail", args=[school.pk]),
        )


class TrustTasksView(ScopedViewMixin, View):
    """The trust-level annual-cycle tasks this year (trust leaders)."""

    def get(self, request, slug):
        trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
        deny_unless(rules.may_assign_at(request.user, trust.pk), rules.ASSIGN_REFUSED)
        return _overview(
            request,
            trust=trust,
            school=None,
            back="Annual cycle",
            back_url=reverse("governance:cycle", args=[trust.slug]),
        )


# Visits and training ------------------------------------------------------------------------------


@_handle
class VisitEditView(ScopedViewMixin, View):
    def handle(self, request, pk):
        visit = get_object_or_404_for(
            request.user,
            Perm.GOVERNANCE_VIEW,
            GovernorVisit.objects.select_related("school__trust"),
            pk=pk,
        )
        deny_unless(rules.may_record_visits(request.user, visit.school), rules.VISITS_REFUSED)
        form = VisitForm(
            request.POST or None,
            school=visit.school,
            keep_priority=visit.priority_id,
            initial={
                "visited_on": visit.visited_on,
                "priority": visit.priority_id,
                "focus": visit.focus,
                "findings": visit.findings,
                "next_steps": visit.next_steps,
            },
        )

        def save(form):
            return services.visit_update(actor=request.user, visit=visit, **form.cleaned_data)

        url = reverse("governance:visit-list", args=[visit.school_id])
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Visit saved.",
            context={
                "title": f"Edit governor visit: {visit.school.name}",
                "back_url": url,
                "back": "Visits",
            },
        )


@_handle
class TrainingDeleteView(ScopedViewMixin, View):
    def handle(self, request, pk):
        record = get_object_or_404_for(
            request.user,
            Perm.GOVERNANCE_VIEW,
            TrainingRecord.objects.select_related("trust", "user"),
            pk=pk,
        )
        deny_unless(
            rules.may_delete_training(request.user, record),
            rules.TRAINING_REFUSED,
        )
        url = reverse("governance:skills", args=[record.trust.slug])
        return delete_page(
            request,
            title=f"Remove “{record.title}” from the training log?",
            button="Remove training",
            explanation=f"Completed {record.completed_on:%d/%m/%Y} by {record.user.full_name or record.user.email}. "
            "The history keeps a record.",
            delete=lambda: services.training_delete(actor=request.user, record=record),
            back_url=url,
            done_url=url,
            done_message="Training removed.",
        )
