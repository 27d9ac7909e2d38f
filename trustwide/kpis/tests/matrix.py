from tests.matrix import ALL_ROLES, Entry, t_kwargs

# Administrators, finance staff and clerks have no KPI pages (people; plans' costs and risks;
# governance); the safeguarding lead and SENCO read their school's data.
KPI_VIEWERS = ALL_ROLES - {
    "trust_administrator",
    "trust_finance_officer",
    "school_business_manager",
    "clerk_to_governors",
}
TARGET_SETTERS = {"trust_leader", "trust_data_manager"}

MATRIX = {
    "kpis:definitions": Entry(ok=KPI_VIEWERS, denied=403, listing=True),
    "kpis:school-kpis": Entry(kwargs=t_kwargs(pk="school.pk"), ok=KPI_VIEWERS),
    "kpis:similar-schools": Entry(
        kwargs=lambda world, target: {"pk": target.school.pk, "code": "overall_absence"},
        ok=KPI_VIEWERS,
    ),
    "kpis:school-targets": Entry(
        kwargs=t_kwargs(pk="school.pk"),
        ok={**{r: 403 for r in KPI_VIEWERS}, **{r: 200 for r in TARGET_SETTERS}},
    ),
    "kpis:trust-targets": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=TARGET_SETTERS, denied=403),
    # Results by subject: aggregates only. The trust grid lists the schools a role reads KPIs
    # for (a school role sees its own school's column); the others see the trust but not this.
    "kpis:trust-subjects": Entry(kwargs=t_kwargs(slug="trust.slug"), ok=KPI_VIEWERS, denied=403),
    "kpis:school-subjects": Entry(kwargs=t_kwargs(pk="school.pk"), ok=KPI_VIEWERS),
}
