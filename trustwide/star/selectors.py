"""Read path for STAR projects: a school's projects, one project, the trust's exemplars and the
trust overview of participation and impact by school. Each starts from access (or a rule in
rules.py) and answers in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from trustwide.access import Perm, restrict
from trustwide.trusts.models import School

from . import rules
from .models import ImpactRating, StarProject, StarStatus, StarTeamMember


def visible_projects(user) -> QuerySet:
    """Projects of the schools where the user reads STAR projects (absent elsewhere: 404)."""
    return restrict(StarProject.objects.all(), user, Perm.STAR_VIEW)


def _with_related(qs: QuerySet) -> QuerySet:
    return qs.select_related(
        "school", "academic_year", "lead", "priority__plan__academic_year"
    ).prefetch_related(Prefetch("team", queryset=StarTeamMember.objects.select_related("user")))


def project_for(user, pk: int) -> StarProject | None:
    return (
        _with_related(visible_projects(user))
        .select_related("objective", "evaluated_by", "exemplary_by", "school__trust")
        .filter(pk=pk)
        .first()
    )


def school_projects(school) -> list[StarProject]:
    """The school's projects, newest year first."""
    return list(
        _with_related(StarProject.objects.filter(school=school)).order_by(
            "-academic_year__start_year", "status", "title", "pk"
        )
    )


def school_staff(school) -> QuerySet:
    """The people who may lead or join a project at the school: a current staff role there, or
    (an executive headteacher) at its hub. The services check each choice again."""
    from django.db.models import Q

    from trustwide.accounts.models import Membership, User

    roles = Membership.objects.active().filter(
        Q(school=school) | Q(hub_id=school.hub_id, hub__isnull=False),
        role__in=rules.staff_roles(),
    )
    return User.objects.filter(pk__in=roles.values("user_id")).order_by("full_name")


def exemplars(trust) -> list[StarProject]:
    """Every project of the trust's schools marked exemplary, newest year first: the published
    best-practice exemplars. Only what the project publishes is read (no pupil data exists on
    a project)."""
    return list(
        _with_related(
            StarProject.objects.filter(school__trust=trust, exemplary_at__isnull=False)
        ).order_by("-academic_year__start_year", "school__name", "title")
    )


@dataclass
class SchoolStar:
    school: School
    projects: int = 0
    staff: int = 0
    draft: int = 0
    running: int = 0
    evaluated: int = 0
    exemplary: int = 0
    ratings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ImpactRating.values, 0))

    @property
    def rating_counts(self) -> list[int]:
        return [self.ratings[value] for value in ImpactRating.values]


@dataclass
class StarOverview:
    rows: list[SchoolStar]
    total: SchoolStar
    ratings: list[tuple[str, str]] = field(
        default_factory=lambda: [(v, ImpactRating.short(v)) for v in ImpactRating.values]
    )


def overview_schools(user, trust, year) -> QuerySet:
    """The schools whose projects the user oversees (every school for trust leaders, the hub's
    for an executive headteacher), of those in the trust during the year."""
    return restrict(
        School.objects.filter(trust=trust).open_between(year.starts_on, year.ends_on),
        user,
        Perm.STAR_LEAD,
    ).order_by("name")


def overview(user, trust, year) -> StarOverview:
    """Participation and impact by school for one academic year's STAR cycle: projects, staff
    taking part (leads and team members, each person once per school; once in the total),
    projects by status, exemplary projects and the impact ratings of evaluated projects.
    Three queries whatever the number of schools and projects."""
    schools = list(overview_schools(user, trust, year))
    rows = {s.pk: SchoolStar(s) for s in schools}
    projects = StarProject.objects.filter(academic_year=year, school_id__in=rows)
    people: dict[int, set[int]] = {pk: set() for pk in rows}
    for school_id, lead_id, status, rating, exemplary_at in projects.values_list(
        "school_id", "lead_id", "status", "impact_rating", "exemplary_at"
    ):
        row = rows[school_id]
        row.projects += 1
        setattr(row, status, getattr(row, status) + 1)
        if status == StarStatus.EVALUATED and rating:
            row.ratings[rating] += 1
        if exemplary_at is not None:
            row.exemplary += 1
        people[school_id].add(lead_id)
    for school_id, user_id in StarTeamMember.objects.filter(project__in=projects).values_list(
        "project__school_id", "user_id"
    ):
        people[school_id].add(user_id)
    total = SchoolStar(school=None)
    for pk, row in rows.items():
        row.staff = len(people[pk])
        for name in ("projects", "draft", "running", "evaluated", "exemplary"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        for value, n in row.ratings.items():
            total.ratings[value] += n
    total.staff = len(set().union(*people.values())) if people else 0
    return StarOverview(rows=list(rows.values()), total=total)


def overview_years(trust) -> QuerySet:
    from trustwide.trusts.models import AcademicYear

    return AcademicYear.objects.filter(trust=trust).order_by("-start_year")


def review_evidence(school, start_year: int) -> list[tuple[str, str]]:
    """The school's evaluated STAR projects of the year as evidence for its mid-year review
    (planning/hooks.review_evidence_providers): the priority each serves and its impact. The
    review page is read only by those who may read the school's plans."""
    projects = (
        StarProject.objects.filter(
            school=school, academic_year__start_year=start_year, status=StarStatus.EVALUATED
        )
        .select_related("priority")
        .order_by("priority__number", "title")
    )
    out = []
    for p in projects:
        serves = f"priority {p.priority.number}; " if p.priority is not None else ""
        rating = p.get_impact_rating_display().lower() if p.impact_rating else "not rated"
        out.append((f"STAR: {p.title} ({serves}impact {rating})", p.impact))
    return out
