"""What needs attention in self-evaluation: SEFs awaiting validation (for validators) and this
year's draft SEFs (for the school's editors). One query for both."""

from __future__ import annotations

from django.urls import reverse

from trustwide.access import Perm, restrict
from trustwide.accounts.attention import Attention

from . import rules
from .models import SefStatus, SelfEvaluation

LIMIT = 20


def items(user) -> list[Attention]:
    validates = rules.validates_somewhere(user)
    edits = rules.edits_somewhere(user)
    if not (validates or edits):
        return []
    base = SelfEvaluation.objects.select_related("school", "academic_year", "framework")
    queryset = base.none()
    if validates:
        queryset = queryset | restrict(
            base.filter(status=SefStatus.SUBMITTED), user, Perm.SEF_VALIDATE
        )
    if edits:
        queryset = queryset | restrict(
            base.filter(status=SefStatus.DRAFT, academic_year__is_current=True), user, Perm.SEF_EDIT
        )
    out = []
    for sef in queryset.order_by("status", "school__name")[:LIMIT]:
        url = reverse("evaluation:sef-detail", kwargs={"pk": sef.pk})
        if sef.status == SefStatus.SUBMITTED:
            out.append(
                Attention(
                    title=f"SEF awaiting validation: {sef.school.name}",
                    detail=f"{sef.framework.name}, {sef.academic_year.label}",
                    url=url,
                    severity="due",
                )
            )
        else:
            out.append(
                Attention(
                    title=f"Draft SEF to finish and submit: {sef.school.name}",
                    detail=f"{sef.framework.name}, {sef.academic_year.label}",
                    url=url,
                    severity="info",
                )
            )
    return out
