"""Who may do what in peer review and support: the one home of every peer-review decision and
of each refusal's message. Views, services, selectors and links ask here; scope itself is
answered by trustwide.access.

`user=None` is a command or the demo builder (recorded with its actor_label): services allow it;
pages always pass the signed-in user."""

from __future__ import annotations

from trustwide.access import Perm, actor_can, actor_can_in_trust, can, trust_ids

PEER_REVIEW_HIDDEN = "You may not read peer review in this trust."
SCHOOL_HIDDEN = "You may not read this school's peer review or support."
SUPPORT_HIDDEN = "You may not read support levels here."
ROTA_REFUSED = "Only trust leaders form triads and rotas."
REVIEW_MANAGE_REFUSED = "Only trust and hub leaders manage reviews."
EXTERNAL_REFUSED = "Only trust and hub leaders arrange external audits."
FINDINGS_REFUSED = "Only the review's reviewers write its findings."
AGREE_REFUSED = "Only the school's headteacher agrees the report."
TO_PLAN_REFUSED = "Only the school's leaders add actions to its plan."
SUPPORT_MANAGE_REFUSED = "Only trust leaders manage support."
EXPERTISE_REFUSED = "You may edit only your own expertise."


# --------------------------------------------------------------------------- reviews


def may_read_in_trust(user, trust) -> bool:
    """The trust's peer-review pages: anyone who may read peer review somewhere in the trust
    (each page then shows only the schools they may see)."""
    return trust.pk in trust_ids(user, Perm.PEER_REVIEW_VIEW)


def may_read_school(user, school) -> bool:
    """A school's peer-review and support page: either part is enough."""
    return may_read_reviews(user, school) or may_read_support(user, school)


def may_read_reviews(user, school) -> bool:
    return actor_can(user, Perm.PEER_REVIEW_VIEW, school)


def may_form_rota(user, trust_id: int) -> bool:
    return actor_can_in_trust(user, Perm.PEER_REVIEW_MANAGE, trust_id)


def may_manage_review(user, school) -> bool:
    """Arrange, move and staff a school's reviews (trust and hub leaders)."""
    return actor_can(user, Perm.PEER_REVIEW_MANAGE, school)


def is_reviewer(user, review) -> bool:
    return (
        user is not None and user.is_authenticated and review.reviewers.filter(user=user).exists()
    )


def may_write_findings(user, review) -> bool:
    """Named reviewers (within their access window) and the trust's or hub's leaders."""
    if user is None:
        return True
    if not can(user, Perm.PEER_REVIEW_WRITE, review.school):
        return False
    return may_manage_review(user, review.school) or is_reviewer(user, review)


def may_agree_report(user, school) -> bool:
    """The reviewed school's headteacher (plan.submit: head and senior leaders)."""
    return actor_can(user, Perm.PLAN_SUBMIT, school)


def may_add_to_plan(user, school) -> bool:
    return actor_can(user, Perm.PLAN_EDIT, school)


def leads_school(user, school) -> bool:
    """A school's own leaders never review it (nor get a reviewer's access to it)."""
    return can(user, Perm.SEF_EDIT, school)


# --------------------------------------------------------------------------- support


def may_read_support(user, school) -> bool:
    return actor_can(user, Perm.SUPPORT_VIEW, school)


def may_read_support_in_trust(user, trust) -> bool:
    return trust.pk in trust_ids(user, Perm.SUPPORT_VIEW)


def reads_all_support(user, trust_id: int) -> bool:
    """Support read across the whole trust (otherwise only what touches the user's schools)."""
    return actor_can_in_trust(user, Perm.SUPPORT_VIEW, trust_id)


def may_manage_support(user, trust_id: int) -> bool:
    return actor_can_in_trust(user, Perm.SUPPORT_MANAGE, trust_id)


def may_edit_expertise(user, trust, person) -> bool:
    """Staff keep their own entry; trust leaders (support.manage) may keep anyone's."""
    if user is None or may_manage_support(user, trust.pk):
        return True
    return user.pk == person.pk and trust.pk in trust_ids(user, Perm.TRUST_VIEW)
