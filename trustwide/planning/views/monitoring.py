"""Monitoring schedule pages: the schedule, a calendar, activity forms and records."""

from __future__ import annotations

import calendar
import datetime
import mimetypes

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.views import ScopedViewMixin, deny_unless, form_page
from trustwide.trusts.calendar import term_dates_for

from .. import rules, selectors, services
from ..forms import ActivityForm, RecordForm
from ..models import ActivityKind, MonitoringActivity, MonitoringRecord
from ._helpers import get_plan


def _plan_for_monitoring(request, pk):
    plan = get_plan(request.user, pk)
    deny_unless(rules.may_view_monitoring(request.user, plan.school), rules.MONITORING_HIDDEN)
    return plan


def _schedule_url(plan) -> str:
    return reverse("planning:monitoring-schedule", args=[plan.pk])


def _teaching_summary(activities) -> dict:
    judged = [r for a in activities for r in a.records.all() if r.good_or_better is not None]
    good = sum(1 for r in judged if r.good_or_better)
    return {
        "judged": len(judged),
        "good": good,
        "percent": round(100 * good / len(judged)) if judged else None,
    }


class MonitoringScheduleView(ScopedViewMixin, View):
    def get(self, request, pk):
        plan = _plan_for_monitoring(request, pk)
        today = timezone.localdate()
        activities = selectors.activities_for_plan(plan)
        for a in activities:
            a.overdue = selectors.activity_is_overdue(a, today)
        terms = term_dates_for(plan.school, plan.academic_year).terms  # the school's dates
        by_term = [(t, [a for a in activities if a.term_id == t.pk]) for t in terms]
        return render(
            request,
            "planning/monitoring_schedule.html",
            {
                "plan": plan,
                "by_term": by_term,
                "today": today,
                "overdue_count": sum(1 for a in activities if a.overdue),
                "can_edit": rules.may_edit_plans(request.user, plan.school),
                "can_record": rules.may_record_monitoring(request.user, plan.school),
                "teaching": _teaching_summary(activities),
            },
        )


class MonitoringCalendarView(ScopedViewMixin, View):
    """A month grid as an accessible table: one row per week, activities listed in each day."""

    def get(self, request, pk):
        plan = _plan_for_monitoring(request, pk)
        today = timezone.localdate()
        year = plan.academic_year
        wanted = request.GET.get("month", "")
        try:
            first = datetime.date(int(wanted[:4]), int(wanted[5:7]), 1)
        except ValueError:
            first = (
                today.replace(day=1) if year.starts_on <= today <= year.ends_on else year.starts_on
            )
        activities = selectors.activities_for_plan(plan)
        by_day: dict = {}
        for a in activities:
            a.overdue = selectors.activity_is_overdue(a, today)
            by_day.setdefault(a.due_by, []).append(a)
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
            weeks.append([(day, day.month == first.month, by_day.get(day, [])) for day in week])
        prev_month = (first - datetime.timedelta(days=1)).replace(day=1)
        next_month = (first + datetime.timedelta(days=32)).replace(day=1)
        return render(
            request,
            "planning/monitoring_calendar.html",
            {
                "plan": plan,
                "weeks": weeks,
                "month": first,
                "today": today,
                "prev_month": prev_month if prev_month >= year.starts_on.replace(day=1) else None,
                "next_month": next_month if next_month <= year.ends_on else None,
                "day_names": [
                    "Monday",
                    "Tuesday",
                    "Wednesday",
                    "Thursday",
                    "Friday",
                    "Saturday",
                    "Sunday",
                ],
            },
        )


class ActivityFormView(ScopedViewMixin, View):
    def get(self, request, pk=None, plan_pk=None):
        return self.handle(request, pk, plan_pk)

    def post(self, request, pk=None, plan_pk=None):
        return self.handle(request, pk, plan_pk)

    def handle(self, request, pk, plan_pk):
        if pk:
            activity = get_object_or_404_for(
                request.user,
                Perm.PLAN_VIEW,
                MonitoringActivity.objects.select_related(
                    "plan__school__trust", "plan__academic_year"
                ),
                pk=pk,
            )
            plan = activity.plan
            instance = MonitoringActivity.objects.select_related("plan__academic_year").get(pk=pk)
        else:
            activity, plan = None, get_plan(request.user, plan_pk)
            instance = MonitoringActivity(plan=plan)
        deny_unless(
            rules.may_edit_plans(request.user, plan.school), rules.MONITORING_SCHEDULE_REFUSED
        )
        form = ActivityForm(request.POST or None, instance=instance, plan=plan)

        def save(form):
            data = {name: form.cleaned_data[name] for name in ActivityForm.Meta.fields}
            if activity:
                services.activity_update(actor=request.user, activity=activity, **data)
            else:
                services.activity_create(actor=request.user, plan=plan, **data)

        url = _schedule_url(plan)
        return form_page(
            request,
            form,
            save,
            success_url=url,
            context={
                "title": "Edit monitoring activity" if activity else "Add a monitoring activity",
                "subtitle": str(plan),
                "back_url": url,
                "back": "Monitoring schedule",
            },
        )


class RecordCreateView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        activity = get_object_or_404_for(
            request.user,
            Perm.PLAN_VIEW,
            MonitoringActivity.objects.select_related(
                "plan__school__trust", "plan__academic_year", "term", "priority"
            ),
            pk=pk,
        )
        plan = activity.plan
        deny_unless(
            rules.may_record_monitoring(request.user, plan.school), rules.MONITORING_RECORD_REFUSED
        )
        scale = services.scale_for_trust(plan.school.trust_id)
        form = RecordForm(
            request.POST or None,
            request.FILES or None,
            activity=activity,
            scale=scale,
            initial={"carried_out_on": min(timezone.localdate(), activity.due_by)},
        )

        def save(form):
            services.record_create(actor=request.user, activity=activity, **form.cleaned_data)

        url = _schedule_url(plan)
        intro = f"Tests priority {activity.priority}." if activity.priority else ""
        if activity.kind == ActivityKind.LESSON_OBSERVATION:
            intro += f" Judge on the trust's scale: {', '.join(scale.grades)}."
        return form_page(
            request,
            form,
            save,
            success_url=url,
            success_message="Monitoring recorded.",
            context={
                "title": f"Record: {activity.get_kind_display()}",
                "subtitle": activity.focus,
                "intro": intro.strip(),
                "back_url": url,
                "back": "Monitoring schedule",
                "multipart": True,
            },
        )


class RecordEvidenceFileView(ScopedViewMixin, View):
    """The evidence file of a monitoring record, for whoever may see the school's monitoring."""

    def get(self, request, pk):
        record = get_object_or_404_for(
            request.user,
            Perm.PLAN_VIEW,
            MonitoringRecord.objects.select_related("activity__plan__school__trust"),
            pk=pk,
        )
        deny_unless(
            rules.may_view_monitoring(request.user, record.activity.plan.school),
            rules.MONITORING_HIDDEN,
        )
        if not record.evidence_file:
            raise Http404("This record has no evidence file.")
        content_type = (
            mimetypes.guess_type(record.evidence_file_name)[0] or "application/octet-stream"
        )
        return FileResponse(
            record.evidence_file.open("rb"),
            as_attachment=True,
            filename=record.evidence_file_name,
            content_type=content_type,
        )
