"""Which role may do what. A fixed map in code, reviewed like code.

Permissions say what kind of thing may be done; scope.py decides where (which trust,
hub or school) from the user's memberships.
"""

from trustwide.accounts.roles import Role


class Perm:
    # Scope tree and people
    TRUST_VIEW = "trust.view"
    HUB_VIEW = "hub.view"
    SCHOOL_VIEW = "school.view"
    SCHOOL_EDIT = "school.edit"
    PEOPLE_VIEW = "people.view"
    MEMBERSHIP_MANAGE = "membership.manage"
    AUDIT_VIEW_TRUST = "audit.view_trust"
    HISTORY_VIEW = "history.view"
    # Identifying pupil details (names, UPN, date of birth) and pupil lists.
    PUPILS_VIEW = "pupils.view"
    # The trust's data protection lead: who has looked at a pupil's data, subject access, erasure.
    PUPIL_DATA_PROTECTION = "pupil.data_protection"
    # Self-evaluation
    SEF_VIEW = "sef.view"
    SEF_EDIT = "sef.edit"
    SEF_VALIDATE = "sef.validate"
    FRAMEWORK_MANAGE = "framework.manage"
    TRUST_SELF_REVIEW_EDIT = "trust_self_review.edit"
    # Planning
    STRATEGIC_PLAN_VIEW = "strategic_plan.view"
    STRATEGIC_PLAN_EDIT = "strategic_plan.edit"
    PLAN_VIEW = "plan.view"
    PLAN_EDIT = "plan.edit"
    PLAN_SUBMIT = "plan.submit"
    PLAN_AGREE = "plan.agree"
    PLAN_OVERRIDE_SMART = "plan.override_smart"
    # The CEO or a delegated trust leader signs off (or returns) a plan governors agreed.
    PLAN_SIGN_OFF = "plan.sign_off"
    # Comment on a draft of the trust strategic plan sent for consultation.
    MSP_COMMENT = "msp.comment"
    ACTION_UPDATE = "action.update"
    MONITORING_VIEW = "monitoring.view"
    MONITORING_RECORD = "monitoring.record"
    RAG_RATE = "rag.rate"
    # Pupil data and KPIs
    DATA_IMPORT = "data.import"
    DATA_VIEW_IMPORTS = "data.view_imports"
    KPI_VIEW = "kpi.view"
    KPI_TARGETS_EDIT = "kpi.targets_edit"
    REPORT_VIEW = "report.view"
    # Peer review and support
    PEER_REVIEW_VIEW = "peer_review.view"
    PEER_REVIEW_MANAGE = "peer_review.manage"
    PEER_REVIEW_WRITE = "peer_review.write"
    SUPPORT_VIEW = "support.view"
    SUPPORT_MANAGE = "support.manage"
    # Risk and governance
    RISK_VIEW = "risk.view"
    RISK_EDIT = "risk.edit"
    GOVERNANCE_VIEW = "governance.view"
    GOVERNANCE_EDIT = "governance.edit"
    # Policy register
    POLICY_VIEW = "policy.view"
    POLICY_EDIT = "policy.edit"
    # STAR projects (staff action research): read them and the trust's exemplars; run one at
    # one's school; oversee a school's projects and mark the exemplary ones.
    STAR_VIEW = "star.view"
    STAR_RUN = "star.run"
    STAR_LEAD = "star.lead"


# What each permission lets a person do, in words for the People page (every Perm has one;
# tested). Grouped by the heading the page shows.
PERM_LABELS: dict[str, tuple[str, str]] = {
    Perm.TRUST_VIEW: ("Trust and schools", "see the trust's page"),
    Perm.HUB_VIEW: ("Trust and schools", "see hubs"),
    Perm.SCHOOL_VIEW: ("Trust and schools", "see school pages"),
    Perm.SCHOOL_EDIT: ("Trust and schools", "edit schools"),
    Perm.PEOPLE_VIEW: ("People", "see who holds which role"),
    Perm.MEMBERSHIP_MANAGE: ("People", "give and end roles, invite staff"),
    Perm.AUDIT_VIEW_TRUST: ("People", "read the trust's audit log"),
    Perm.HISTORY_VIEW: ("People", "read a record's history"),
    Perm.PUPILS_VIEW: ("Pupils", "see pupils' names, UPNs and dates of birth"),
    Perm.PUPIL_DATA_PROTECTION: ("Pupils", "answer subject access and erasure requests"),
    Perm.SEF_VIEW: ("Self-evaluation", "read SEFs"),
    Perm.SEF_EDIT: ("Self-evaluation", "write SEFs"),
    Perm.SEF_VALIDATE: ("Self-evaluation", "validate SEF judgements"),
    Perm.FRAMEWORK_MANAGE: ("Self-evaluation", "manage evaluation frameworks"),
    Perm.TRUST_SELF_REVIEW_EDIT: ("Self-evaluation", "write the trust's self-review"),
    Perm.STRATEGIC_PLAN_VIEW: ("Plans", "read the strategic plan"),
    Perm.STRATEGIC_PLAN_EDIT: ("Plans", "edit the strategic plan"),
    Perm.PLAN_VIEW: ("Plans", "read school plans (SIP, BDP) and their costs"),
    Perm.PLAN_EDIT: ("Plans", "write school plans"),
    Perm.PLAN_SUBMIT: ("Plans", "submit plans"),
    Perm.PLAN_AGREE: ("Plans", "agree plans"),
    Perm.PLAN_SIGN_OFF: ("Plans", "sign plans off for the trust, record the board's agreement"),
    Perm.MSP_COMMENT: ("Plans", "comment on strategic plan drafts"),
    Perm.PLAN_OVERRIDE_SMART: ("Plans", "override the SMART check"),
    Perm.ACTION_UPDATE: ("Plans", "update actions' progress and spend"),
    Perm.MONITORING_VIEW: ("Plans", "read monitoring"),
    Perm.MONITORING_RECORD: ("Plans", "record monitoring"),
    Perm.RAG_RATE: ("Plans", "give termly RAG ratings"),
    Perm.DATA_IMPORT: ("Data", "import pupil data"),
    Perm.DATA_VIEW_IMPORTS: ("Data", "see data imports"),
    Perm.KPI_VIEW: ("Data", "see KPIs"),
    Perm.KPI_TARGETS_EDIT: ("Data", "set KPI targets"),
    Perm.REPORT_VIEW: ("Data", "open reports"),
    Perm.PEER_REVIEW_VIEW: ("Peer review and support", "see peer reviews"),
    Perm.PEER_REVIEW_MANAGE: ("Peer review and support", "arrange triads and the rota"),
    Perm.PEER_REVIEW_WRITE: ("Peer review and support", "write review visits"),
    Perm.SUPPORT_VIEW: ("Peer review and support", "see support levels"),
    Perm.SUPPORT_MANAGE: ("Peer review and support", "set support and deploy expertise"),
    Perm.RISK_VIEW: ("Risks, governance and policies", "read risk registers"),
    Perm.RISK_EDIT: ("Risks, governance and policies", "edit risk registers"),
    Perm.GOVERNANCE_VIEW: ("Risks, governance and policies", "read governance pages"),
    Perm.GOVERNANCE_EDIT: (
        "Risks, governance and policies",
        "run governance: meetings, attendance, the cycle",
    ),
    Perm.POLICY_VIEW: ("Risks, governance and policies", "read policies"),
    Perm.POLICY_EDIT: ("Risks, governance and policies", "edit policies"),
    Perm.STAR_VIEW: ("STAR projects", "read STAR projects and the trust's exemplars"),
    Perm.STAR_RUN: ("STAR projects", "run a STAR project at their school"),
    Perm.STAR_LEAD: ("STAR projects", "oversee a school's STAR projects, mark exemplars"),
}

P = Perm

_READ_ALL = {
    P.TRUST_VIEW,
    P.HUB_VIEW,
    P.SCHOOL_VIEW,
    P.PEOPLE_VIEW,
    P.HISTORY_VIEW,
    P.SEF_VIEW,
    P.STRATEGIC_PLAN_VIEW,
    P.PLAN_VIEW,
    P.MONITORING_VIEW,
    P.KPI_VIEW,
    P.REPORT_VIEW,
    P.PEER_REVIEW_VIEW,
    P.SUPPORT_VIEW,
    P.RISK_VIEW,
    P.GOVERNANCE_VIEW,
    P.POLICY_VIEW,
}
_SCHOOL_LEADER = _READ_ALL - {P.HUB_VIEW} | {
    P.PUPILS_VIEW,
    P.SEF_EDIT,
    P.PLAN_EDIT,
    P.PLAN_SUBMIT,
    P.ACTION_UPDATE,
    P.MONITORING_RECORD,
    P.RAG_RATE,
    P.DATA_VIEW_IMPORTS,
    P.PEER_REVIEW_WRITE,
    P.RISK_EDIT,
    P.GOVERNANCE_EDIT,
    P.POLICY_EDIT,
}

_FINANCE = {
    P.TRUST_VIEW,
    P.SCHOOL_VIEW,
    P.STRATEGIC_PLAN_VIEW,
    P.PLAN_VIEW,
    P.ACTION_UPDATE,
    P.RISK_VIEW,
    P.RISK_EDIT,
}
_PUPIL_LEAD = {
    P.TRUST_VIEW,
    P.SCHOOL_VIEW,
    P.PEOPLE_VIEW,
    P.PUPILS_VIEW,
    P.SEF_VIEW,
    P.STRATEGIC_PLAN_VIEW,
    P.PLAN_VIEW,
    P.ACTION_UPDATE,
    P.MONITORING_VIEW,
    P.MONITORING_RECORD,
    P.KPI_VIEW,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.TRUST_LEADER: frozenset(
        _READ_ALL
        | {
            P.PUPILS_VIEW,
            P.SCHOOL_EDIT,
            P.AUDIT_VIEW_TRUST,
            P.SEF_VALIDATE,
            P.FRAMEWORK_MANAGE,
            P.TRUST_SELF_REVIEW_EDIT,
            P.STRATEGIC_PLAN_EDIT,
            P.PLAN_OVERRIDE_SMART,
            P.PLAN_SIGN_OFF,
            P.RAG_RATE,
            P.DATA_VIEW_IMPORTS,
            P.KPI_TARGETS_EDIT,
            P.PEER_REVIEW_MANAGE,
            P.PEER_REVIEW_WRITE,
            P.SUPPORT_MANAGE,
            P.RISK_EDIT,
            P.GOVERNANCE_EDIT,
            P.POLICY_EDIT,
            P.PUPIL_DATA_PROTECTION,
        }
    ),
    Role.TRUST_DATA_MANAGER: frozenset(
        {
            P.TRUST_VIEW,
            P.HUB_VIEW,
            P.SCHOOL_VIEW,
            P.PUPILS_VIEW,
            P.DATA_IMPORT,
            P.DATA_VIEW_IMPORTS,
            P.KPI_VIEW,
            P.KPI_TARGETS_EDIT,
            P.REPORT_VIEW,
        }
    ),
    Role.TRUST_ADMINISTRATOR: frozenset(
        {
            P.TRUST_VIEW,
            P.HUB_VIEW,
            P.SCHOOL_VIEW,
            P.SCHOOL_EDIT,
            P.PEOPLE_VIEW,
            P.MEMBERSHIP_MANAGE,
            P.AUDIT_VIEW_TRUST,
            P.HISTORY_VIEW,
            P.GOVERNANCE_VIEW,
            P.GOVERNANCE_EDIT,
            P.POLICY_VIEW,
            P.POLICY_EDIT,
            P.PUPIL_DATA_PROTECTION,
        }
    ),
    # Trustees read the whole trust but never pupils' names.
    Role.TRUSTEE: frozenset(_READ_ALL - {P.PEOPLE_VIEW, P.HISTORY_VIEW} | {P.MSP_COMMENT}),
    Role.EXECUTIVE_HEADTEACHER: frozenset(
        _READ_ALL
        | _SCHOOL_LEADER
        | {
            P.PLAN_OVERRIDE_SMART,
            P.PEER_REVIEW_MANAGE,
            P.SEF_VALIDATE,
            P.MSP_COMMENT,
        }
    ),
    Role.HEADTEACHER: frozenset(_SCHOOL_LEADER | {P.PLAN_OVERRIDE_SMART, P.MSP_COMMENT}),
    Role.SENIOR_LEADER: frozenset(_SCHOOL_LEADER),
    Role.MIDDLE_LEADER: frozenset(
        {
            P.TRUST_VIEW,
            P.SCHOOL_VIEW,
            P.PEOPLE_VIEW,
            P.PUPILS_VIEW,
            P.SEF_VIEW,
            P.STRATEGIC_PLAN_VIEW,
            P.PLAN_VIEW,
            P.ACTION_UPDATE,
            P.MONITORING_VIEW,
            P.MONITORING_RECORD,
            P.KPI_VIEW,
        }
    ),
    Role.TEACHER: frozenset(
        {
            P.TRUST_VIEW,
            P.SCHOOL_VIEW,
            P.PEOPLE_VIEW,
            P.PUPILS_VIEW,
            P.STRATEGIC_PLAN_VIEW,
            P.PLAN_VIEW,
            P.ACTION_UPDATE,
            P.KPI_VIEW,
        }
    ),
    Role.SCHOOL_DATA_MANAGER: frozenset(
        {
            P.TRUST_VIEW,
            P.SCHOOL_VIEW,
            P.PUPILS_VIEW,
            P.DATA_IMPORT,
            P.DATA_VIEW_IMPORTS,
            P.KPI_VIEW,
            P.REPORT_VIEW,
        }
    ),
    # Local governors read their school and agree its plan; never pupils' names.
    Role.LOCAL_GOVERNOR: frozenset(
        (_READ_ALL - {P.HUB_VIEW, P.HISTORY_VIEW})
        | {P.PLAN_AGREE, P.GOVERNANCE_EDIT, P.MSP_COMMENT}
    ),
    # Peer reviewers read what a review needs in the schools they review, for a period.
    Role.PEER_REVIEWER: frozenset(
        {
            P.TRUST_VIEW,
            P.SCHOOL_VIEW,
            P.SEF_VIEW,
            P.PLAN_VIEW,
            P.MONITORING_VIEW,
            P.KPI_VIEW,
            P.PEER_REVIEW_VIEW,
            P.PEER_REVIEW_WRITE,
        }
    ),
    # Finance: read the plans (their costs and spend are on the plan pages), keep the actions'
    # spend up to date, and hold the risk register; never pupils' names.
    Role.TRUST_FINANCE_OFFICER: frozenset(_FINANCE | {P.HUB_VIEW}),
    Role.SCHOOL_BUSINESS_MANAGER: frozenset(_FINANCE),
    # The clerk runs the governing body's pages (meetings, attendance, the cycle); never pupils.
    Role.CLERK_TO_GOVERNORS: frozenset(
        {
            P.TRUST_VIEW,
            P.SCHOOL_VIEW,
            P.GOVERNANCE_VIEW,
            P.GOVERNANCE_EDIT,
            P.POLICY_VIEW,
        }
    ),
    # Safeguarding and SEND leads work with named pupils in their school.
    Role.SAFEGUARDING_LEAD: frozenset(_PUPIL_LEAD | {P.POLICY_VIEW}),
    Role.SENCO: frozenset(_PUPIL_LEAD),
}

# STAR projects are staff work: every member of staff reads them and the trust's published
# exemplars; school staff run them; school and trust leaders oversee them and choose the
# exemplars. Governors, trustees, peer reviewers and clerks are not staff here.
_STAR_STAFF = frozenset({P.STAR_VIEW})
_STAR_SCHOOL_STAFF = frozenset({P.STAR_VIEW, P.STAR_RUN})
_STAR_LEADERS = frozenset({P.STAR_VIEW, P.STAR_RUN, P.STAR_LEAD})
STAR_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.TRUST_LEADER: frozenset({P.STAR_VIEW, P.STAR_LEAD}),
    Role.TRUST_DATA_MANAGER: _STAR_STAFF,
    Role.TRUST_ADMINISTRATOR: _STAR_STAFF,
    Role.TRUST_FINANCE_OFFICER: _STAR_STAFF,
    Role.EXECUTIVE_HEADTEACHER: _STAR_LEADERS,
    Role.HEADTEACHER: _STAR_LEADERS,
    Role.SENIOR_LEADER: _STAR_LEADERS,
    Role.MIDDLE_LEADER: _STAR_SCHOOL_STAFF,
    Role.TEACHER: _STAR_SCHOOL_STAFF,
    Role.SCHOOL_DATA_MANAGER: _STAR_SCHOOL_STAFF,
    Role.SCHOOL_BUSINESS_MANAGER: _STAR_SCHOOL_STAFF,
    Role.SAFEGUARDING_LEAD: _STAR_SCHOOL_STAFF,
    Role.SENCO: _STAR_SCHOOL_STAFF,
}
ROLE_PERMISSIONS = {
    role: perms | STAR_PERMISSIONS.get(role, frozenset())
    for role, perms in ROLE_PERMISSIONS.items()
}


def role_has(role: str, perm: str) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


# Roles that never see identifying pupil details, whatever else changes above.
NEVER_SEE_PUPILS = {
    Role.LOCAL_GOVERNOR,
    Role.TRUSTEE,
    Role.PEER_REVIEWER,
    Role.CLERK_TO_GOVERNORS,
    Role.TRUST_FINANCE_OFFICER,
    Role.SCHOOL_BUSINESS_MANAGER,
}
assert not any(
    role_has(role, Perm.PUPILS_VIEW) or role_has(role, Perm.PUPIL_DATA_PROTECTION)
    for role in NEVER_SEE_PUPILS
)
