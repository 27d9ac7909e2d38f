"""The fixed list of roles. Which actions each role may take lives in trustwide.access.policy."""

from django.db import models


class ScopeLevel(models.TextChoices):
    TRUST = "trust", "Trust"
    HUB = "hub", "Hub"
    SCHOOL = "school", "School"


class Role(models.TextChoices):
    TRUST_LEADER = "trust_leader", "Trust leader (CEO, director of education)"
    TRUST_DATA_MANAGER = "trust_data_manager", "Trust data manager"
    TRUST_ADMINISTRATOR = "trust_administrator", "Trust administrator"
    TRUSTEE = "trustee", "Trustee"
    EXECUTIVE_HEADTEACHER = "executive_headteacher", "Executive headteacher"
    HEADTEACHER = "headteacher", "Headteacher"
    SENIOR_LEADER = "senior_leader", "Senior leader"
    MIDDLE_LEADER = "middle_leader", "Middle leader"
    TEACHER = "teacher", "Teacher"
    SCHOOL_DATA_MANAGER = "school_data_manager", "School data manager"
    LOCAL_GOVERNOR = "local_governor", "Local governor"
    PEER_REVIEWER = "peer_reviewer", "Peer reviewer"
    TRUST_FINANCE_OFFICER = "trust_finance_officer", "Trust finance officer"
    SCHOOL_BUSINESS_MANAGER = "school_business_manager", "School business manager"
    CLERK_TO_GOVERNORS = "clerk_to_governors", "Clerk to governors"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Designated safeguarding lead"
    SENCO = "senco", "SENCO (special educational needs co-ordinator)"


# The scope node a membership of each role must point at.
ROLE_LEVEL: dict[str, str] = {
    Role.TRUST_LEADER: ScopeLevel.TRUST,
    Role.TRUST_DATA_MANAGER: ScopeLevel.TRUST,
    Role.TRUST_ADMINISTRATOR: ScopeLevel.TRUST,
    Role.TRUSTEE: ScopeLevel.TRUST,
    Role.EXECUTIVE_HEADTEACHER: ScopeLevel.HUB,
    Role.HEADTEACHER: ScopeLevel.SCHOOL,
    Role.SENIOR_LEADER: ScopeLevel.SCHOOL,
    Role.MIDDLE_LEADER: ScopeLevel.SCHOOL,
    Role.TEACHER: ScopeLevel.SCHOOL,
    Role.SCHOOL_DATA_MANAGER: ScopeLevel.SCHOOL,
    Role.LOCAL_GOVERNOR: ScopeLevel.SCHOOL,
    Role.PEER_REVIEWER: ScopeLevel.SCHOOL,
    Role.TRUST_FINANCE_OFFICER: ScopeLevel.TRUST,
    Role.SCHOOL_BUSINESS_MANAGER: ScopeLevel.SCHOOL,
    # A clerk serves a local governing body; one who clerks several holds a role in each school.
    Role.CLERK_TO_GOVERNORS: ScopeLevel.SCHOOL,
    Role.SAFEGUARDING_LEAD: ScopeLevel.SCHOOL,
    Role.SENCO: ScopeLevel.SCHOOL,
}

# Peer reviewer access is time-boxed: a membership of this role must carry an end date.
ROLES_REQUIRING_END_DATE = {Role.PEER_REVIEWER}
