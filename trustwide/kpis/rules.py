"""Who may do what with KPIs: the one home of every KPI decision and of each refusal's message.
Views, services, selectors, links and the dashboards ask here; scope itself is answered by
trustwide.access.

`user=None` is a command or the demo builder: services allow it; pages pass the signed-in user."""

from __future__ import annotations

from trustwide.access import Perm, actor_can, actor_can_in_trust, can, can_in_trust, school_ids

KPIS_HIDDEN = "Your role does not see KPIs."
TRUST_TARGETS_REFUSED = "Only trust leaders and data managers set trust-wide targets."
SCHOOL_TARGETS_REFUSED = "Only trust leaders and data managers set targets."


def may_view_kpis(user, school) -> bool:
    return can(user, Perm.KPI_VIEW, school)


def sees_kpis_somewhere(user) -> bool:
    return bool(school_ids(user, Perm.KPI_VIEW))


def reads_trust_figures(user, trust_id: int) -> bool:
    """The trust's own figures (level trust) are for those reading KPIs at trust level."""
    return can_in_trust(user, Perm.KPI_VIEW, trust_id)


def may_set_school_targets(user, school) -> bool:
    return actor_can(user, Perm.KPI_TARGETS_EDIT, school)


def may_set_trust_targets(user, trust_id: int) -> bool:
    return actor_can_in_trust(user, Perm.KPI_TARGETS_EDIT, trust_id)


def may_set_targets(user, trust, school=None) -> bool:
    """A school's own targets, or the trust's defaults when school is None."""
    return (
        may_set_school_targets(user, school)
        if school is not None
        else may_set_trust_targets(user, trust.pk)
    )


SUBJECT_RESULTS_HIDDEN = "Your role does not see results in this trust."


def may_view_subject_results(user, school) -> bool:
    """A school's results by subject are aggregates (no pupil in them): whoever reads its KPIs."""
    return may_view_kpis(user, school)


def sees_subject_results_in_trust(user, trust_id: int) -> bool:
    """The trust's results-by-subject page lists the schools the user reads KPIs for: trust
    leaders see every school, an executive headteacher their hub's, a school role its own."""
    from trustwide.access import restrict
    from trustwide.trusts.models import School

    if can_in_trust(user, Perm.KPI_VIEW, trust_id):  # no query for trust-level readers
        return True
    return restrict(School.objects.filter(trust_id=trust_id), user, Perm.KPI_VIEW).exists()


def sees_trust_subject_averages(user, trust_id: int) -> bool:
    """The trust's average beside a school's subject results (the comparison a subject leader
    needs, seed 002/004) is an aggregate over all the trust's pupils, suppressed below the same
    group sizes as every KPI: shown to anyone who reads a school's results in the trust."""
    return sees_subject_results_in_trust(user, trust_id)
