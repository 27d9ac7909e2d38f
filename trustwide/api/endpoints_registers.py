"""Risks, meetings and their actions: the risks and governance apps' selectors, which narrow to
what the registers and meeting pages show (trust-wide rows through access)."""

from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import paginate

from trustwide.governance import selectors as governance
from trustwide.risks import selectors as risks

from .schemas import Error, Id, MeetingOut, Pages, RiskOut

router = Router(tags=["Risks and governance"])


@router.get("/risks", response=list[RiskOut], summary="Risks on the registers you may see")
@paginate(Pages)
def risk_list(
    request, trust: Id | None = None, school: Id | None = None, status: str | None = None
):
    qs = risks.visible_risks(request.user)
    if trust is not None:
        qs = qs.filter(trust_id=trust)
    if school is not None:
        qs = qs.filter(school_id=school)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-residual_score", "pk")


@router.get("/risks/{risk_id}", response={200: RiskOut, 404: Error}, summary="One risk")
def risk_detail(request, risk_id: Id):
    return get_object_or_404(risks.visible_risks(request.user), pk=risk_id)


def _meeting_out(m, actions) -> dict:
    return {
        "id": m.pk,
        "body": m.body.name,
        "trust_id": m.body.trust_id,
        "school_id": m.body.school_id,
        "held_on": m.held_on,
        "title": m.title,
        "status": m.status,
        "actions": [
            {
                "id": a.pk,
                "meeting_id": a.meeting_id,
                "description": a.description,
                "owner": a.owner.full_name if a.owner_id else None,
                "due_on": a.due_on,
                "status": a.status,
                "completed_on": a.completed_on,
            }
            for a in actions
        ],
    }


def _meetings(request):
    return (
        governance.meetings_for(request.user)
        .select_related("body")
        .prefetch_related("actions__owner")
        .order_by("-held_on", "pk")
    )


@router.get(
    "/meetings",
    response=list[MeetingOut],
    summary="Meetings of the bodies you may see, with actions",
)
@paginate(Pages)
def meeting_list(request, trust: Id | None = None, school: Id | None = None):
    qs = _meetings(request)
    if trust is not None:
        qs = qs.filter(body__trust_id=trust)
    if school is not None:
        qs = qs.filter(body__school_id=school)
    visible_actions = set(governance.actions_for(request.user).values_list("pk", flat=True))
    return [
        _meeting_out(m, [a for a in m.actions.all() if a.pk in visible_actions]) for m in qs[:1000]
    ]


@router.get(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, 404: Error},
    summary="One meeting, with actions",
)
def meeting_detail(request, meeting_id: Id):
    m = get_object_or_404(_meetings(request), pk=meeting_id)
    return _meeting_out(
        m, governance.actions_for(request.user).filter(meeting=m).select_related("owner")
    )
