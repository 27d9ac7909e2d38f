"""School plans (priorities, success criteria, termly RAG) and SEFs (judgements, validations):
the planning and evaluation apps' selectors, with the decisions their pages take (a SEF of a
school the caller sees, without sef.view there, is 403 as on the SEF page; plans are 404)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import paginate

from trustwide.access import Perm, can, get_object_or_404_for
from trustwide.evaluation import selectors as evaluation
from trustwide.planning import selectors as planning
from trustwide.planning.models import RatedKind
from trustwide.trusts import selectors as trust_selectors

from .schemas import Error, Id, Pages, PlanDetailOut, PlanOut, SefDetailOut, SefOut

router = Router(tags=["Plans and self-evaluation"])

SEF_REFUSED = "You may not read this school's self-evaluations."


def _plan_out(plan) -> dict:
    return {
        "id": plan.pk,
        "school_id": plan.school_id,
        "academic_year": plan.academic_year.start_year,
        "kind": plan.kind,
        "title": plan.title,
        "status": plan.status,
    }


@router.get("/plans", response=list[PlanOut], summary="School plans you may read")
@paginate(Pages)
def plan_list(request, school: Id | None = None, academic_year: int | None = None):
    plans = planning.plans_for(user=request.user)
    if school is not None:
        plans = plans.filter(school_id=school)
    if academic_year is not None:
        plans = plans.filter(academic_year__start_year=academic_year)
    return [
        _plan_out(p)
        for p in plans.order_by("-academic_year__start_year", "school__name", "pk")[:5000]
    ]


@router.get(
    "/plans/{plan_id}",
    response={200: PlanDetailOut, 404: Error},
    summary="One plan: priorities, success criteria and their termly RAG",
)
def plan_detail(request, plan_id: Id):
    # As the plan page: absent (404) for anyone who may not read the school's plans.
    plan = planning.plan_with_contents(user=request.user, pk=plan_id)
    terms = list(plan.academic_year.terms.all())
    table = planning.ratings_by_subject(plan)

    def rag(kind, pk):
        ratings = table.get((kind, pk), {})
        return [
            {"term": t.name, "rating": ratings[t.pk].rating if t.pk in ratings else None}
            for t in terms
        ]

    out = _plan_out(plan)
    out["priorities"] = [
        {
            "id": p.pk,
            "number": p.number,
            "title": p.title,
            "rag": rag(RatedKind.PRIORITY, p.pk),
            "criteria": [
                {
                    "id": c.pk,
                    "description": c.description,
                    "measure": c.measure,
                    "baseline": c.baseline,
                    "target": c.target,
                    "target_date": c.target_date,
                    "kpi_code": c.kpi_code,
                    "kpi_group": c.kpi_group,
                    "rag": rag(RatedKind.CRITERION, c.pk),
                }
                for c in p.criteria.all()
            ],
        }
        for p in plan.priorities.all()
    ]
    return out


def _sef_out(sef) -> dict:
    return {
        "id": sef.pk,
        "school_id": sef.school_id,
        "academic_year": sef.academic_year.start_year,
        "framework": sef.framework.name,
        "status": sef.status,
    }


@router.get(
    "/schools/{school_id}/sefs",
    response={200: list[SefOut], 403: Error, 404: Error},
    summary="A school's self-evaluations",
)
def sef_list(request, school_id: Id):
    school = get_object_or_404(trust_selectors.schools_for(user=request.user), pk=school_id)
    if not can(request.user, Perm.SEF_VIEW, school):
        raise PermissionDenied(SEF_REFUSED)
    return [_sef_out(s) for s in evaluation.sefs_of_school(user=request.user, school=school)]


@router.get(
    "/sefs/{sef_id}",
    response={200: SefDetailOut, 403: Error, 404: Error},
    summary="One self-evaluation: each area's judgement and its validations",
)
def sef_detail(request, sef_id: Id):
    sef = get_object_or_404_for(
        request.user, Perm.SCHOOL_VIEW, evaluation.sef_queryset(), pk=sef_id
    )
    if not can(request.user, Perm.SEF_VIEW, sef.school):
        raise PermissionDenied(SEF_REFUSED)
    sef = evaluation.sef_with_details(user=request.user, pk=sef_id)
    out = _sef_out(sef)
    out["judgements"] = [
        {
            "area": j.area_code,
            "grade": j.grade_code,
            "validations": [
                {
                    "validator": v.validator_name,
                    "role": v.role,
                    "agrees": v.agrees,
                    "grade": v.grade_code,
                    "validated_on": v.validated_on,
                }
                for v in j.validations.all()
            ],
        }
        for j in sef.judgements.all()
    ]
    return out
