"""Trusts, hubs and schools: the trusts app's selectors, as the pages use them."""

from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.pagination import paginate

from trustwide.trusts import selectors

from .schemas import Error, HubOut, Id, Pages, SchoolOut, TrustOut

router = Router(tags=["Trusts and schools"])


@router.get("/trusts", response=list[TrustOut], summary="Trusts you hold a role in")
@paginate(Pages)
def trust_list(request):
    return selectors.trusts_for(user=request.user).order_by("name")


@router.get("/trusts/{trust_id}", response={200: TrustOut, 404: Error}, summary="One trust")
def trust_detail(request, trust_id: Id):
    return get_object_or_404(selectors.trusts_for(user=request.user), pk=trust_id)


@router.get("/hubs", response=list[HubOut], summary="Hubs you may see")
@paginate(Pages)
def hub_list(request, trust: Id | None = None):
    hubs = selectors.hubs_for(user=request.user)
    if trust is not None:
        hubs = hubs.filter(trust_id=trust)
    return hubs.order_by("trust_id", "name")


@router.get("/schools", response=list[SchoolOut], summary="Schools you may see")
@paginate(Pages)
def school_list(request, trust: Id | None = None, hub: Id | None = None, phase: str | None = None):
    schools = selectors.schools_for(user=request.user, hub_id=hub, phase=phase)
    if trust is not None:
        schools = schools.filter(trust_id=trust)
    return schools.order_by("name")


@router.get("/schools/{school_id}", response={200: SchoolOut, 404: Error}, summary="One school")
def school_detail(request, school_id: Id):
    return get_object_or_404(selectors.schools_for(user=request.user), pk=school_id)
