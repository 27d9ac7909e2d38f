"""The data protection lead's page: who has looked at a pupil's data, and what one person has
looked at (UK GDPR accountability). Reads the log that audit.services.record_pupil_access writes
on every view of identifying pupil data; the look-up itself is recorded too."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import View

from trustwide.access import Perm, get_object_or_404_for
from trustwide.accounts.models import User
from trustwide.audit.models import PupilAccessKind, PupilDataAccess
from trustwide.audit.services import record_pupil_access
from trustwide.common.views import ScopedViewMixin, deny_unless
from trustwide.trusts.models import Trust

from . import rules
from .models import Pupil


class PupilAccessLogView(ScopedViewMixin, View):
    def get(self, request, slug):
        trust = get_object_or_404_for(request.user, Perm.TRUST_VIEW, Trust, slug=slug)
        deny_unless(rules.may_read_access_log(request.user, trust), rules.ACCESS_LOG_REFUSED)
        upn = (request.GET.get("upn") or "").strip().upper()[:13]
        person_id = request.GET.get("person") or ""
        pupils, person, accesses = [], None, PupilDataAccess.objects.none()
        if upn:
            pupils = list(Pupil.objects.filter(trust=trust, upn=upn).select_related("school"))
            accesses = PupilDataAccess.objects.filter(
                trust=trust, pupils__pupil_key__in=[p.pupil_key for p in pupils]
            ).distinct()
            if pupils:
                record_pupil_access(
                    actor=request.user,
                    trust_id=trust.pk,
                    school_id=pupils[0].school_id,
                    kind=PupilAccessKind.ACCESS_LOG,
                    description=f"Who looked at pupil {upn}",
                    pupil_keys=[p.pupil_key for p in pupils],
                    path=request.get_full_path(),
                )
        elif person_id.isdigit():
            person = (
                User.objects.filter(pk=int(person_id), memberships__trust=trust).distinct().first()
            )
            if person is not None:
                accesses = PupilDataAccess.objects.filter(trust=trust, actor=person)
        page = Paginator(accesses.select_related("school").order_by("-at", "-pk"), 50).get_page(
            request.GET.get("page")
        )
        people = User.objects.filter(memberships__trust=trust).distinct().only("full_name", "email")
        return render(
            request,
            "data/pupil_access_log.html",
            {
                "trust": trust,
                "upn": upn,
                "pupils": pupils,
                "person": person,
                "page": page,
                "people": people,
                "searched": bool(upn or person_id),
            },
        )
