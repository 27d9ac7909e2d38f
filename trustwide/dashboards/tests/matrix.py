from tests.matrix import ALL_ROLES, Entry, t_kwargs
from trustwide.access.policy import ROLE_PERMISSIONS

# Administrators, finance staff and clerks have no KPI pages (people; plans' costs and risks;
# governance); the safeguarding lead and SENCO read their school's data.
KPI_VIEWERS = ALL_ROLES - {
    "trust_administrator",
    "trust_finance_officer",
    "school_business_manager",
    "clerk_to_governors",
}
TRUST_WIDE = {"trust_leader", "trust_data_manager", "trustee", "executive_headteacher"}
REPORT_READERS = TRUST_WIDE | {
    "headteacher",
    "senior_leader",
    "school_data_manager",
    "local_governor",
}
PLAN_EDITORS = {"executive_headteacher", "headteacher", "senior_leader"}
PUPIL_VIEWERS = {
    role for role, perms in ROLE_PERMISSIONS.items() if "pupils.view" in perms
} & KPI_VIEWERS
school = t_kwargs(pk="school.pk")
trust = t_kwargs(slug="trust.slug")

MATRIX = {
    "dashboards:trust-dashboard": Entry(kwargs=trust, ok=TRUST_WIDE, denied=403),
    "dashboards:trust-concerns": Entry(kwargs=trust, ok=TRUST_WIDE, denied=403),
    "dashboards:concern-rule": Entry(kwargs=trust, ok={"trust_leader"}, denied=403),
    "dashboards:board-report": Entry(kwargs=trust, ok=TRUST_WIDE, denied=403),
    "dashboards:board-report-pdf": Entry(kwargs=trust, ok=TRUST_WIDE, denied=403),
    "dashboards:board-report-xlsx": Entry(kwargs=trust, ok=TRUST_WIDE, denied=403),
    "dashboards:school-dashboard": Entry(kwargs=school, ok=KPI_VIEWERS),
    "dashboards:year-group": Entry(
        kwargs=lambda w, t: {"pk": t.school.pk, "group": "year_5"}, ok=KPI_VIEWERS
    ),
    "dashboards:school-concerns": Entry(kwargs=school, ok=KPI_VIEWERS),
    "dashboards:tracking": Entry(kwargs=school, ok=KPI_VIEWERS),
    # The pupils behind a tracking cell: pupils.view (governors, trustees: 403).
    "dashboards:tracking-pupils": Entry(
        kwargs=lambda w, t: {"pk": t.school.pk, "year_group": 3, "subject": "reading"},
        ok={**{r: 403 for r in KPI_VIEWERS}, **{r: 200 for r in PUPIL_VIEWERS}},
    ),
    "dashboards:concern-to-priority": Entry(
        kwargs=school,
        method="post",
        data=lambda w, t: {"key": "national:overall_absence"},
        ok={**{r: 403 for r in KPI_VIEWERS}, **{r: 302 for r in PLAN_EDITORS}},
    ),
    "dashboards:head-report": Entry(kwargs=school, ok=REPORT_READERS),
    "dashboards:head-report-pdf": Entry(kwargs=school, ok=REPORT_READERS),
    "dashboards:head-report-commentary": Entry(
        kwargs=school,
        ok={**{r: 403 for r in REPORT_READERS}, **{r: 200 for r in PLAN_EDITORS}},
    ),
}
