"""School plan pages: list, detail, contents forms, workflow, copy, staff objectives."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.audit.selectors import object_history
from trustwide.common.views import ScopedViewMixin, deny_unless, form_page, messages_from
from trustwide.trusts.models import School

from .. import hooks, rag, rules, selectors, services
from ..forms import (
    ActionForm,
    ActionProgressForm,
    AgreeForm,
    BoardAgreeForm,
    CriterionForm,
    EvaluateForm,
    MilestoneForm,
    PlanCreateForm,
    PlanTitleForm,
    PriorityForm,
    ReturnForm,
    SmartOverrideForm,
    StaffObjectiveForm,
)
from ..models import (
    Action,
    Milestone,
    PlanStatus,
    Priority,
    RatedKind,
    SchoolPlan,
    StaffObjective,
    SuccessCriterion,
)
from ._helpers import get_plan, get_plan_item, plan_of, require_edit


def plan_url(plan) -> str:
    return reverse("planning:plan-detail", args=[plan.pk])


class PlanListView(ScopedViewMixin, View):
    def get(self, request, pk):
        school = get_object_or_404_for(
            request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
        )
        deny_unless(rules.may_view_plans(request.user, school), rules.PLANS_HIDDEN)
        plans = list(
            SchoolPlan.objects.filter(school=school)
            .select_related("academic_year")
            .order_by("-academic_year__start_year", "kind")
        )
        return render(
            request,
            "planning/plan_list.html",
            {
                "school": school,
                "plans": plans,
                "can_create": rules.may_edit_plans(request.user, school),
            },
        )


class PlanCreateView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        school = get_object_or_404_for(
            request.user, Perm.SCHOOL_VIEW, School.objects.select_related("trust"), pk=pk
        )
        deny_unless(rules.may_edit_plans(request.user, school), rules.PLAN_CREATE_REFUSED)
        form = PlanCreateForm(request.POST or None, school=school)
        created = {}

        def save(form):
            created["plan"] = services.plan_create(
                actor=request.user,
                school=school,
                academic_year=form.cleaned_data["academic_year"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
            )

        response = form_page(
            request,
            form,
            save,
            success_url="/",
            context={
                "title": f"New plan for {school.name}",
                "back_url": reverse("planning:plan-list", args=[pk]),
                "back": "Plans",
                "intro": "The trust's pocket guide priorities for the year are filled in for you.",
            },
        )
        if created:
            return redirect(plan_url(created["plan"]))
        return response


def _attach_ratings(plan, terms):
    """Give each priority, action and criterion its ratings per term (for the template)."""
    table = selectors.ratings_by_subject(plan)
    smart = selectors.smart_report(plan)
    bound = [c for p in plan.priorities.all() for c in p.criteria.all() if c.kpi_code]
    data_statuses = hooks.criterion_data_statuses(plan, bound) if bound else {}
    for priority in plan.priorities.all():
        priority.rag_terms = [
            table.get((RatedKind.PRIORITY, priority.pk), {}).get(t.pk) for t in terms
        ]
        priority.rag_pairs = list(zip(terms, priority.rag_terms, strict=True))
        child_latest = []
        for action in priority.actions.all():
            action.rag_terms = [
                table.get((RatedKind.ACTION, action.pk), {}).get(t.pk) for t in terms
            ]
        for criterion in priority.criteria.all():
            criterion.rag_terms = [
                table.get((RatedKind.CRITERION, criterion.pk), {}).get(t.pk) for t in terms
            ]
            criterion.smart_problems = smart.get(criterion.pk, [])
            criterion.data_status = data_statuses.get(criterion.pk)
        for item in list(priority.actions.all()) + list(priority.criteria.all()):
            rated = [r for r in item.rag_terms if r]
            if rated:
                child_latest.append(rated[-1].rating)
        priority.derived_now = rag.derive(child_latest)
    return table


class PlanDetailView(ScopedViewMixin, View):
    def get(self, request, pk):
        user = request.user
        plan = selectors.plan_with_contents(user=user, pk=pk)
        terms = list(plan.academic_year.terms.all())
        _attach_ratings(plan, terms)
        priorities = list(plan.priorities.all())
        costs, cost_total = selectors.plan_costs(plan)
        today = timezone.localdate()
        school = plan.school
        failing = sum(1 for p in priorities for c in p.criteria.all() if c.smart_problems)
        perms = rules.plan_permissions(user, school)
        for p in priorities:
            for a in p.actions.all():
                a.overdue = a.is_overdue(today)
                a.can_update = perms["edit"] or (perms["update"] and a.owner_id == user.pk)
        history = (
            list(object_history(instance=plan)[:25]) if perms["history"] or perms["agree"] else None
        )
        return render(
            request,
            "planning/plan_detail.html",
            {
                "plan": plan,
                "school": school,
                "terms": terms,
                "priorities": priorities,
                "costs": costs,
                "cost_total": cost_total,
                "failing": failing,
                "perms": perms,
                "history": history,
                "editable": perms["edit"] and plan.status != PlanStatus.EVALUATED,
                "rule": rag.DERIVATION_RULE,
                "objectives": selectors.objectives_for_plan(plan),
                "today": today,
                "statuses": PlanStatus.choices,
                "returns": selectors.plan_returns(plan),
                "bare": selectors.priorities_without_criteria(priorities),
            },
        )


class PlanEditView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        plan = get_plan(request.user, pk)
        require_edit(request.user, plan)
        form = PlanTitleForm(request.POST or None, initial={"title": plan.title})
        return form_page(
            request,
            form,
            lambda f: services.plan_update(
                actor=request.user, plan=plan, title=f.cleaned_data["title"]
            ),
            success_url=plan_url(plan),
            context={"title": "Rename the plan", "back_url": plan_url(plan), "back": str(plan)},
        )


class PriorityFormView(ScopedViewMixin, View):
    def get(self, request, pk=None, plan_pk=None):
        return self.handle(request, pk, plan_pk)

    def post(self, request, pk=None, plan_pk=None):
        return self.handle(request, pk, plan_pk)

    def handle(self, request, pk, plan_pk):
        if pk:
            priority = get_plan_item(request.user, Priority, pk)
            plan = priority.plan
            instance = Priority.objects.select_related("plan").get(pk=pk)
        else:
            priority, plan = None, get_plan(request.user, plan_pk)
            instance = Priority(plan=plan)
        require_edit(request.user, plan)
        form = PriorityForm(request.POST or None, instance=instance, plan=plan)

        def save(form):
            tps = list(form.cleaned_data["trust_priorities"].select_related("strategic_plan"))
            if priority:
                services.priority_update(
                    actor=request.user,
                    priority=priority,
                    trust_priorities=tps,
                    **form.service_fields(),
                )
            else:
                services.priority_create(
                    actor=request.user, plan=plan, trust_priorities=tps, **form.service_fields()
                )

        return form_page(
            request,
            form,
            save,
            success_url=plan_url(plan),
            context={
                "title": "Edit priority" if priority else "Add a priority",
                "back_url": plan_url(plan),
                "back": str(plan),
            },
        )


def _child_form_view(model, form_class, create_service, update_service, noun, form_kwargs):
    """Create (under a priority) and edit views for actions, criteria and milestones."""

    class ChildFormView(ScopedViewMixin, View):
        def get(self, request, pk=None, priority_pk=None):
            return self.handle(request, pk, priority_pk)

        def post(self, request, pk=None, priority_pk=None):
            return self.handle(request, pk, priority_pk)

        def handle(self, request, pk, priority_pk):
            if pk:
                item = get_plan_item(request.user, model, pk)
                priority = item.priority
                instance = model.objects.select_related("priority__plan").get(pk=pk)
            else:
                item = None
                priority = get_plan_item(request.user, Priority, priority_pk)
                instance = model(priority=priority)
            plan = priority.plan
            require_edit(request.user, plan)
            form = form_class(request.POST or None, instance=instance, **form_kwargs(plan))

            def save(form):
                data = {name: form.cleaned_data[name] for name in form_class.Meta.fields}
                if item:
                    update_service(actor=request.user, **{noun: item}, **data)
                else:
                    create_service(actor=request.user, priority=priority, **data)

            label = model._meta.verbose_name
            return form_page(
                request,
                form,
                save,
                success_url=plan_url(plan) + f"#priority-{priority.pk}",
                context={
                    "title": f"Edit {label}"
                    if item
                    else f"Add {'an' if label[0] in 'aeiou' else 'a'} {label}",
                    "subtitle": f"Priority {priority}",
                    "back_url": plan_url(plan),
                    "back": str(plan),
                },
            )

    return ChildFormView


ActionFormView = _child_form_view(
    Action,
    ActionForm,
    services.action_create,
    services.action_update,
    "action",
    lambda plan: {"school": plan.school},
)
CriterionFormView = _child_form_view(
    SuccessCriterion,
    CriterionForm,
    services.criterion_create,
    services.criterion_update,
    "criterion",
    lambda plan: {"school": plan.school},
)
MilestoneFormView = _child_form_view(
    Milestone,
    MilestoneForm,
    services.milestone_create,
    services.milestone_update,
    "milestone",
    lambda plan: {"plan": plan},
)


class ActionProgressView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        action = get_plan_item(request.user, Action, pk)
        deny_unless(rules.may_update_progress(request.user, action), rules.PROGRESS_REFUSED)
        form = ActionProgressForm(
            request.POST or None,
            instance=Action.objects.select_related("priority__plan").get(pk=pk),
        )

        def save(form):
            services.action_progress_update(actor=request.user, action=action, **form.cleaned_data)

        plan = action.priority.plan
        return form_page(
            request,
            form,
            save,
            success_url=plan_url(plan),
            context={
                "title": "Update progress",
                "subtitle": action.what,
                "back_url": plan_url(plan),
                "back": str(plan),
            },
        )


DELETABLE = {
    "objective": (StaffObjective, services.staff_objective_delete),
    "priority": (Priority, services.priority_delete),
    "action": (Action, services.action_delete),
    "criterion": (SuccessCriterion, services.criterion_delete),
    "milestone": (Milestone, services.milestone_delete),
}


class ItemDeleteView(ScopedViewMixin, View):
    """GET asks for confirmation; POST removes the priority, action, criterion or milestone."""

    def _item(self, request, kind, pk):
        if kind not in DELETABLE:
            raise Http404("Nothing of that kind here.")
        model, delete = DELETABLE[kind]
        item = get_plan_item(request.user, model, pk)
        plan = plan_of(item)
        require_edit(request.user, plan)
        return model, delete, item, plan

    def get(self, request, kind, pk):
        model, _, item, plan = self._item(request, kind, pk)
        return render(
            request,
            "planning/item_delete.html",
            {"item": item, "plan": plan, "noun": model._meta.verbose_name},
        )

    def post(self, request, kind, pk):
        model, delete, item, plan = self._item(request, kind, pk)
        try:
            delete(actor=request.user, **{kind: item})
        except ValidationError as exc:
            messages_from(request, exc)
        else:
            messages.success(request, f"Removed the {model._meta.verbose_name}.")
        return redirect(plan_url(plan))


# Workflow -------------------------------------------------------------------------------------


def _transition(request, pk, rule, service, done_message, denied_message):
    plan = get_plan(request.user, pk)
    deny_unless(rule(request.user, plan.school), denied_message)
    try:
        service(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages_from(request, exc)
    else:
        messages.success(request, done_message)
    return redirect(plan_url(plan))


class PlanSubmitView(ScopedViewMixin, View):
    def post(self, request, pk):
        return _transition(
            request,
            pk,
            rules.may_lead_plan,
            services.plan_submit,
            "Plan submitted to governors.",
            rules.SUBMIT_REFUSED,
        )


class PlanSignOffView(ScopedViewMixin, View):
    def post(self, request, pk):
        return _transition(
            request,
            pk,
            rules.may_sign_off,
            services.plan_sign_off,
            "Signed off. Record the trust board's agreement when it has met.",
            rules.SIGN_OFF_REFUSED,
        )


class _PlanFormView(ScopedViewMixin, View):
    rule = None  # a rules.may_* taking (user, school)
    denied = ""
    title = ""
    intro = ""

    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def form(self, request, plan):
        raise NotImplementedError

    def save(self, request, plan, form):
        raise NotImplementedError

    def handle(self, request, pk):
        plan = get_plan(request.user, pk)
        deny_unless(type(self).rule(request.user, plan.school), self.denied)
        form = self.form(request, plan)
        return form_page(
            request,
            form,
            lambda f: self.save(request, plan, f),
            success_url=plan_url(plan),
            context={
                "title": self.title,
                "subtitle": str(plan),
                "intro": self.intro,
                "back_url": plan_url(plan),
                "back": str(plan),
            },
            success_message=f"{self.title}: done.",
        )


class PlanSmartOverrideView(_PlanFormView):
    rule = rules.may_override_smart
    denied = rules.SMART_OVERRIDE_REFUSED
    title = "Override the SMART check"
    intro = "The plan may then go to governors although some success criteria are not SMART. Your name and reason are recorded."

    def form(self, request, plan):
        return SmartOverrideForm(
            request.POST or None, initial={"reason": plan.smart_override_reason}
        )

    def save(self, request, plan, form):
        services.plan_smart_override(
            actor=request.user, plan=plan, reason=form.cleaned_data["reason"]
        )


class PlanAgreeView(_PlanFormView):
    rule = rules.may_agree_plan
    denied = rules.AGREE_REFUSED
    title = "Record governors' agreement"
    intro = "Record the meeting at which the local governing committee agreed this plan."

    def form(self, request, plan):
        return AgreeForm(request.POST or None, initial={"agreed_on": timezone.localdate()})

    def save(self, request, plan, form):
        services.plan_agree(
            actor=request.user,
            plan=plan,
            meeting=form.cleaned_data["meeting"],
            agreed_on=form.cleaned_data["agreed_on"],
        )


class PlanReturnView(_PlanFormView):
    rule = rules.may_return_plan
    denied = rules.RETURN_REFUSED
    title = "Return the plan to draft"

    def form(self, request, plan):
        return ReturnForm(request.POST or None)

    def save(self, request, plan, form):
        services.plan_return(actor=request.user, plan=plan, reason=form.cleaned_data["reason"])


class PlanTrustReturnView(_PlanFormView):
    rule = rules.may_sign_off
    denied = rules.SIGN_OFF_REFUSED
    title = "Return the plan to the school"
    intro = "The plan goes back to draft; your reason is shown at the top of the plan and on the headteacher's home page."

    def form(self, request, plan):
        return ReturnForm(request.POST or None)

    def save(self, request, plan, form):
        services.plan_return_by_trust(
            actor=request.user, plan=plan, reason=form.cleaned_data["reason"]
        )


class PlanBoardAgreeView(_PlanFormView):
    rule = rules.may_sign_off
    denied = rules.BOARD_AGREE_REFUSED
    title = "Record the trust board's agreement"
    intro = "The plan is then in progress."

    def form(self, request, plan):
        return BoardAgreeForm(request.POST or None, meetings=selectors.board_meetings_for(plan))

    def save(self, request, plan, form):
        services.plan_board_agree(
            actor=request.user, plan=plan, meeting=form.cleaned_data["meeting"]
        )


class PlanEvaluateView(_PlanFormView):
    rule = rules.may_lead_plan
    denied = rules.EVALUATE_REFUSED
    title = "Evaluate the plan"
    intro = "Write the impact of each priority. The plan is then closed; copy it into next year to carry on."

    def form(self, request, plan):
        return EvaluateForm(request.POST or None, priorities=plan.priorities.all())

    def save(self, request, plan, form):
        services.plan_evaluate(actor=request.user, plan=plan, impact_statements=form.statements())


class PlanCopyView(ScopedViewMixin, View):
    def get(self, request, pk):
        plan = get_plan(request.user, pk)
        require_edit(request.user, plan)
        open_actions = Action.objects.filter(
            priority__plan=plan, status__in=("not_started", "in_progress")
        ).count()
        return render(
            request, "planning/plan_copy.html", {"plan": plan, "open_actions": open_actions}
        )

    def post(self, request, pk):
        plan = get_plan(request.user, pk)
        require_edit(request.user, plan)
        try:
            new_plan = services.plan_copy_to_next_year(actor=request.user, plan=plan)
        except ValidationError as exc:
            messages_from(request, exc)
            return redirect(plan_url(plan))
        messages.success(
            request,
            f"Copied into {new_plan.academic_year.label}, with open actions carried forward.",
        )
        return redirect(plan_url(new_plan))


class StaffObjectiveCreateView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        plan = get_plan(request.user, pk)
        require_edit(request.user, plan)
        form = StaffObjectiveForm(request.POST or None, plan=plan)

        def save(form):
            data = form.cleaned_data
            services.staff_objective_create(
                actor=request.user,
                school=plan.school,
                academic_year=plan.academic_year,
                user=data["user"],
                text=data["text"],
                priority=data["priority"]
                or (data["criterion"].priority if data["criterion"] else None),
                criterion=data["criterion"],
            )

        return form_page(
            request,
            form,
            save,
            success_url=plan_url(plan) + "#objectives",
            context={
                "title": "Add a staff appraisal objective",
                "subtitle": str(plan),
                "back_url": plan_url(plan),
                "back": str(plan),
                "intro": "An appraisal objective that cites a priority or success criterion of this plan.",
            },
        )


class StaffObjectiveEditView(ScopedViewMixin, View):
    def get(self, request, pk):
        return self.handle(request, pk)

    def post(self, request, pk):
        return self.handle(request, pk)

    def handle(self, request, pk):
        objective = get_plan_item(request.user, StaffObjective, pk, related=("user", "criterion"))
        plan = plan_of(objective)
        require_edit(request.user, plan)
        form = StaffObjectiveForm(
            request.POST or None,
            plan=plan,
            initial={
                "user": objective.user_id,
                "text": objective.text,
                "priority": objective.priority_id,
                "criterion": objective.criterion_id,
            },
        )

        def save(form):
            data = form.cleaned_data
            services.staff_objective_update(
                actor=request.user,
                objective=objective,
                user=data["user"],
                text=data["text"],
                priority=data["priority"]
                or (data["criterion"].priority if data["criterion"] else None),
                criterion=data["criterion"],
            )

        return form_page(
            request,
            form,
            save,
            success_url=plan_url(plan) + "#objectives",
            context={
                "title": "Edit a staff appraisal objective",
                "subtitle": str(plan),
                "back_url": plan_url(plan),
                "back": str(plan),
            },
        )
