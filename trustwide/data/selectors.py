from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from trustwide.access import Perm, school_ids, trust_ids_at

from . import codes
from .models import ImportBatch, Pupil


def import_batches_for(*, user, trust=None) -> QuerySet:
    """Batches of the schools the user covers; multi-school batches at trust level only."""
    perm = Perm.DATA_VIEW_IMPORTS
    whole = trust_ids_at(user, perm)
    schools = school_ids(user, perm)
    batches = ImportBatch.objects.filter(
        Q(school_id__in=schools) | Q(school__isnull=True, trust_id__in=whole)
    )
    if trust is not None:
        batches = batches.filter(trust=trust)
    return batches.select_related("school", "trust")


def pupils_for(*, user, school) -> QuerySet:
    from trustwide.access import restrict

    return restrict(Pupil.objects.filter(school=school), user, Perm.PUPILS_VIEW)


# --------------------------------------------------------------------------- per-pupil facts

_POSSIBLE = ", ".join(f"'{c}'" for c in sorted(codes.ATTENDING | codes.ABSENT))
_ABSENT = ", ".join(f"'{c}'" for c in sorted(codes.ABSENT))


def _sql_list(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


@dataclass
class PupilFacts:
    year_groups: dict  # pupil_key -> year group
    # (pupil_key, possible, absent, possible_term, absent_term, possible_before, absent_before)
    attendance: list = field(default_factory=list)
    below_expected: list = field(
        default_factory=list
    )  # (pupil_key, "maths WTS, ...", subjects below)
    has_marks: bool = False
    has_assessments: bool = False


def pupil_facts(*, user, school, academic_year: int, term) -> PupilFacts | None:
    """Per-pupil attendance counts (year, the term, before the term) and latest reading, writing
    and maths judgements below expected, read with DuckDB from the school's Parquet partitions.
    None when the user may not see the school's pupils (pupils.view)."""
    from trustwide.access import can

    if not can(user, Perm.PUPILS_VIEW, school):
        return None
    import duckdb

    from .services import analytics_store

    store = analytics_store()
    # Under the store's read lock, listing included: an import or rollback swapping files in
    # (or removing an emptied partition) is never seen half-way.
    with store.reading(school.trust_id):
        marks = store.paths("attendance_marks", school.trust_id, [school.urn], [academic_year])
        chars = store.paths("characteristics", school.trust_id, [school.urn], [academic_year])
        assessed = store.paths("assessments", school.trust_id, [school.urn], [academic_year])
        facts = PupilFacts(year_groups={}, has_marks=bool(marks), has_assessments=bool(assessed))
        if not (chars or marks or assessed):
            return facts  # nothing stored for the year: no DuckDB connection to open
        con = duckdb.connect()
        try:
            if chars:
                facts.year_groups = dict(
                    con.execute(
                        f"select pupil_key, year_group from read_parquet({_sql_list(chars)})"
                    ).fetchall()
                )
            if marks and term is not None:
                facts.attendance = con.execute(
                    f"""
                    select pupil_key,
                      count(*) filter (where code in ({_POSSIBLE})) as possible,
                      count(*) filter (where code in ({_ABSENT})) as absent,
                      count(*) filter (where code in ({_POSSIBLE}) and date between ? and ?) as possible_term,
                      count(*) filter (where code in ({_ABSENT}) and date between ? and ?) as absent_term,
                      count(*) filter (where code in ({_POSSIBLE}) and date < ?) as possible_before,
                      count(*) filter (where code in ({_ABSENT}) and date < ?) as absent_before
                    from read_parquet({_sql_list(marks)}) group by pupil_key
                """,
                    [
                        term.starts_on,
                        term.ends_on,
                        term.starts_on,
                        term.ends_on,
                        term.starts_on,
                        term.starts_on,
                    ],
                ).fetchall()
            if assessed:
                facts.below_expected = con.execute(f"""
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
    return facts
