"""UK GDPR for pupils: what Trustwide holds about a pupil, erasure on request, retention.

A pupil's data lives in two places: the identity (name, UPN, date of birth) in `data.Pupil`,
and pupil-level rows in the Parquet store under a pseudonymous key (HMAC of the UPN with
the trust's key). Erasure removes both: the store part in one batch-like step under the
trust's writer lock (partitions, derived shards and the rollback copies under _batches/,
AnalyticsStore.erase_pupils), then the identity and the audit record in one transaction,
then the KPI refresh of every year the pupil had data in. The store step runs first and is
idempotent, so a failure of the database step is mended by erasing again.

Audit rows name no pupil (no name, UPN or key): they say which school, how many rows of each
dataset were removed, by whom and why. They are recorded against the school.

Who: `may_see` (subject access: pupils.view on the pupil's school, or the data protection
lead) and `may_erase` (the data protection lead, Perm.PUPIL_DATA_PROTECTION). Refusal
messages are written here once.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trustwide.audit.models import AuditAction
from trustwide.audit.services import record_event, snapshot
from trustwide.common.services import require

from .models import Pupil, PupilRetentionRule
from .rules import ERASE_REFUSED, RETENTION_REFUSED, may_erase, may_set_retention, pupils_visible
from .schemas import DATASETS
from .services import analytics_store

ERASED_BY_RULE = "retention rule"


# -- subject access ------------------------------------------------------------------------
def _store_rows(trust_id, keys: list[str]) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """Every stored row of these pupils: (partitions by dataset, rollback copies by dataset)."""
    store = analytics_store()
    value_set = pa.array(keys, pa.string())
    held: dict[str, list[dict]] = {}
    copies: dict[str, list[dict]] = {}
    with store.reading(trust_id):
        for name in DATASETS:
            # Every file of the dataset (files a bulk load put beside data.parquet too).
            base = store.root / name / f"trust={trust_id}"
            for path in sorted(base.glob("school=*/year=*/**/*.parquet")):
                if path.name.startswith("."):
                    continue
                table = pq.ParquetFile(path).read()
                if "pupil_key" not in table.column_names:
                    continue
                rows = table.filter(pc.is_in(table["pupil_key"], value_set=value_set)).to_pylist()
                if rows:
                    held.setdefault(name, []).extend(rows)
        for info in store.list_batches(trust_id=trust_id):
            for side in sorted(
                (store.root / "_batches" / info.batch_id / "replaced").glob("*/*/*.parquet")
            ):
                table = pq.ParquetFile(side).read()
                rows = table.filter(pc.is_in(table["pupil_key"], value_set=value_set)).to_pylist()
                if rows:
                    copies.setdefault(side.parent.parent.name, []).extend(rows)
    return held, copies


@dataclass
class Holding:
    """What Trustwide holds about one pupil."""

    pupil: Pupil
    identity: dict
    store: dict[str, list[dict]]
    rollback_copies: dict[str, list[dict]]
    uploads: list[dict]

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in sorted(self.store.items())}

    def as_json(self) -> str:
        return json.dumps(
            {
                "generated_at": timezone.now().isoformat(timespec="seconds"),
                "app_database": {"data.Pupil": self.identity},
                "analytics_store": self.store,
                "rollback_copies": self.rollback_copies,
                "uploaded_files": self.uploads,
                "notes": "analytics_store rows are keyed by a pseudonymous key (pupil_key); rollback_copies "
                "are rows replaced by later imports, kept so an import can be rolled back; "
                "uploaded_files are the import files as uploaded that name the pupil.",
            },
            indent=1,
            default=_jsonable,
        )

    def as_csv(self) -> str:
        """One line per value: source, dataset, row, field, value (the datasets differ in columns)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["source", "dataset", "row", "field", "value"])
        for field, value in self.identity.items():
            writer.writerow(["app_database", "data.Pupil", 1, field, _jsonable(value)])
        for source, datasets in (
            ("analytics_store", self.store),
            ("rollback_copies", self.rollback_copies),
        ):
            for name, rows in sorted(datasets.items()):
                for i, row in enumerate(rows, 1):
                    for field, value in row.items():
                        writer.writerow(
                            [source, name, i, field, "" if value is None else _jsonable(value)]
                        )
        for i, upload in enumerate(self.uploads, 1):
            for field, value in upload.items():
                writer.writerow(["uploaded_files", "data.ImportBatch", i, field, value])
        return out.getvalue()


def _jsonable(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def pupil_holding(
    *, actor, pupil: Pupil, actor_label: str | None = None, record: bool = True
) -> Holding:
    """Everything held about the pupil (subject access). Exports are audited (no pupil named)."""
    require(
        actor is None or pupils_visible(actor).filter(pk=pupil.pk).exists(),
        "You may not see this pupil's data.",
    )
    identity = {k: v for k, v in snapshot(pupil).items() if k not in {"id", "last_import_id"}}
    identity["school_urn"] = pupil.school.urn
    held, copies = _store_rows(pupil.trust_id, [pupil.pupil_key])
    uploads = [
        {"import_batch": b.pk, "file_name": b.file_name, "uploaded": b.created_at.isoformat()}
        for b in uploads_naming(pupil.trust, {pupil.upn})
    ]
    holding = Holding(
        pupil=pupil, identity=identity, store=held, rollback_copies=copies, uploads=uploads
    )
    if record:
        record_event(
            actor=actor,
            actor_label=actor_label,
            action=AuditAction.PUPIL_DATA_EXPORT,
            instance=pupil.school,
            before=None,
            after={"pupil_id": pupil.pk, "rows": holding.counts},
        )
    return holding


def _file_names_any(data: bytes, upns: set[str]) -> bool:
    """Does an uploaded file mention any of these UPNs? CSV in any of the accepted encodings
    (UPNs are ASCII: UTF-8 and Windows-1252 bytes agree; UTF-16 both ways), or .xlsx (a zip of
    XML: every member searched)."""
    if data[:2] == b"PK":
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                data = b"".join(book.read(n) for n in book.namelist() if n.endswith(".xml"))
        except (zipfile.BadZipFile, OSError):
            pass
    for upn in upns:
        for encoded in (upn.encode(), upn.encode("utf-16-le"), upn.encode("utf-16-be")):
            if encoded in data:
                return True
    return False


def uploads_naming(trust, upns: set[str]) -> list:
    """The trust's uploaded import files (stored, refused or rolled back) that name these pupils."""
    from .models import ImportBatch

    found = []
    for batch in ImportBatch.objects.filter(trust=trust).exclude(upload="").order_by("pk"):
        try:
            with batch.upload.open("rb") as handle:
                named = _file_names_any(handle.read(), upns)
        except OSError:  # already gone
            continue
        if named:
            found.append(batch)
    return found


# -- erasure -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _StoreChange:
    """What the KPI receiver of data.signals.batch_stored needs: a trust and a year."""

    trust_id: int
    academic_year: int
    pk: str


def _years_of(rows: dict[str, list[dict]]) -> set[int]:
    return {int(r["academic_year"]) for rows_ in rows.values() for r in rows_}


def _erase(
    *,
    trust,
    pupils: list[Pupil],
    keys: set[str],
    actor,
    actor_label: str | None,
    reason: str,
    instance,
) -> dict:
    held, _copies = _store_rows(trust.pk, sorted(keys))
    years = _years_of(held)
    removed = analytics_store().erase_pupils(trust.pk, keys)
    # Uploaded files that name the pupil go whole: what they held is in the store already.
    uploads = uploads_naming(trust, {p.upn for p in pupils})
    for batch in uploads:
        batch.upload.delete(save=False)
    with transaction.atomic():
        from .models import ImportBatch

        ImportBatch.objects.filter(pk__in=[b.pk for b in uploads]).update(upload="")
        Pupil.objects.filter(pk__in=[p.pk for p in pupils]).delete()
        summary = {
            "pupils": len(keys),
            "reason": reason,
            **removed,
            "uploaded_files_removed": [b.pk for b in uploads],
            "academic_years": sorted(years),
        }
        event = record_event(
            actor=actor,
            actor_label=actor_label,
            action=AuditAction.PUPIL_DATA_ERASE,
            instance=instance,
            before=None,
            after=summary,
        )
        transaction.on_commit(lambda: _refresh(trust.pk, years, event.pk))
    return summary


def _refresh(trust_id: int, years: set[int], event_id: int) -> None:
    from .signals import batch_signals_are_suspended, batch_stored

    if batch_signals_are_suspended():
        return
    for year in sorted(years):
        batch_stored.send(sender=Pupil, batch=_StoreChange(trust_id, year, f"erasure {event_id}"))


def pupil_erase(*, actor, pupil: Pupil, reason: str, actor_label: str | None = None) -> dict:
    """Erase one pupil on request: every stored row, every shard and rollback copy, and the
    identity; audited (counts per dataset, who, why); the KPI values are then recomputed."""
    require(actor is None or may_erase(actor, pupil), ERASE_REFUSED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why (e.g. the request's reference): the audit keeps it."}
        )
    if len(reason) > 200:
        raise ValidationError({"reason": f"At most 200 characters (this is {len(reason)})."})
    return _erase(
        trust=pupil.trust,
        pupils=[pupil],
        keys={pupil.pupil_key},
        actor=actor,
        actor_label=actor_label,
        reason=reason,
        instance=pupil.school,
    )


# -- retention -----------------------------------------------------------------------------
def retention_rule_set(
    *, actor, trust, years_after_leaving: int | None
) -> PupilRetentionRule | None:
    """Set (or with None, remove) the trust's retention rule; audited."""
    from trustwide.audit.services import audited_create, audited_delete, audited_update

    require(actor is None or may_set_retention(actor, trust), RETENTION_REFUSED)
    current = PupilRetentionRule.objects.filter(trust=trust).first()
    if years_after_leaving is None:
        if current:
            audited_delete(actor=actor, instance=current)
        return None
    if not 1 <= int(years_after_leaving) <= 50:
        raise ValidationError(
            {"years_after_leaving": "Expected a whole number of years from 1 to 50."}
        )
    if current:
        return audited_update(
            actor=actor, instance=current, years_after_leaving=int(years_after_leaving)
        )
    return audited_create(
        actor=actor,
        model=PupilRetentionRule,
        trust=trust,
        years_after_leaving=int(years_after_leaving),
    )


def _cutoff(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def pupils_past_retention(trust, years: int, today: datetime.date) -> set[str]:
    """Keys of pupils whose every characteristics row says they left, the last time before
    today minus `years` years. A pupil still on a roll anywhere in the trust is kept."""
    store = analytics_store()
    last_left: dict[str, datetime.date | None] = {}
    with store.reading(trust.pk):
        for path in store.paths("characteristics", trust.pk):
            table = pq.ParquetFile(path).read(columns=["pupil_key", "left_on"])
            for key, left in zip(
                table["pupil_key"].to_pylist(), table["left_on"].to_pylist(), strict=True
            ):
                if key in last_left and last_left[key] is None:
                    continue
                last_left[key] = None if left is None else max(left, last_left.get(key) or left)
    cutoff = _cutoff(today, years)
    return {key for key, left in last_left.items() if left is not None and left < cutoff}


def retention_run(*, today: datetime.date | None = None) -> dict[str, int]:
    """Apply every trust's retention rule (the daily job). Returns pupils erased by trust slug."""
    today = today or timezone.localdate()
    done = {}
    for rule in PupilRetentionRule.objects.select_related("trust"):
        trust = rule.trust
        keys = pupils_past_retention(trust, rule.years_after_leaving, today)
        if not keys:
            continue
        pupils = list(Pupil.objects.filter(trust=trust, pupil_key__in=keys))
        _erase(
            trust=trust,
            pupils=pupils,
            keys=keys,
            actor=None,
            actor_label=ERASED_BY_RULE,
            reason=f"left more than {rule.years_after_leaving} years before {today.isoformat()}",
            instance=rule,
        )
        done[trust.slug] = len(keys)
    return done
