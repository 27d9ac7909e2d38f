"""Recompute and store KPI values. The engine reads Parquet; pages read these rows."""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import logging
import shutil
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction
from django.utils import timezone

from trustwide.common.pdfs import bump_data_version
from trustwide.data.services import analytics_store
from trustwide.planning.selectors import teaching_judgements
from trustwide.trusts.calendar import calendars_for, term_dates_for, year_of
from trustwide.trusts.models import School

from .a8_estimates import estimate_rows
from .engine import StaleDerivedData, iter_kpis, teaching_at_least_good
from .models import KpiRefresh, KpiValue, Level


def _terms(
    trust, academic_year: int, school=None
) -> list[tuple[str, datetime.date, datetime.date]]:
    """The term periods of the trust's year (the school's own, when given and it keeps them);
    typical dates when the trust has not added the year."""
    year = year_of(trust, academic_year)
    if year is None:
        from trustwide.trusts.models import default_term_dates

        return [(str(name), start, end) for name, start, end in default_term_dates(academic_year)]
    return term_dates_for(school, year).as_periods()


def _own_term_groups(trust, academic_year: int) -> dict[tuple, set[int]]:
    """Schools that keep their own term dates, by those dates: {term periods: URNs}."""
    year = year_of(trust, academic_year)
    if year is None:
        return {}
    groups: dict[tuple, set[int]] = {}
    for school_id, calendar in calendars_for(year, School.objects.filter(trust=trust)).items():
        if school_id is not None and calendar.own_dates:
            groups.setdefault(tuple(calendar.as_periods()), set()).add(calendar.school.urn)
    return groups


def _school_rows(table: pa.Table, urns: set[int], keep: bool) -> pa.Table:
    """The table without (keep False) or with only (keep True) the school rows of `urns`."""
    mine = pc.and_(
        pc.equal(table["level"], Level.SCHOOL.value),
        pc.is_in(table["scope_id"], value_set=pa.array([str(u) for u in urns], pa.string())),
    )
    return table.filter(mine if keep else pc.invert(mine))


# Rows per bulk insert: Django model instances are built one chunk at a time.
INSERT_CHUNK = 5000
log = logging.getLogger(__name__)
SPOOL_PREFIX = "kpis-"
SPOOL_LOCK = ".owner.lock"


@contextlib.contextmanager
def _spool_dir():
    """A temporary folder for the refresh's spool, locked by this process while it lives, so
    clean_spool_dirs can tell a killed refresh's folder from a running one's."""
    with tempfile.TemporaryDirectory(prefix=SPOOL_PREFIX) as path:
        with open(Path(path) / SPOOL_LOCK, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield path


def clean_spool_dirs(*, unlocked_age: float = 24 * 3600) -> list[Path]:
    """Remove `kpis-*` spool folders in the temp folder that a killed refresh left: those whose
    lock no live process holds, and (from older versions, without a lock) those untouched for
    `unlocked_age` seconds. Called at each refresh and at start-up (`trustwide kpis clean`)."""
    removed = []
    for path in Path(tempfile.gettempdir()).glob(f"{SPOOL_PREFIX}*"):
        try:
            if not path.is_dir() or path.stat().st_mtime > time.time() - 60:
                continue  # just made: its refresh may not hold the lock yet
            lock_path = path / SPOOL_LOCK
            if lock_path.exists():
                with open(lock_path) as lock:
                    try:
                        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue  # a running refresh
            elif path.stat().st_mtime > time.time() - unlocked_age:
                continue
            shutil.rmtree(path)
            removed.append(path)
        except OSError:
            log.warning("could not remove left-over KPI spool folder %s", path, exc_info=True)
    return removed


def kpis_refresh(
    *, trust, academic_year: int, trigger: str = "command", as_of: datetime.date | None = None
) -> int:
    """Compute every KPI, group and period of one trust's year and replace its stored values.

    Memory stays bounded whatever the trust's size: the engine yields one batch of schools at
    a time (iter_kpis), each batch is spooled to a temporary Arrow IPC file, and the stored
    values are then replaced from that file chunk by chunk in one transaction, so readers see
    the old values or the new, never a mix, and the database is locked only while writing.
    """
    started = time.perf_counter()
    started_at = timezone.now()
    schools = list(School.objects.filter(trust=trust).values_list("pk", "urn", "hub_id"))
    school_by_urn = {urn: pk for pk, urn, _ in schools}
    terms = _terms(trust, academic_year)
    store = analytics_store()
    # '% of teaching at least good' comes from lesson-observation records, not the store.
    year_start, year_end = (
        datetime.date(academic_year, 9, 1),
        datetime.date(academic_year + 1, 8, 31),
    )
    # Schools on their own term dates: their school rows come from a run on their dates; the
    # hub and trust rows keep the trust's dates (see docs/KPIS.md).
    own = _own_term_groups(trust, academic_year)
    own_urns = set().union(*own.values())
    judgements = list(teaching_judgements(trust_id=trust.pk, start=year_start, end=year_end))
    teaching = _school_rows(
        teaching_at_least_good(
            judgements,
            trust_id=trust.pk,
            academic_year=academic_year,
            terms=terms,
            as_of=as_of,
        ),
        own_urns,
        keep=False,
    )
    for periods, urns in own.items():
        mine = teaching_at_least_good(
            [j for j in judgements if int(j[0]) in urns],
            trust_id=trust.pk,
            academic_year=academic_year,
            terms=list(periods),
            as_of=as_of,
        )
        teaching = pa.concat_tables([teaching, _school_rows(mine, urns, keep=True)])
    clean_spool_dirs()
    with _spool_dir() as spool_dir:
        spool = Path(spool_dir) / "values.arrow"
        for attempt in range(3):
            # The shards the engine reads (trustwide.data.derived) are kept in step by every
            # import, and the engine checks them under the read lock. A store from before
            # them, or files loaded around the store, make it refuse (StaleDerivedData): then
            # bring them up to date and read again. (Checking here first as well would walk
            # every school's folders twice: 2 s a walk for a national-size trust.)
            if attempt:
                store.ensure_derived(trust.pk, academic_year)
            writer = None
            try:
                # Under the store's lock: an import swapping files in is never half seen.
                with store.reading(trust.pk):
                    for table in _engine_tables(
                        store.root, trust, academic_year, schools, terms, own, as_of
                    ):
                        if writer is None:
                            writer = pa.ipc.new_file(str(spool), table.schema)
                            teaching = teaching.select(table.schema.names).cast(table.schema)
                        writer.write_table(table)
                break
            except StaleDerivedData:
                if writer is not None:
                    writer.close()
                if attempt == 2:
                    raise
        if writer is None:  # no batches at all (a trust with no schools)
            writer = pa.ipc.new_file(str(spool), teaching.schema)
        writer.write_table(teaching)
        writer.close()
        with pa.memory_map(str(spool)) as source:
            reader = pa.ipc.open_file(source)
            with transaction.atomic():
                KpiValue.objects.filter(trust=trust, academic_year=academic_year).delete()
                rows = 0
                for i in range(reader.num_record_batches):
                    for chunk in _chunks(reader.get_batch(i), INSERT_CHUNK):
                        _insert_values(
                            _value_rows(chunk, trust.pk, academic_year, school_by_urn, started_at)
                        )
                        rows += chunk.num_rows
                bump_data_version(trust.pk)  # reports showing these values render afresh
                KpiRefresh.objects.create(
                    trust=trust,
                    academic_year=academic_year,
                    started_at=started_at,
                    seconds=round(time.perf_counter() - started, 3),
                    rows=rows,
                    trigger=trigger[:100],
                )
    return rows


def _engine_tables(root, trust, academic_year, schools, terms, own, as_of):
    """The engine's tables on the trust's term dates, then the school rows of each group of
    schools on their own dates (each group in a run of its own)."""
    school_hubs = {urn: hub for _, urn, hub in schools}
    own_urns = set().union(*own.values())
    estimates = estimate_rows(academic_year)  # Progress 8: the year's verified DfE table
    runs = [(terms, school_hubs, None)] + [
        (list(periods), {u: school_hubs[u] for u in urns}, urns) for periods, urns in own.items()
    ]
    for run_terms, hubs, urns in runs:
        for table in iter_kpis(
            store_root=root,
            trust_id=trust.pk,
            academic_year=academic_year,
            school_hubs=hubs,
            terms=run_terms,
            as_of=as_of,
            a8_estimates=estimates,
        ):
            if urns is not None:
                yield _school_rows(table, urns, keep=True)
            else:
                yield _school_rows(table, own_urns, keep=False) if own_urns else table


def _chunks(batch: pa.RecordBatch, size: int):
    for offset in range(0, batch.num_rows, size):
        yield batch.slice(offset, size)


# Stored values are plain numbers and codes with no per-row logic: they are inserted with one
# executemany per chunk rather than bulk_create, whose model instances and per-value SQL
# preparation were most of a refresh's time (1.7 million prepare_value calls for 30 schools).
VALUE_COLUMNS = (
    "trust",
    "academic_year",
    "kpi_code",
    "level",
    "school",
    "hub",
    "period",
    "group",
    "value",
    "numerator",
    "denominator",
    "pupils",
    "suppressed",
    "computed_at",
)


def _value_rows(
    chunk: pa.RecordBatch, trust_id: int, academic_year: int, school_by_urn: dict, computed_at
) -> list[tuple]:
    stamp = connection.ops.adapt_datetimefield_value(computed_at)
    c = chunk.to_pydict()
    out = []
    for level, scope, code, period, group, value, num, den, pupils, suppressed in zip(
        c["level"],
        c["scope_id"],
        c["kpi_code"],
        c["period"],
        c["group"],
        c["value"],
        c["numerator"],
        c["denominator"],
        c["pupils"],
        c["suppressed"],
        strict=True,
    ):
        out.append(
            (
                trust_id,
                academic_year,
                code,
                level,
                school_by_urn.get(int(scope)) if level == Level.SCHOOL else None,
                int(scope) if level == Level.HUB else None,
                period,
                group,
                value,
                num,
                den,
                pupils or 0,
                bool(suppressed),
                stamp,
            )
        )
    return out


def _insert_values(rows: list[tuple]) -> None:
    if not rows:
        return
    qn = connection.ops.quote_name
    columns = ", ".join(qn(KpiValue._meta.get_field(name).column) for name in VALUE_COLUMNS)
    marks = ", ".join(["%s"] * len(VALUE_COLUMNS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {qn(KpiValue._meta.db_table)} ({columns}) VALUES ({marks})", rows
        )


def kpi_target_set(
    *,
    actor,
    trust,
    school,
    academic_year: int,
    kpi_code: str,
    target: float | None,
    group: str = "all",
    actor_label=None,
):
    """Set (or with target=None remove) a trust default (school=None) or a school's own target."""
    from django.core.exceptions import ValidationError

    from trustwide.audit.services import audited_create, audited_delete, audited_update
    from trustwide.common.services import require

    from . import definitions as d
    from . import rules
    from .models import KpiTarget

    require(
        rules.may_set_targets(actor, trust, school),
        rules.SCHOOL_TARGETS_REFUSED if school is not None else rules.TRUST_TARGETS_REFUSED,
    )
    try:
        kpi = d.kpi_by_code(kpi_code)
    except KeyError as exc:
        raise ValidationError({"kpi_code": f"Unknown KPI '{kpi_code}'."}) from exc
    if target is not None and kpi.unit == "%" and not 0 <= target <= 100:
        raise ValidationError(
            {kpi_code: f"{kpi.name}: a percentage target must be between 0 and 100."}
        )
    if target is not None and kpi.code == "ks4_attainment8" and not 0 <= target <= 90:
        raise ValidationError({kpi_code: f"{kpi.name}: Attainment 8 runs from 0 to 90."})
    existing = KpiTarget.objects.filter(
        trust=trust, school=school, academic_year=academic_year, kpi_code=kpi_code, group=group
    ).first()
    if target is None:
        if existing:
            audited_delete(actor=actor, actor_label=actor_label, instance=existing)
        return None
    if existing:
        return audited_update(
            actor=actor, actor_label=actor_label, instance=existing, target=target
        )
    return audited_create(
        actor=actor,
        actor_label=actor_label,
        model=KpiTarget,
        trust=trust,
        school=school,
        academic_year=academic_year,
        kpi_code=kpi_code,
        group=group,
        target=target,
        set_by=actor,
    )


@transaction.atomic
def _targets_carry_forward(
    *, actor, trust, from_year: int, to_year: int, school_ids, actor_label=None
) -> tuple[int, int]:
    """Copy this year's trust defaults and the listed schools' own targets to next year, without
    the permission check (the trust's roll-over checks its own rule first). A target already
    set for next year is kept. Returns (created, already there)."""
    from trustwide.audit.services import audited_create

    from .models import KpiTarget

    school_ids = set(school_ids)
    have = set(
        KpiTarget.objects.filter(trust=trust, academic_year=to_year).values_list(
            "school_id", "kpi_code", "group"
        )
    )
    created = existing = 0
    for old in KpiTarget.objects.filter(trust=trust, academic_year=from_year).order_by("pk"):
        if old.school_id is not None and old.school_id not in school_ids:
            continue
        if (old.school_id, old.kpi_code, old.group) in have:
            existing += 1
            continue
        audited_create(
            actor=actor,
            actor_label=actor_label,
            model=KpiTarget,
            trust=trust,
            school_id=old.school_id,
            academic_year=to_year,
            kpi_code=old.kpi_code,
            group=old.group,
            target=old.target,
            set_by=actor,
        )
        created += 1
    return created, existing
