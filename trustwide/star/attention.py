"""Home-page items: a STAR project the user leads or is on the team of, still running after its
year has ended, is due for evaluation in October (seed 004: "Staff evaluate their STAR projects
to include them in their PM"). No query for people who run no projects; one otherwise."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from trustwide.access import Perm, trust_ids
from trustwide.accounts.attention import Attention
from trustwide.trusts.utils import academic_start_year

from . import selectors
from .models import StarStatus

LIMIT = 5


def items(user) -> list[Attention]:
    if not user.is_authenticated or not trust_ids(user, Perm.STAR_RUN):
        return []
    today = timezone.localdate()
    due = (
        selectors.visible_projects(user)
        .filter(
            Q(lead=user) | Q(team__user=user),
            status=StarStatus.RUNNING,
            academic_year__start_year__lt=academic_start_year(today),
        )
        .select_related("school", "academic_year")
        .distinct()
        .order_by("academic_year__start_year", "title")[:LIMIT]
    )
    found = []
    for project in due:
        by = datetime.date(project.academic_year.start_year + 1, 10, 31)
        found.append(
            Attention(
                title=f"Evaluate your STAR project: {project.title[:80]}",
                detail=f"{project.school.name}, {project.academic_year.label}: "
                f"evaluation due by {by:%d/%m/%Y}",
                url=reverse("star:project-evaluate", args=[project.pk]),
                severity="overdue" if today > by else "due",
            )
        )
    return found
