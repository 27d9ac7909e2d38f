"""Permission-matrix entries for every STAR project URL (see tests/matrix.py).

In the world, the project of school A1 is led by its teacher; so the teacher edits it as its
lead, other school staff read it, and leaders (head, senior leader, EHT, trust leader) oversee it."""

from tests.matrix import ALL_ROLES, Entry, t_kwargs
from trustwide.access.policy import ROLE_PERMISSIONS, Perm

from .factories import project_at


def roles_with(perm: str) -> set[str]:
    return {role for role, perms in ROLE_PERMISSIONS.items() if perm in perms}


VIEWERS = roles_with(Perm.STAR_VIEW)  # every member of staff
RUNNERS = roles_with(Perm.STAR_RUN)  # school staff and their leaders
LEADERS = roles_with(Perm.STAR_LEAD)  # trust leader, EHT, headteacher, senior leader
EDITORS = LEADERS | {"teacher"}  # the leaders, and the teacher who leads the project
OVERVIEW = {"trust_leader", "executive_headteacher"}


def all_403(allowed: set[str], method: str = "get") -> dict:
    success = 302 if method == "post" else 200
    return {role: success if role in allowed else 403 for role in ALL_ROLES}


def on_project(allowed: set[str], method: str = "get") -> dict:
    """A project's pages: not readable 404; readable but not allowed 403."""
    success = 302 if method == "post" else 200
    return {
        role: success if role in allowed else 403 if role in VIEWERS else 404 for role in ALL_ROLES
    }


def project(**kwargs):
    def build(world, target):
        return {"pk": project_at(world, target, **kwargs).pk}

    return build


MATRIX = {
    "star:school-projects": Entry(kwargs=t_kwargs(pk="school.pk"), ok=all_403(VIEWERS)),
    "star:project-create": Entry(kwargs=t_kwargs(pk="school.pk"), ok=all_403(RUNNERS | LEADERS)),
    "star:project-detail": Entry(kwargs=project(), ok=on_project(VIEWERS)),
    "star:project-edit": Entry(kwargs=project(status="draft"), ok=on_project(EDITORS)),
    # Starting a project that has run already: refused with a message, back to the project.
    "star:project-start": Entry(
        method="post", kwargs=project(status="running"), ok=on_project(EDITORS, "post")
    ),
    "star:project-evaluate": Entry(kwargs=project(status="running"), ok=on_project(EDITORS)),
    "star:project-exemplary": Entry(kwargs=project(status="evaluated"), ok=on_project(LEADERS)),
    # Withdrawing a project that is not an exemplar: refused with a message, back to it.
    "star:project-withdraw-exemplar": Entry(
        method="post", kwargs=project(status="evaluated"), ok=on_project(LEADERS, "post")
    ),
    "star:project-delete": Entry(kwargs=project(status="draft"), ok=on_project(EDITORS)),
    "star:exemplars": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(VIEWERS)),
    "star:overview": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=all_403(OVERVIEW)),
}
