"""Pupil lists behind a year group's figures, for staff allowed to see pupils (pupils.view).

Read with DuckDB straight from the school's Parquet partitions (the analytics store); names
come from data.Pupil through data.selectors.pupils_for, which is itself restricted. Governors,
trustees and peer reviewers never hold pupils.view, so they never reach this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trustwide.access import Perm, can
from trustwide.data import codes

LIMIT = 30
_POSSIBLE = ", ".join(f"'{c}'" for c in sorted(codes.ATTENDING | codes.ABSENT))
_ABSENT = ", ".join(f"'{c}'" for c in sorted(codes.ABSENT))
_BELOW = ("PRE", "WTS")


@dataclass
class PupilLine:
    pupil_key: str
    name: str
    year_group: int | None
    detail: str
    value: float


@dataclass
class PupilLists:
    persistent_absence: list[PupilLine] = field(default_factory=list)
    attendance_fell: list[PupilLine] = field(default_factory=list)
    not_on_track: list[PupilLine] = field(default_factory=list)
    has_marks: bool = False
    has_assessments: bool = False


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def pupil_lists(*, user, school, academic_year: int, term, year_group: int | None) -> PupilLists | None:
    """None when the user may not see pupils of the school."""
    if not can(user, Perm.PUPILS_VIEW, school):
        return None
    import duckdb

    from trustwide.data.selectors import pupils_for
    from trustwide.data.services import analytics_store

    store = analytics_store()
    con = duckdb.connect()
    # Under the store's read lock, listing included: an import or rollback swapping files in
    # (or removing an emptied partition) is never seen half-way.
    with store.reading(school.trust_id):
        marks = store.paths("attendance_marks", school.trust_id, [school.urn], [academic_year])
        chars = store.paths("characteristics", school.trust_id, [school.urn], [academic_year])
        assessed = store.paths("assessments", school.trust_id, [school.urn], [academic_year])
        out = PupilLists(has_marks=bool(marks), has_assessments=bool(assessed))
        try:
            years = {}
            if chars:
                years = dict(con.execute(f"select pupil_key, year_group from read_parquet({_sql_list(chars)})").fetchall())
            wanted = (lambda key: years.get(key) == year_group) if year_group is not None else (lambda key: True)
            att = []
            if marks and term is not None:
                att = con.execute(f"""
                    select pupil_key,
                      count(*) filter (where code in ({_POSSIBLE})) as possible,
                      count(*) filter (where code in ({_ABSENT})) as absent,
                      count(*) filter (where code in ({_POSSIBLE}) and date between ? and ?) as possible_term,
                      count(*) filter (where code in ({_ABSENT}) and date between ? and ?) as absent_term,
                      count(*) filter (where code in ({_POSSIBLE}) and date < ?) as possible_before,
                      count(*) filter (where code in ({_ABSENT}) and date < ?) as absent_before
                    from read_parquet({_sql_list(marks)}) group by pupil_key
                """, [term.starts_on, term.ends_on, term.starts_on, term.ends_on, term.starts_on, term.starts_on]).fetchall()
            below = []
            if assessed:
                below = con.execute(f"""
                    with latest as (
                      select pupil_key, subject,
                        arg_max(judgement, case term when 'autumn' then 1 when 'spring' then 2 else 3 end) as j
                      from read_parquet({_sql_list(assessed)})
                      where subject in ('reading', 'writing', 'maths') and judgement is not null
                      group by pupil_key, subject)
                    select pupil_key, string_agg(subject || ' ' || j, ', ' order by subject) as detail, count(*) as n
                    from latest where j in ('PRE', 'WTS') group by pupil_key
                """).fetchall()
        finally:
            con.close()
    pa_rows, fell_rows = [], []
    for key, possible, absent, p_term, a_term, p_before, a_before in att:
        if not wanted(key) or not possible:
            continue
        rate = 100.0 * absent / possible
        if rate >= 10:
            pa_rows.append((key, rate, f"{rate:.1f}% of {possible} sessions missed"))
        if p_term and p_before:
            now, before = 100.0 * (1 - a_term / p_term), 100.0 * (1 - a_before / p_before)
            if now < before:
                fell_rows.append((key, now - before, f"attendance {before:.1f}% before this term, {now:.1f}% this term"))
    pa_rows.sort(key=lambda r: -r[1])
    fell_rows.sort(key=lambda r: r[1])
    below_rows = sorted(((k, float(n), d) for k, d, n in below if wanted(k)), key=lambda r: (-r[1], r[0]))
    chosen = {r[0] for rows in (pa_rows[:LIMIT], fell_rows[:LIMIT], below_rows[:LIMIT]) for r in rows}
    names = {p.pupil_key: str(p) for p in pupils_for(user=user, school=school).filter(pupil_key__in=chosen)}

    def lines(rows):
        return [PupilLine(k, names.get(k, "(no name on record)"), years.get(k), detail, value)
                for k, value, detail in rows[:LIMIT]]

    out.persistent_absence, out.attendance_fell = lines(pa_rows), lines(fell_rows)
    out.not_on_track = lines(below_rows)
    return out
