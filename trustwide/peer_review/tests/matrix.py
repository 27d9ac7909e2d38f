"""Permission-matrix entries for every peer review URL (see tests/matrix.py)."""

from tests.matrix import ALL_ROLES, Entry, t_kwargs
from trustwide.access.policy import ROLE_PERMISSIONS, Perm

from .factories import collaboration_for, deployment_for, non_negotiable_for, review_for


def roles_with(perm: str) -> set[str]:
    return {role for role, perms in ROLE_PERMISSIONS.items() if perm in perms}


def statuses(allowed: set[str], *, visible: str, method: str = "get") -> dict:
    """Allowed roles succeed; roles that see the object but may not do this get 403; others 404."""
    success = 302 if method == "post" else 200
    seen = roles_with(visible)
    return {
        role: (success if role in allowed else 403 if role in seen else 404) for role in ALL_ROLES
    }


def trust_statuses(allowed: set[str], method: str = "get") -> dict:
    """Trust pages: every role sees the trust (trust.view), so the others get 403."""
    success = 302 if method == "post" else 200
    return {role: success if role in allowed else 403 for role in ALL_ROLES}


def _review(world, target):
    return review_for(
        target.school, reviewer_user=world.users["peer_reviewer"] if target.in_scope else None
    )


def review_kwargs(world, target):
    return {"pk": _review(world, target).pk}


def review_action_kwargs(world, target):
    return {"pk": _review(world, target).actions.first().pk}


def reviewer_kwargs(world, target):
    return {"pk": _review(world, target).reviewers.first().pk}


def finding_kwargs(world, target):
    return {"pk": _review(world, target).findings.first().pk}


def non_negotiable_kwargs(world, target):
    return {"pk": non_negotiable_for(target.trust).pk}


def collaboration_kwargs(world, target):
    return {"pk": collaboration_for(target.school).pk}


def deployment_kwargs(world, target):
    user = world.users["trust_leader"] if target.in_scope else world.extra["trust_b_leader"]
    return {"pk": deployment_for(target.school, user).pk}


VIEW = roles_with(Perm.PEER_REVIEW_VIEW)
MANAGE_TRUST = {"trust_leader"}
MANAGE_SCHOOL = {"trust_leader", "executive_headteacher"}
# Named reviewers (the world's peer reviewer is on the review) and trust or hub leaders.
WRITE = {"trust_leader", "executive_headteacher", "peer_reviewer"}
AGREE = roles_with(Perm.PLAN_SUBMIT)
PLAN_EDIT = roles_with(Perm.PLAN_EDIT)
SUPPORT_VIEW = roles_with(Perm.SUPPORT_VIEW)
SUPPORT_MANAGE = {"trust_leader"}
slug = t_kwargs(slug="trust.slug")

MATRIX = {
    "peer_review:overview": Entry(kwargs=slug, ok=trust_statuses(VIEW)),
    "peer_review:rota": Entry(kwargs=slug, ok=trust_statuses(MANAGE_TRUST)),
    "peer_review:external-create": Entry(kwargs=slug, ok=trust_statuses(MANAGE_SCHOOL)),
    "peer_review:review-detail": Entry(
        kwargs=review_kwargs, ok=statuses(VIEW, visible=Perm.PEER_REVIEW_VIEW)
    ),
    "peer_review:review-edit": Entry(
        kwargs=review_kwargs, ok=statuses(MANAGE_SCHOOL, visible=Perm.PEER_REVIEW_VIEW)
    ),
    "peer_review:reviewer-add": Entry(
        kwargs=review_kwargs, ok=statuses(MANAGE_SCHOOL, visible=Perm.PEER_REVIEW_VIEW)
    ),
    "peer_review:finding-create": Entry(
        kwargs=review_kwargs, ok=statuses(WRITE, visible=Perm.PEER_REVIEW_VIEW)
    ),
    "peer_review:action-create": Entry(
        kwargs=review_kwargs, ok=statuses(WRITE, visible=Perm.PEER_REVIEW_VIEW)
    ),
    "peer_review:report-edit": Entry(
        kwargs=review_kwargs, ok=statuses(WRITE, visible=Perm.PEER_REVIEW_VIEW)
    ),
    "peer_review:report-pdf": Entry(
        kwargs=review_kwargs, ok=statuses(VIEW, visible=Perm.PEER_REVIEW_VIEW)
    ),
    "peer_review:report-agree": Entry(
        kwargs=review_kwargs,
        method="post",
        ok=statuses(AGREE, visible=Perm.PEER_REVIEW_VIEW, method="post"),
    ),
    "peer_review:action-to-plan": Entry(
        kwargs=review_action_kwargs, ok=statuses(PLAN_EDIT, visible=Perm.PEER_REVIEW_VIEW)
    ),
    # Edit and delete pages mirror the create pages' checks (delete: the confirmation page;
    # the POSTs are tested in test_editing.py).
    "peer_review:reviewer-remove": Entry(
        kwargs=reviewer_kwargs, ok=statuses(MANAGE_SCHOOL, visible=Perm.PEER_REVIEW_VIEW)
    ),
    "peer_review:finding-edit": Entry(
        kwargs=finding_kwargs, ok=statuses(WRITE, visible=Perm.PEER_REVIEW_VIEW)
    ),
    "peer_review:finding-delete": Entry(
        kwargs=finding_kwargs, ok=statuses(WRITE, visible=Perm.PEER_REVIEW_VIEW)
    ),
    "peer_review:action-edit": Entry(
        kwargs=review_action_kwargs, ok=statuses(WRITE, visible=Perm.PEER_REVIEW_VIEW)
    ),
    "peer_review:action-delete": Entry(
        kwargs=review_action_kwargs, ok=statuses(WRITE, visible=Perm.PEER_REVIEW_VIEW)
    ),
    "peer_review:non-negotiable-edit": Entry(
        kwargs=non_negotiable_kwargs, ok=statuses(SUPPORT_MANAGE, visible=Perm.SUPPORT_VIEW)
    ),
    "peer_review:non-negotiable-delete": Entry(
        kwargs=non_negotiable_kwargs, ok=statuses(SUPPORT_MANAGE, visible=Perm.SUPPORT_VIEW)
    ),
    "peer_review:collaboration-edit": Entry(
        kwargs=collaboration_kwargs, ok=statuses(SUPPORT_MANAGE, visible=Perm.SUPPORT_VIEW)
    ),
    "peer_review:collaboration-delete": Entry(
        kwargs=collaboration_kwargs, ok=statuses(SUPPORT_MANAGE, visible=Perm.SUPPORT_VIEW)
    ),
    "peer_review:school": Entry(
        kwargs=t_kwargs(pk="school.pk"), ok=trust_statuses(VIEW | SUPPORT_VIEW)
    ),
    "peer_review:support": Entry(kwargs=slug, ok=trust_statuses(SUPPORT_VIEW)),
    "peer_review:support-assess": Entry(
        kwargs=slug, method="post", ok=trust_statuses(SUPPORT_MANAGE, "post")
    ),
    "peer_review:support-rule": Entry(kwargs=slug, ok=trust_statuses(SUPPORT_MANAGE)),
    "peer_review:non-negotiable-create": Entry(kwargs=slug, ok=trust_statuses(SUPPORT_MANAGE)),
    "peer_review:collaboration-create": Entry(kwargs=slug, ok=trust_statuses(SUPPORT_MANAGE)),
    "peer_review:expertise-mine": Entry(kwargs=slug, ok=ALL_ROLES),
    "peer_review:expertise-register": Entry(kwargs=slug, ok=trust_statuses(SUPPORT_MANAGE)),
    "peer_review:deployment-create": Entry(kwargs=slug, ok=trust_statuses(SUPPORT_MANAGE)),
    "peer_review:deployment-edit": Entry(
        kwargs=deployment_kwargs, ok=statuses(SUPPORT_MANAGE, visible=Perm.SUPPORT_VIEW)
    ),
}
