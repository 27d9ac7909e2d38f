"""In-year tracking from termly teacher assessment: how many pupils are on track, per subject,
year group and term, read with DuckDB from the school's `assessments` partition (joined to its
`characteristics` for the year group) under the store's read lock.

On track = a judgement of EXS or GDS (at or above the expected band for the term; docs/KPIS.md).
Score-only rows are left out: a score has no expected band. Counts leave this module; pupil
identities only through `pupils_not_on_track`, for users holding pupils.view at the school.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustwide.access import Perm, can

TERMS = ("autumn", "spring", "summer")
ON_TRACK = ("EXS", "GDS")
NOT_ON_TRACK = ("PRE", "WTS")
_IN = ", ".join(f"'{j}'" for j in ON_TRACK)
_BELOW = ", ".join(f"'{j}'" for j in NOT_ON_TRACK)


@dataclass(frozen=True)
class TrackingCount:
    subject: str
    year_group: int
    term: str
    on_track: int
    assessed: int  # pupils with a judgement (PRE, WTS, EXS or GDS) in the subject and term


def previous_term(term: str) -> str | None:
    """The term before, in the same academic year (None for autumn: bands are age-related to
    the year group, so last summer's judgements were against another year's expectations)."""
    i = TERMS.index(term)
    return TERMS[i - 1] if i else None


def _query(school, academic_year: int, sql: str, params: list) -> list[tuple]:
    """Run `sql` with `{assessed}` and `{chars}` standing for the school's assessments and
    characteristics of the year, under the store's read lock; [] when either is missing."""
    import duckdb

    from .selectors import _sql_list
    from .services import analytics_store

    store = analytics_store()
    with store.reading(school.trust_id):
        assessed = store.paths("assessments", school.trust_id, [school.urn], [academic_year])
        chars = store.paths("characteristics", school.trust_id, [school.urn], [academic_year])
        if not assessed or not chars:
            return []
        con = duckdb.connect()
        try:
            return con.execute(
                sql.format(assessed=_sql_list(assessed), chars=_sql_list(chars)), params
            ).fetchall()
        finally:
            con.close()


def tracking_counts(*, user, school, academic_year: int, terms) -> list[TrackingCount] | None:
    """Counts per (subject, year group, term) for the given terms; None when the user may not
    see the school's figures (kpi.view). Pupils with no year group for the year are left out."""
    if not can(user, Perm.KPI_VIEW, school):
        return None
    terms = [t for t in terms if t in TERMS]
    if not terms:
        return []
    rows = _query(
        school,
        academic_year,
        f"""
        select a.subject, c.year_group, a.term,
          count(*) filter (where a.judgement in ({_IN})) as on_track,
          count(*) as assessed
        from read_parquet({{assessed}}) a
        join read_parquet({{chars}}) c using (pupil_key)
        where a.judgement is not null and c.year_group is not null
          and list_contains(?, a.term)
        group by all
        order by 1, 2, 3
        """,
        [terms],
    )
    return [TrackingCount(*row) for row in rows]


def pupils_not_on_track(
    *, user, school, academic_year: int, term: str, subject: str, year_group: int
) -> list[tuple[str, str]] | None:
    """(pupil_key, judgement) of the pupils of the year group judged below expected (PRE, WTS)
    in the subject and term, lowest band first; None unless the user holds pupils.view at the
    school. The caller records the view (audit.services.record_pupil_access)."""
    if not can(user, Perm.PUPILS_VIEW, school):
        return None
    if term not in TERMS:
        return []
    rows = _query(
        school,
        academic_year,
        f"""
        select a.pupil_key, a.judgement
        from read_parquet({{assessed}}) a
        join read_parquet({{chars}}) c using (pupil_key)
        where a.term = ? and a.subject = ? and c.year_group = ?
          and a.judgement in ({_BELOW})
        order by a.judgement = 'WTS', a.pupil_key
        """,
        [term, subject, year_group],
    )
    return [(key, judgement) for key, judgement in rows]
