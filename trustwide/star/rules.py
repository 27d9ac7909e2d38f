"""Who may do what with STAR projects: the one home of these decisions and their refusal
messages. Views, services, selectors and links ask here; scope is answered by trustwide.access.

- A school's projects are read by its staff and leaders (star.view on the school).
- A member of staff runs a project at their school (star.run on it): they lead it or are on its
  team, and they (or the school's leaders) edit, start and evaluate it.
- Leaders (headteacher and senior leaders for their school, an executive headteacher for the
  hub's schools, trust leaders for every school) oversee every project (star.lead) and mark
  evaluated ones exemplary.
- Exemplars are published to the whole trust: every member of staff of the trust reads them
  (star.view anywhere in the trust). Governors, trustees, peer reviewers and clerks do not.
- The trust overview (participation and impact by school) is for those who lead beyond one
  school: trust leaders (every school) and executive headteachers (their hub's schools).
"""

from __future__ import annotations

from trustwide.access import Perm, can, role_has, trust_ids, trust_ids_at
from trustwide.accounts.roles import Role, ScopeLevel

SCHOOL_REFUSED = "STAR projects are read by the school's staff and leaders."
RUN_REFUSED = "Only the school's staff start STAR projects here."
EDIT_REFUSED = "Only the project's lead, its team and the school's leaders change this project."
EXEMPLARY_REFUSED = (
    "Only the school's leaders (headteacher, senior leaders, executive headteacher) "
    "and trust leaders mark a project exemplary."
)
EXEMPLARS_REFUSED = "The trust's STAR exemplars are for its staff."
OVERVIEW_REFUSED = (
    "The STAR overview is for trust leaders, and for executive headteachers for their hub."
)
LEAD_NOT_STAFF = "The lead must be a member of this school's staff."
MEMBER_NOT_STAFF = "Every team member must be on this school's staff: {names}."


def may_see_school_projects(user, school) -> bool:
    return can(user, Perm.STAR_VIEW, school)


def may_start_project(user, school) -> bool:
    """Open the "new project" page: staff of the school, or its leaders (for a colleague)."""
    return can(user, Perm.STAR_RUN, school) or can(user, Perm.STAR_LEAD, school)


def may_edit_school_projects(user, school) -> bool:
    """Any project of the school, and choosing who leads one: the school's leaders."""
    return can(user, Perm.STAR_LEAD, school)


def staff_roles() -> set[str]:
    """The roles whose holders may lead or join a project where their role is held."""
    return {role.value for role in Role if role_has(role, Perm.STAR_RUN)}


def is_school_staff(user, school) -> bool:
    """May lead or join a project at the school (a person other than the one asking)."""
    return can(user, Perm.STAR_RUN, school)


def _on_team(user, project, member_ids=None) -> bool:
    if project.lead_id == user.pk:
        return True
    if member_ids is None:
        return project.team.filter(user_id=user.pk).exists()
    return user.pk in member_ids


def may_edit(user, project, member_ids=None) -> bool:
    """The lead and team (still staff of the school), or the school's leaders."""
    if may_edit_school_projects(user, project.school):
        return True
    return _on_team(user, project, member_ids) and can(user, Perm.STAR_RUN, project.school)


def may_mark_exemplary(user, project) -> bool:
    return can(user, Perm.STAR_LEAD, project.school)


def may_read_exemplars(user, trust) -> bool:
    return trust.pk in trust_ids(user, Perm.STAR_VIEW)


def may_see_overview(user, trust) -> bool:
    return trust.pk in trust_ids_at(user, Perm.STAR_LEAD, levels=(ScopeLevel.TRUST, ScopeLevel.HUB))
