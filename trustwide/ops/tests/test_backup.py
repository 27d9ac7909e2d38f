"""Backup and restore round trip: a trust with pupil data and KPI values is backed up, wiped,
restored, and its pages and KPI rows are the same. Runs on the test database's engine
(SQLite, or PostgreSQL with DATABASE_URL: needs pg_dump/pg_restore on PATH)."""

import datetime
import io
import json
import re
import shutil
import tarfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from trustwide.data.models import ImportBatch, ImportStatus, Pupil, TrustDataKey
from trustwide.data.services import analytics_store, import_batch_create, import_batch_run
from trustwide.kpis.models import KpiValue

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = 2025
UPNS = [f"A1234567890{i:02d}" for i in range(6)]


def _import(world, dataset, text, capture, upload=False):
    batch = import_batch_create(
        actor=None,
        actor_label="test",
        trust=world.trust_a,
        school=world.school_a1,
        dataset=dataset,
        academic_year=YEAR,
        file_name=f"{dataset}.csv",
        upload=SimpleUploadedFile(f"{dataset}.csv", text.encode()) if upload else None,
    )
    with capture(execute=True):
        batch = import_batch_run(
            batch=batch, source=text.encode(), today=datetime.date(2026, 8, 31)
        )
    assert batch.status == ImportStatus.STORED, batch.errors
    return batch


@pytest.fixture
def trust_with_data(world, django_capture_on_commit_callbacks):
    """Six pupils with characteristics (the file kept as an upload) and a week of marks: the
    imports store Parquet batches and the KPI refresh writes KpiValue rows."""
    from tests.world import make_year

    if connection.vendor == "postgresql" and not (
        shutil.which("pg_dump") and shutil.which("pg_restore")
    ):
        pytest.skip("pg_dump/pg_restore not on PATH: the PostgreSQL backup cannot be tested here")
    make_year(world.trust_a, YEAR, current=False)
    urn = world.school_a1.urn
    chars = "URN,UPN,Surname,Forename,DOB,Year group,Sex,Disadvantaged,FSM,SEN,EAL\n" + "".join(
        f"{urn},{u},S{i},F{i},01/01/2016,4,{'F' if i % 2 else 'M'},{'Y' if i < 3 else 'N'},N,N,N\n"
        for i, u in enumerate(UPNS)
    )
    _import(world, "characteristics", chars, django_capture_on_commit_callbacks, upload=True)
    marks = ["URN,UPN,Date,Session,Code"]
    for i, upn in enumerate(UPNS):
        for day in ("08/09/2025", "09/09/2025", "10/09/2025"):
            marks += [f"{urn},{upn},{day},AM,{'I' if i == 0 else '/'}", f"{urn},{upn},{day},PM,/"]
    _import(world, "attendance_marks", "\n".join(marks) + "\n", django_capture_on_commit_callbacks)
    assert KpiValue.objects.filter(trust=world.trust_a, academic_year=YEAR).exists()
    return world


def _pages(client, world) -> dict[str, tuple[int, str]]:
    pupil = Pupil.objects.get(upn=UPNS[0])
    batch = ImportBatch.objects.filter(dataset="characteristics").get()
    urls = [
        reverse("trusts:trust-detail", kwargs={"slug": world.trust_a.slug}),
        reverse("data:import-list", kwargs={"slug": world.trust_a.slug}),
        reverse("data:import-detail", kwargs={"pk": batch.pk}),
        reverse("data:pupil-data", kwargs={"pk": pupil.pk}),  # identity + rows from the store
        reverse("kpis:school-kpis", kwargs={"pk": world.school_a1.pk}) + f"?year={YEAR}",
        reverse("dashboards:school-dashboard", kwargs={"pk": world.school_a1.pk}) + f"?year={YEAR}",
    ]
    out = {}
    for url in urls:
        response = client.get(url)
        body = response.content.decode()
        # Per-request values only: CSRF tokens, CSP nonces, the chart id counter of the process.
        body = re.sub(
            r'(csrfmiddlewaretoken" value=|nonce=|csrf-token" content=)"[^"]*"', r"\1", body
        )
        body = re.sub(r'"X-CSRFToken": "[^"]*"', "", body)
        body = re.sub(r"chart-(title|desc)-\d+", r"chart-\1", body)
        out[url] = (response.status_code, body)
    return out


def _kpi_rows():
    return list(
        KpiValue.objects.order_by("pk").values_list(
            "pk",
            "trust_id",
            "school_id",
            "level",
            "academic_year",
            "kpi_code",
            "period",
            "group",
            "value",
            "numerator",
            "denominator",
            "pupils",
            "suppressed",
        )
    )


def test_backup_wipe_restore_gives_the_same_pages_and_kpi_rows(trust_with_data, client, tmp_path):
    world = trust_with_data
    client.force_login(world.user("trust_leader"))
    pages, kpis = _pages(client, world), _kpi_rows()
    assert all(status == 200 for status, _ in pages.values()), {u: s for u, (s, _) in pages.items()}
    assert (
        "attendance_marks"
        in pages[reverse("data:pupil-data", kwargs={"pk": Pupil.objects.get(upn=UPNS[0]).pk})][1]
    )
    key = TrustDataKey.objects.get(trust=world.trust_a).key
    upload = Path(ImportBatch.objects.get(dataset="characteristics").upload.path)
    marks_file = analytics_store().paths("attendance_marks", world.trust_a.pk)[0]
    marks = pq.read_table(marks_file)

    out = tmp_path / "backups" / "trustwide.tar"
    stdout = io.StringIO()
    call_command("backup", str(out), stdout=stdout)
    assert f"Backup written to {out}" in stdout.getvalue() and "1 uploads" in stdout.getvalue()
    with tarfile.open(out) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = set(tar.getnames())
    assert manifest["format"] == "trustwide-backup" and manifest["version"] == 1
    assert (
        manifest["database"]["engine"] == connection.vendor
        and manifest["trust_data_keys"]["count"] == 1
    )
    assert {f["path"] for f in manifest["files"]} | {"manifest.json"} == names
    assert not any("_locks" in n or "/." in n for n in names)
    assert any(n.startswith("data/_shards/") for n in names) and any(
        n.startswith("data/_batches/") for n in names
    )

    # Wipe everything: the database, the store and the uploads.
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.TRUSTWIDE_DATA_DIR)
    shutil.rmtree(settings.MEDIA_ROOT)
    assert not KpiValue.objects.exists()

    call_command("restore", str(out), stdout=io.StringIO())
    client.force_login(
        world.user("trust_leader")
    )  # sessions are restored too; a fresh one is enough
    assert _kpi_rows() == kpis
    assert _pages(client, world) == pages
    assert TrustDataKey.objects.get(trust=world.trust_a).key == key
    assert upload.read_text().startswith("URN,UPN,Surname")
    assert pq.read_table(marks_file).equals(marks)

    # A second restore over the now non-empty database is refused without --force.
    with pytest.raises(CommandError, match="already holds trusts or users.*--force"):
        call_command("restore", str(out))
    call_command("restore", str(out), force=True, stdout=io.StringIO())
    assert _kpi_rows() == kpis


def test_restore_refuses_wrong_and_corrupt_archives(world, tmp_path):
    not_tar = tmp_path / "notes.tar"
    not_tar.write_text("hello")
    with pytest.raises(CommandError, match="not a Trustwide archive"):
        call_command("restore", str(not_tar), force=True)
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing.tar"), force=True)

    other = tmp_path / "other.tar"
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "something-else", "version": 1}))
    with tarfile.open(other, "w") as tar:
        tar.add(tmp_path / "manifest.json", arcname="manifest.json")
    with pytest.raises(CommandError, match="format 'something-else'; expected 'trustwide-backup'"):
        call_command("restore", str(other), force=True)

    engine = tmp_path / "engine.tar"
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {
                "format": "trustwide-backup",
                "version": 1,
                "database": {"engine": "oracle"},
                "files": [],
            }
        )
    )
    with tarfile.open(engine, "w") as tar:
        tar.add(tmp_path / "manifest.json", arcname="manifest.json")
    with pytest.raises(
        CommandError,
        match=f"a backup of a oracle database; this installation uses {connection.vendor}",
    ):
        call_command("restore", str(engine), force=True)

    good = tmp_path / "good.tar"
    call_command("backup", str(good), stdout=io.StringIO())
    # Same file list, one file's bytes changed: caught by its sha256 before anything is replaced.
    corrupt = tmp_path / "corrupt.tar"
    with tarfile.open(good) as src, tarfile.open(corrupt, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith("database/"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            dst.addfile(member, io.BytesIO(data))
    trusts = list(world.trust_a.__class__.objects.values_list("slug", flat=True))
    with pytest.raises(CommandError, match=r"database/db\.\w+ is corrupt"):
        call_command("restore", str(corrupt), force=True)
    assert list(world.trust_a.__class__.objects.values_list("slug", flat=True)) == trusts


def test_backup_holds_every_trusts_swap_lock_while_copying_database_and_store(
    world, tmp_path, monkeypatch
):
    """No import or rollback can swap files in between the database copy and the store copy."""
    import fcntl

    from trustwide.ops import backup as ops_backup

    store = analytics_store()

    def swap_blocked(trust) -> bool:
        with open(store._lock_file(trust.pk, "swap"), "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False

    blocked = []
    real_dump, real_copy = ops_backup._dump_database, ops_backup.archive.copy_tree

    def dump(target):
        blocked.append(("database", [swap_blocked(t) for t in (world.trust_a, world.trust_b)]))
        return real_dump(target)

    def copy(source, target, **kw):
        if source == Path(settings.TRUSTWIDE_DATA_DIR):
            blocked.append(("store", [swap_blocked(t) for t in (world.trust_a, world.trust_b)]))
        return real_copy(source, target, **kw)

    monkeypatch.setattr(ops_backup, "_dump_database", dump)
    monkeypatch.setattr(ops_backup.archive, "copy_tree", copy)
    call_command("backup", str(tmp_path / "b.tar"), stdout=io.StringIO())
    assert blocked == [("database", [True, True]), ("store", [True, True])]
    assert not swap_blocked(world.trust_a)  # released afterwards
