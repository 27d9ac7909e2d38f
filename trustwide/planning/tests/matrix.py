"""Permission-matrix entries for every planning URL (see tests/matrix.py)."""

from tests.matrix import ALL_ROLES, Entry, t_kwargs
from trustwide.access.policy import ROLE_PERMISSIONS, Perm

from .factories import first, plan_for, strategic_plan


def roles_with(perm: str) -> set[str]:
    return {role for role, perms in ROLE_PERMISSIONS.items() if perm in perms}


def statuses(
    allowed: set[str], *, visible: str, method: str = "get", extra: dict | None = None
) -> dict:
    """Allowed roles succeed; roles that can see the object but not do this get 403; the rest 404."""
    success = 302 if method == "post" else 200
    seen = roles_with(visible)
    result = {
        role: (success if role in allowed else 403 if role in seen else 404) for role in ALL_ROLES
    }
    result.update(extra or {})
    return result


def trust_statuses(allowed: set[str], method: str = "get") -> dict:
    """Trust-level pages: every role sees the trust (trust.view), so others get 403."""
    success = 302 if method == "post" else 200
    return {role: success if role in allowed else 403 for role in ALL_ROLES}


def _objective(world, target):
    """An appraisal objective citing the target school's plan (its first priority)."""
    from trustwide.planning.models import StaffObjective

    plan = _plan(world, target)
    priority = first(plan, "priority")
    objective = StaffObjective.objects.filter(priority=priority).first()
    return objective or StaffObjective.objects.create(
        school=plan.school,
        academic_year=plan.academic_year,
        user=next(iter(world.users.values())),
        text="Raise attendance in my class",
        priority=priority,
    )


def _record_with_file(world, target):
    """A monitoring record of the target school's plan with an evidence file."""
    import datetime

    from django.core.files.base import ContentFile

    from trustwide.planning.models import MonitoringRecord

    activity = _plan(world, target).activities.first()
    record = MonitoringRecord(
        activity=activity, carried_out_on=datetime.date.today(), findings="Seen in class"
    )
    record.evidence_file.save("walk-notes.txt", ContentFile(b"Learning walk notes"), save=True)
    return record


def _plan(world, target):
    return plan_for(target.school, owner=world.users["teacher"] if target.in_scope else None)


REVIEW_WRITERS = roles_with(Perm.PLAN_SUBMIT) | roles_with(Perm.PLAN_SIGN_OFF)


def _review(world, target):
    """A mid-year review of the target school's plan (drafts stay drafts: a matrix POST to submit
    is refused with a message, not a state change)."""
    from trustwide.planning.models import PlanReview

    plan = _plan(world, target)
    return PlanReview.objects.get_or_create(plan=plan, kind="mid_year")[0]


def review_kwargs(world, target):
    return {"pk": _review(world, target).pk}


def plan_kwargs(world, target):
    return {"pk": _plan(world, target).pk}


def plan_pk_kwargs(world, target):
    return {"plan_pk": _plan(world, target).pk}


def item_kwargs(related, key="pk"):
    return lambda world, target: {key: first(_plan(world, target), related).pk}


def priority_pk(world, target):
    return {"priority_pk": first(_plan(world, target), "priority").pk}


def trust_priority_kwargs(world, target):
    return {"pk": strategic_plan(target.trust).priorities.first().pk}


def trust_slug_with_plan(world, target):
    strategic_plan(target.trust)
    return {"slug": target.trust.slug}


def _msp_version(world, target):
    from trustwide.planning.models import MspVersion

    plan = strategic_plan(target.trust)
    return MspVersion.objects.filter(strategic_plan=plan).first() or MspVersion.objects.create(
        strategic_plan=plan,
        number=1,
        label="First draft",
        consultation_open=True,
        snapshot={
            "title": plan.title,
            "priorities": [{"code": "MSP1", "title": "Removing disadvantage"}],
        },
    )


def _msp_comment(world, target):
    version = _msp_version(world, target)
    return version.comments.first() or version.comments.create(
        priority_code="MSP1", text="A comment"
    )


def _msp_year_review(world, target):
    """A draft year-end review of the target trust's strategic plan (a draft stays a draft: the
    matrix only GETs its pages)."""
    from trustwide.planning.models import MspYearReview

    plan = strategic_plan(target.trust)
    year = target.trust.academic_years.get(is_current=True)
    return MspYearReview.objects.get_or_create(strategic_plan=plan, academic_year=year)[0]


def msp_year_review_kwargs(world, target):
    return {"pk": _msp_year_review(world, target).pk}


def _publication(world, target, token=None):
    from trustwide.planning.models import GuidePublication

    strategic_plan(target.trust)
    year = target.trust.academic_years.get(is_current=True)
    publication, _ = GuidePublication.objects.get_or_create(
        trust=target.trust, academic_year=year, kind="msp", school=None
    )
    if token and publication.public_token != token:
        publication.public_token = token
        publication.save()
    return publication


PLAN_VIEW = roles_with(Perm.PLAN_VIEW)
PLAN_EDIT = roles_with(Perm.PLAN_EDIT)
SP_VIEW = roles_with(Perm.STRATEGIC_PLAN_VIEW)
TRUST_LEADERS = {"trust_leader"}

view_plan = statuses(PLAN_VIEW, visible=Perm.PLAN_VIEW)
edit_plan = statuses(PLAN_EDIT, visible=Perm.PLAN_VIEW)
school_page = trust_statuses(PLAN_VIEW)  # the school is visible to every role in it
school_edit_page = trust_statuses(PLAN_EDIT)

MATRIX = {
    "planning:strategic-plan": Entry(kwargs=trust_slug_with_plan, ok=trust_statuses(SP_VIEW)),
    "planning:strategic-plan-edit": Entry(
        kwargs=trust_slug_with_plan, ok=trust_statuses(TRUST_LEADERS)
    ),
    "planning:trust-priority-create": Entry(
        kwargs=trust_slug_with_plan, ok=trust_statuses(TRUST_LEADERS)
    ),
    "planning:trust-priority-edit": Entry(
        kwargs=trust_priority_kwargs, ok=statuses(TRUST_LEADERS, visible=Perm.STRATEGIC_PLAN_VIEW)
    ),
    # Only trust leaders rate the strategic plan termly (RAG rating held at trust level).
    "planning:msp-termly-review": Entry(
        kwargs=trust_slug_with_plan, ok=trust_statuses(TRUST_LEADERS)
    ),
    "planning:msp-versions": Entry(kwargs=trust_slug_with_plan, ok=trust_statuses(SP_VIEW)),
    "planning:msp-version-issue": Entry(
        kwargs=trust_slug_with_plan, ok=trust_statuses(TRUST_LEADERS)
    ),
    "planning:msp-version": Entry(
        kwargs=lambda w, t: {"pk": _msp_version(w, t).pk},
        ok=statuses(SP_VIEW, visible=Perm.STRATEGIC_PLAN_VIEW),
    ),
    "planning:msp-version-compare": Entry(
        kwargs=lambda w, t: {"pk": _msp_version(w, t).pk},
        ok=statuses(SP_VIEW, visible=Perm.STRATEGIC_PLAN_VIEW),
    ),
    "planning:msp-version-approve": Entry(
        kwargs=lambda w, t: {"pk": _msp_version(w, t).pk},
        ok=statuses(TRUST_LEADERS, visible=Perm.STRATEGIC_PLAN_VIEW),
    ),
    # The trust's year-end review of its strategic plan: read where the plan is read, written
    # and presented to the board by trust leaders (starting without a year is a message).
    "planning:msp-year-reviews": Entry(kwargs=trust_slug_with_plan, ok=trust_statuses(SP_VIEW)),
    "planning:msp-year-review-start": Entry(
        kwargs=trust_slug_with_plan, method="post", ok=trust_statuses(TRUST_LEADERS, method="post")
    ),
    "planning:msp-year-review": Entry(
        kwargs=msp_year_review_kwargs, ok=statuses(SP_VIEW, visible=Perm.STRATEGIC_PLAN_VIEW)
    ),
    "planning:msp-year-review-edit": Entry(
        kwargs=msp_year_review_kwargs,
        ok=statuses(TRUST_LEADERS, visible=Perm.STRATEGIC_PLAN_VIEW),
    ),
    "planning:msp-year-review-present": Entry(
        kwargs=msp_year_review_kwargs,
        ok=statuses(TRUST_LEADERS, visible=Perm.STRATEGIC_PLAN_VIEW),
    ),
    "planning:msp-comment-answer": Entry(
        kwargs=lambda w, t: {"pk": _msp_comment(w, t).pk},
        ok=statuses(TRUST_LEADERS, visible=Perm.STRATEGIC_PLAN_VIEW),
    ),
    # Publishing redirects back to the guide (a refusal, e.g. already published, is a message).
    "planning:pocket-guide-publish": Entry(
        kwargs=trust_slug_with_plan, method="post", ok=trust_statuses(TRUST_LEADERS, method="post")
    ),
    "planning:school-pocket-guide-publish": Entry(
        kwargs=lambda w, t: {"pk": t.school.pk, "kind": "sip"},
        method="post",
        ok=trust_statuses(roles_with(Perm.PLAN_SUBMIT), method="post"),
    ),
    "planning:guide-public-link": Entry(
        kwargs=lambda w, t: {"pk": _publication(w, t).pk},
        method="post",
        ok=statuses(TRUST_LEADERS, visible=Perm.STRATEGIC_PLAN_VIEW, method="post"),
    ),
    "planning:public-pocket-guide": Entry(
        kwargs=lambda w, t: {"token": _publication(w, t, "tok-" + t.trust.slug).public_token},
        public=True,
        anonymous=200,
    ),
    "planning:pocket-guide": Entry(kwargs=trust_slug_with_plan, ok=trust_statuses(SP_VIEW)),
    "planning:pocket-guide-edit": Entry(
        kwargs=trust_slug_with_plan, ok=trust_statuses(TRUST_LEADERS)
    ),
    "planning:monitoring-scale": Entry(
        kwargs=t_kwargs(slug="trust.slug"), ok=trust_statuses(TRUST_LEADERS)
    ),
    "planning:rollup": Entry(kwargs=trust_slug_with_plan, ok=trust_statuses(PLAN_VIEW)),
    "planning:school-pocket-guide": Entry(kwargs=t_kwargs(pk="school.pk"), ok=school_page),
    "planning:school-pocket-guide-pdf": Entry(kwargs=t_kwargs(pk="school.pk"), ok=school_page),
    "planning:plan-list": Entry(kwargs=t_kwargs(pk="school.pk"), ok=school_page),
    "planning:reviews": Entry(kwargs=t_kwargs(pk="school.pk"), ok=school_page),
    "planning:review-start": Entry(
        kwargs=lambda w, t: {"pk": _plan(w, t).pk, "kind": "mid_year"},
        method="post",
        ok=statuses(REVIEW_WRITERS, visible=Perm.PLAN_VIEW, method="post"),
    ),
    "planning:review-detail": Entry(kwargs=review_kwargs, ok=view_plan),
    "planning:review-edit": Entry(
        kwargs=review_kwargs, ok=statuses(REVIEW_WRITERS, visible=Perm.PLAN_VIEW)
    ),
    "planning:review-submit": Entry(
        kwargs=review_kwargs,
        method="post",
        ok=statuses(REVIEW_WRITERS, visible=Perm.PLAN_VIEW, method="post"),
    ),
    "planning:review-scrutinise": Entry(
        kwargs=review_kwargs, ok=statuses(roles_with(Perm.PLAN_AGREE), visible=Perm.PLAN_VIEW)
    ),
    "planning:plan-create": Entry(kwargs=t_kwargs(pk="school.pk"), ok=school_edit_page),
    "planning:plan-detail": Entry(kwargs=plan_kwargs, ok=view_plan),
    "planning:plan-edit": Entry(kwargs=plan_kwargs, ok=edit_plan),
    "planning:plan-pdf": Entry(kwargs=plan_kwargs, ok=view_plan),
    "planning:plan-xlsx": Entry(kwargs=plan_kwargs, ok=view_plan),
    "planning:plan-submit": Entry(
        kwargs=plan_kwargs,
        method="post",
        ok=statuses(roles_with(Perm.PLAN_SUBMIT), visible=Perm.PLAN_VIEW, method="post"),
    ),
    "planning:plan-override-smart": Entry(
        kwargs=plan_kwargs,
        ok=statuses(roles_with(Perm.PLAN_OVERRIDE_SMART), visible=Perm.PLAN_VIEW),
    ),
    "planning:plan-agree": Entry(
        kwargs=plan_kwargs, ok=statuses(roles_with(Perm.PLAN_AGREE), visible=Perm.PLAN_VIEW)
    ),
    "planning:plan-return": Entry(
        kwargs=plan_kwargs,
        ok=statuses(
            roles_with(Perm.PLAN_AGREE) | roles_with(Perm.PLAN_SUBMIT), visible=Perm.PLAN_VIEW
        ),
    ),
    "planning:plan-sign-off": Entry(
        kwargs=plan_kwargs,
        method="post",
        ok=statuses(roles_with(Perm.PLAN_SIGN_OFF), visible=Perm.PLAN_VIEW, method="post"),
    ),
    "planning:plan-trust-return": Entry(
        kwargs=plan_kwargs, ok=statuses(roles_with(Perm.PLAN_SIGN_OFF), visible=Perm.PLAN_VIEW)
    ),
    "planning:plan-board-agree": Entry(
        kwargs=plan_kwargs, ok=statuses(roles_with(Perm.PLAN_SIGN_OFF), visible=Perm.PLAN_VIEW)
    ),
    "planning:plan-evaluate": Entry(
        kwargs=plan_kwargs, ok=statuses(roles_with(Perm.PLAN_SUBMIT), visible=Perm.PLAN_VIEW)
    ),
    "planning:plan-copy": Entry(kwargs=plan_kwargs, ok=edit_plan),
    "planning:termly-review": Entry(
        kwargs=plan_kwargs, ok=statuses(roles_with(Perm.RAG_RATE), visible=Perm.PLAN_VIEW)
    ),
    "planning:objective-create": Entry(kwargs=plan_kwargs, ok=edit_plan),
    "planning:priority-create": Entry(kwargs=plan_pk_kwargs, ok=edit_plan),
    "planning:priority-edit": Entry(kwargs=item_kwargs("priority"), ok=edit_plan),
    "planning:action-create": Entry(kwargs=priority_pk, ok=edit_plan),
    "planning:action-edit": Entry(kwargs=item_kwargs("actions"), ok=edit_plan),
    # Leaders update any action; a teacher only the action they own (the teacher owns this one).
    "planning:action-progress": Entry(
        kwargs=item_kwargs("actions"), ok=statuses(PLAN_EDIT | {"teacher"}, visible=Perm.PLAN_VIEW)
    ),
    "planning:criterion-create": Entry(kwargs=priority_pk, ok=edit_plan),
    "planning:criterion-edit": Entry(kwargs=item_kwargs("criteria"), ok=edit_plan),
    "planning:milestone-create": Entry(kwargs=priority_pk, ok=edit_plan),
    "planning:milestone-edit": Entry(kwargs=item_kwargs("milestones"), ok=edit_plan),
    # The confirmation page (the POST that deletes is tested in test_plans.py).
    "planning:objective-edit": Entry(kwargs=lambda w, t: {"pk": _objective(w, t).pk}, ok=edit_plan),
    "planning:item-delete": Entry(
        kwargs=lambda w, t: {"kind": "milestone", "pk": first(_plan(w, t), "milestones").pk},
        ok=edit_plan,
    ),
    "planning:monitoring-schedule": Entry(
        kwargs=plan_kwargs, ok=statuses(roles_with(Perm.MONITORING_VIEW), visible=Perm.PLAN_VIEW)
    ),
    "planning:monitoring-calendar": Entry(
        kwargs=plan_kwargs, ok=statuses(roles_with(Perm.MONITORING_VIEW), visible=Perm.PLAN_VIEW)
    ),
    "planning:activity-create": Entry(kwargs=plan_pk_kwargs, ok=edit_plan),
    "planning:activity-edit": Entry(
        kwargs=lambda w, t: {"pk": _plan(w, t).activities.first().pk}, ok=edit_plan
    ),
    "planning:record-create": Entry(
        kwargs=lambda w, t: {"pk": _plan(w, t).activities.first().pk},
        ok=statuses(roles_with(Perm.MONITORING_RECORD), visible=Perm.PLAN_VIEW),
    ),
    "planning:record-evidence": Entry(
        kwargs=lambda w, t: {"pk": _record_with_file(w, t).pk},
        ok=statuses(roles_with(Perm.MONITORING_VIEW), visible=Perm.PLAN_VIEW),
    ),
}
