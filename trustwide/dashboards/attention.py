"""Home-page items: the head's report commentary not yet written for the current term, for
the school leaders who write it."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from trustwide.accounts.attention import Attention
from trustwide.trusts.models import School, Term

from . import rules
from .models import HeadReportCommentary


def items(user) -> list[Attention]:
    if not user.is_authenticated:
        return []
    school_ids = rules.commentary_schools(user)
    if not school_ids:
        return []
    today = timezone.localdate()
    schools = list(School.objects.filter(pk__in=school_ids).only("pk", "name", "trust_id"))
    terms = {
        t.academic_year.trust_id: t
        for t in Term.objects.filter(
            academic_year__trust_id__in={s.trust_id for s in schools},
            academic_year__is_current=True,
            starts_on__lte=today,
            ends_on__gte=today,
        ).select_related("academic_year")
    }
    written = set(
        HeadReportCommentary.objects.filter(school_id__in=school_ids, term__in=list(terms.values()))
        .exclude(summary="")
        .values_list("school_id", flat=True)
    )
    out = []
    for school in schools:
        term = terms.get(school.trust_id)
        if term is None or school.pk in written:
            continue
        out.append(
            Attention(
                title=f"Write the head's report commentary for {term}",
                detail=f"{school.name}: the termly report to local governors has no commentary yet.",
                url=reverse("dashboards:head-report-commentary", args=[school.pk])
                + f"?term={term.pk}",
                severity="due",
            )
        )
    return out
