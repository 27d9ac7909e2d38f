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
from django.db import connection, transaction
from django.utils import timezone

from trustwide.common.pdfs import bump_data_version
from trustwide.data.services import analytics_store
from trustwide.planning.selectors import teaching_judgements
from trustwide.trusts.models import AcademicYear, School

from .engine import StaleDerivedData, iter_kpis, teaching_at_least_good
from .models import KpiRefresh, KpiValue, Level


def _terms(trust, academic_year: int) -> list[tuple[str, datetime.date, datetime.date]]:
    year = (
        AcademicYear.objects.filter(trust=trust, start_year=academic_year)
        .prefetch_related("terms")
        .first()
    )
    if year is None:
        from trustwide.trusts.models import default_term_dates

        return [(str(name), start, end) for name, start, end in default_term_dates(academic_year)]
    return [(t.name, t.starts_on, t.ends_on) for t in year.terms.all()]


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
    teaching = teaching_at_least_good(
        teaching_judgements(trust_id=trust.pk, start=year_start, end=year_end),
        trust_id=trust.pk,
        academic_year=academic_year,
        terms=terms,
        as_of=as_of,
    )
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
                    for table in iter_kpis(
                        store_root=store.root,
                        trust_id=trust.pk,
                        academic_year=academic_year,
                        school_hubs={urn: hub for _, urn, hub in schools},
                        terms=terms,
                        as_of=as_of,
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
            audited_delete(actor=actor, instance=existing)
        return None
    if existing:
        return audited_update(actor=actor, instance=existing, target=target)
    return audited_create(
        actor=actor,
        model=KpiTarget,
        trust=trust,
        school=school,
        academic_year=academic_year,
        kpi_code=kpi_code,
        group=group,
        target=target,
        set_by=actor,
    )
