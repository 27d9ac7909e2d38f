"""History rules (see trustwide/audit/history.py): a project's history follows the project's
own page (its school's staff and leaders), whether or not it is published as an exemplar."""

from . import selectors
from .models import StarTeamMember

VISIBLE = {
    "star.starproject": selectors.visible_projects,
    "star.starteammember": lambda user: StarTeamMember.objects.filter(
        project__in=selectors.visible_projects(user)
    ),
}
