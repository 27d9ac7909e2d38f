"""The per-trust export: everything trust A owns, nothing of trust B, in a checked archive."""

import datetime
import io
import json
import tarfile

import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from trustwide.data.models import ImportStatus, Pupil, TrustDataKey
from trustwide.data.services import import_batch_create, import_batch_run
from trustwide.data.signals import batch_signals_suspended
from trustwide.ops.trust_export import read_manifest

YEAR = 2025


def _import(world, trust, school, upns, capture):
    from tests.world import make_year

    make_year(trust, YEAR, current=False)
    text = "URN,UPN,Surname,Forename,DOB,Year group,Sex,Disadvantaged,FSM,SEN,EAL\n" + "".join(
        f"{school.urn},{u},Surname{u[-2:]},F,01/01/2016,4,F,N,N,N,N\n" for u in upns
    )
    batch = import_batch_create(
        actor=None,
        actor_label="test",
        trust=trust,
        school=school,
        dataset="characteristics",
        academic_year=YEAR,
        file_name="roll.csv",
        upload=SimpleUploadedFile("roll.csv", text.encode()),
    )
    with capture(execute=True), batch_signals_suspended():
        batch = import_batch_run(
            batch=batch, source=text.encode(), today=datetime.date(2026, 8, 31)
        )
    assert batch.status == ImportStatus.STORED, batch.errors


def test_export_holds_everything_the_trust_owns_and_nothing_of_another(
    world, tmp_path, django_capture_on_commit_callbacks
):
    _import(
        world,
        world.trust_a,
        world.school_a1,
        ["A123456789001", "A123456789002"],
        django_capture_on_commit_callbacks,
    )
    _import(
        world, world.trust_b, world.school_b1, ["B123456789001"], django_capture_on_commit_callbacks
    )
    out = tmp_path / "trust-a.tar"
    stdout = io.StringIO()
    call_command("export_trust", "trust-a", str(out), stdout=stdout)
    assert f"Exported Trust A to {out}" in stdout.getvalue()

    manifest = read_manifest(out)  # every file checked against the manifest's list
    assert manifest["trust"] == {"id": world.trust_a.pk, "slug": "trust-a", "name": "Trust A"}
    with tarfile.open(out) as tar:
        names = set(tar.getnames())
        files = {n: tar.extractfile(n).read() for n in names if tar.getmember(n).isfile()}
    rows = {
        n.removeprefix("database/").removesuffix(".json"): json.loads(files[n])
        for n in names
        if n.startswith("database/")
    }
    assert [r["fields"]["slug"] for r in rows["trusts.trust"]] == ["trust-a"]
    assert {r["fields"]["name"] for r in rows["trusts.school"]} == {"A1 Primary", "A2 Primary"}
    assert {r["fields"]["upn"] for r in rows["data.pupil"]} == {"A123456789001", "A123456789002"}
    assert [r["fields"]["key"] for r in rows["data.trustdatakey"]] == [
        TrustDataKey.objects.get(trust=world.trust_a).key
    ]
    assert len(rows["accounts.membership"]) == world.trust_a.memberships.count()
    people = rows["accounts.user"]
    assert world.user("headteacher").email in {p["fields"]["email"] for p in people}
    assert all(
        set(p["fields"]) <= {"email", "full_name", "job_title"} for p in people
    )  # no password hashes
    assert manifest["counts"]["rows"]["data.importbatch"] == 1
    # Nothing of trust B anywhere in the archive.
    everything = b"".join(files.values())
    assert world.school_b1.name.encode() not in everything and b"B123456789001" not in everything
    assert world.trust_b.data_key.key.encode() not in everything
    assert Pupil.objects.filter(trust=world.trust_b).exists()
    # Its store: partitions (pupil keys only), shards and the batch; its upload.
    stored = sorted(n for n in names if n.startswith("store/"))
    assert any(
        n.startswith(
            f"store/characteristics/trust={world.trust_a.pk}/school={world.school_a1.urn}/"
        )
        for n in stored
    )
    assert any(n.startswith("store/_shards/") for n in stored) and any(
        n.startswith("store/_batches/") for n in stored
    )
    assert not any(f"trust={world.trust_b.pk}" in n for n in stored)
    part = next(
        n for n in stored if n.startswith("store/characteristics/") and n.endswith(".parquet")
    )
    table = pq.read_table(io.BytesIO(files[part]))
    assert set(table["pupil_key"].to_pylist()) == set(
        Pupil.objects.filter(trust=world.trust_a).values_list("pupil_key", flat=True)
    )
    assert any(n.startswith("media/imports/") for n in names)


def test_unknown_trust_is_named(world, tmp_path):
    with pytest.raises(CommandError, match="No trust 'nope'. Trusts: trust-a, trust-b"):
        call_command("export_trust", "nope", str(tmp_path / "x.tar"))
    assert not (tmp_path / "x.tar").exists()
