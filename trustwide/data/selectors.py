import datetime
import os
import threading
from dataclasses import dataclass, field

from django.db.models import Max, Q, QuerySet

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


def roll_sizes(*, trust_id: int, urns, academic_year: int) -> dict[int, int]:
    """School URN -> pupils on its roll for the year (the store's roster built from the
    characteristics imports), read from Parquet metadata only: counts, no pupil data."""
    import pyarrow.parquet as pq

    from .services import analytics_store

    store = analytics_store()
    out: dict[int, int] = {}
    with store.reading(trust_id):
        for urn in urns:
            for path in store.paths("pupils", trust_id, [urn], [academic_year]):
                out[urn] = out.get(urn, 0) + pq.ParquetFile(path).metadata.num_rows
    return out


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
    None when the user may not see the school's pupils (pupils.view).

    The facts of a school's year are worked out once per process and kept while the files they
    came from are unchanged (keyed on each file's inode, size and modification time), so a
    page that lists pupils does not re-aggregate a year of marks on every request."""
    from trustwide.access import can

    if not can(user, Perm.PUPILS_VIEW, school):
        return None
    from .services import analytics_store

    store = analytics_store()
    # Under the store's read lock, listing included: an import or rollback swapping files in
    # (or removing an emptied partition) is never seen half-way.
    with store.reading(school.trust_id):
        marks = store.paths("attendance_marks", school.trust_id, [school.urn], [academic_year])
        chars = store.paths("characteristics", school.trust_id, [school.urn], [academic_year])
        assessed = store.paths("assessments", school.trust_id, [school.urn], [academic_year])
        files = (tuple(marks), tuple(chars), tuple(assessed))
        key = (
            files,
            tuple(_identity(p) for group in files for p in group),
            (term.starts_on, term.ends_on) if term is not None else None,
        )
        facts = _FACTS.get(key)
        if facts is None:
            facts = _read_facts(marks, chars, assessed, term)
            with _FACTS_LOCK:
                while len(_FACTS) >= _FACTS_KEPT:
                    _FACTS.pop(next(iter(_FACTS)))
                _FACTS[key] = facts
    return facts


# Facts of recently listed school years, per process (a few hundred KB each at most: pupil
# keys, which are pseudonymous, and counts).
_FACTS: dict = {}
_FACTS_KEPT = 64
_FACTS_LOCK = threading.Lock()


def _identity(path: str) -> tuple:
    stat = os.stat(path)
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _read_facts(marks, chars, assessed, term) -> PupilFacts:
    facts = PupilFacts(year_groups={}, has_marks=bool(marks), has_assessments=bool(assessed))
    if not (chars or marks or assessed):
        return facts  # nothing stored for the year: no DuckDB connection to open
    import duckdb

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


def newest_stored_import(schools) -> dict[int, datetime.datetime]:
    """School id -> when its newest stored import finished (files naming several schools
    count for each school they held). A system read, for the feeds' stale-data warning."""
    schools = list(schools)
    newest: dict[int, datetime.datetime] = {}
    stored = ImportBatch.objects.filter(status="stored", finished_at__isnull=False)
    for school_id, finished in (
        stored.filter(school__in=schools)
        .values("school_id")
        .annotate(last=Max("finished_at"))
        .values_list("school_id", "last")
    ):
        newest[school_id] = finished
    by_urn = {s.urn: s.pk for s in schools}
    trusts = {s.trust_id for s in schools}
    for urns, finished in stored.filter(school__isnull=True, trust_id__in=trusts).values_list(
        "school_urns", "finished_at"
    ):
        for urn in urns or ():
            pk = by_urn.get(urn)
            if pk is not None and (pk not in newest or newest[pk] < finished):
                newest[pk] = finished
    return newest


# --------------------------------------------------------------------------- subject results


@dataclass(frozen=True)
class SubjectTotals:
    """Counts for one KS4 subject in one year, for a school (urn) or the whole trust (urn
    None): entries (a grade or U; X is no result), the sum of their points (U = 0) and how
    many reached grade 4, 5 and 7. Counts only: no pupil leaves the selector."""

    urn: int | None
    academic_year: int
    subject: str  # schemas.KS4_SUBJECTS code, e.g. "HISTORY"
    entries: int
    points: float
    grade4: int
    grade5: int
    grade7: int


def ks4_subject_totals(*, trust_id: int, years) -> list[SubjectTotals]:
    """KS4 subject totals of every school of the trust's store and of the trust as a whole, for
    the years asked: one DuckDB query over the statutory partitions (GROUPING SETS), counts
    only. A system read like roll_sizes: the caller (kpis.subjects) decides who sees which
    school and suppresses small groups."""
    import duckdb

    from .schemas import KS4_SUBJECT_PREFIX, KS4_SUBJECTS
    from .services import analytics_store

    measures = ", ".join(f"'{KS4_SUBJECT_PREFIX}{code}'" for code in KS4_SUBJECTS)
    store = analytics_store()
    with store.reading(trust_id):
        paths = store.paths("statutory", trust_id, None, years)
        if not paths:
            return []
        con = duckdb.connect()
        try:
            rows = con.execute(f"""
                with entered as (
                  select school_urn, academic_year, measure,
                    case when value_text = 'U' then 0.0 else value_num end as points
                  from read_parquet({_sql_list(paths)})
                  where measure in ({measures})
                    and (value_num is not null or value_text = 'U'))
                select school_urn, academic_year, measure, grouping(school_urn) as whole_trust,
                  count(*), sum(points),
                  count(*) filter (where points >= 4), count(*) filter (where points >= 5),
                  count(*) filter (where points >= 7)
                from entered
                group by grouping sets ((school_urn, academic_year, measure),
                                        (academic_year, measure))
            """).fetchall()
        finally:
            con.close()
    prefix = len(KS4_SUBJECT_PREFIX)
    return [
        SubjectTotals(
            urn=None if whole else int(urn),
            academic_year=int(year),
            subject=measure[prefix:],
            entries=int(n),
            points=float(points),
            grade4=int(g4),
            grade5=int(g5),
            grade7=int(g7),
        )
        for urn, year, measure, whole, n, points, g4, g5, g7 in rows
    ]
