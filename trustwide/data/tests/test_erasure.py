"""UK GDPR for pupils: erasure leaves nothing in any Parquet file, is audited, refreshes KPIs;
subject access export; who may do it; the retention job."""

import csv
import datetime
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from trustwide.audit.models import AuditEvent
from trustwide.common.schedule import run_due
from trustwide.data import erasure
from trustwide.data.models import ImportBatch, ImportStatus, Pupil, PupilRetentionRule
from trustwide.data.services import analytics_store, import_batch_create, import_batch_run
from trustwide.data.signals import batch_signals_suspended

YEAR = 2025
# The KPI app listens to the store (data must not import it): its models by name.
KpiRefresh, KpiValue = apps.get_model("kpis", "KpiRefresh"), apps.get_model("kpis", "KpiValue")
GONE = "A123456789000"  # the pupil whose data is erased
OTHERS = [f"A1234567890{i:02d}" for i in range(1, 6)]


def _import(world, dataset, text, capture, school=None, upload=None):
    batch = import_batch_create(
        actor=None,
        actor_label="test",
        trust=world.trust_a,
        school=school or world.school_a1,
        dataset=dataset,
        academic_year=YEAR,
        file_name=f"{dataset}.csv",
        upload=upload and SimpleUploadedFile(f"{dataset}{upload}", upload_bytes(text, upload)),
    )
    with capture(execute=True):
        batch = import_batch_run(
            batch=batch, source=text.encode(), today=datetime.date(2026, 8, 31)
        )
    assert batch.status == ImportStatus.STORED, batch.errors
    return batch


def upload_bytes(text, suffix):
    """The file as a school would upload it: CSV in UTF-16 (Excel's 'Unicode text'), or .xlsx."""
    if suffix == ".csv":
        return text.encode("utf-16")
    import openpyxl

    book = openpyxl.Workbook()
    for line in text.strip().splitlines():
        book.active.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _chars(urn, upns, left=""):
    return (
        "URN,UPN,Surname,Forename,DOB,Year group,Sex,Disadvantaged,FSM,SEN,EAL,Date left\n"
        + "".join(
            f"{urn},{u},S{i},F{i},01/01/2016,4,{'F' if i % 2 else 'M'},N,N,N,N,{left}\n"
            for i, u in enumerate(upns)
        )
    )


def _marks(urn, upns, code="/"):
    lines = ["URN,UPN,Date,Session,Code"]
    for upn in upns:
        for day in ("08/09/2025", "09/09/2025"):
            lines += [f"{urn},{upn},{day},AM,{code}", f"{urn},{upn},{day},PM,/"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def stored(world, django_capture_on_commit_callbacks):
    """Six pupils at A1 with characteristics and marks; the marks imported twice, so the second
    batch's rollback copy under _batches/ holds the first batch's rows of every pupil."""
    from tests.world import make_year

    make_year(world.trust_a, YEAR, current=False)
    cap = django_capture_on_commit_callbacks
    urn = world.school_a1.urn
    with batch_signals_suspended():  # no KPI refresh until the erasure's own
        _import(world, "characteristics", _chars(urn, [GONE, *OTHERS]), cap, upload=".xlsx")
        _import(
            world, "attendance_marks", _marks(urn, [GONE, *OTHERS], code="I"), cap, upload=".csv"
        )
        _import(world, "attendance_marks", _marks(urn, [GONE, *OTHERS]), cap)
        # A second school's roll: the pupil is not there.
        _import(
            world,
            "characteristics",
            _chars(world.school_a2.urn, ["B123456789001"]),
            cap,
            school=world.school_a2,
            upload=".xlsx",
        )
    return world


def _key(upn):
    return Pupil.objects.get(upn=upn).pupil_key


def _files_holding(key) -> list[str]:
    """Every *.parquet file of the store (partitions, _shards, _batches) with a row of `key`."""
    hits = []
    for path in Path(settings.TRUSTWIDE_DATA_DIR).rglob("*.parquet"):
        table = pq.read_table(path) if "pupil_key" in pq.read_schema(path).names else None
        if table is not None and key in set(table["pupil_key"].to_pylist()):
            hits.append(str(path.relative_to(settings.TRUSTWIDE_DATA_DIR)))
    return sorted(hits)


def test_erasure_leaves_no_row_of_the_pupil_in_any_parquet_file(
    stored, login, django_capture_on_commit_callbacks
):
    world = stored
    key = _key(GONE)
    before = _files_holding(key)
    assert any(p.startswith("_shards/") for p in before) and any(
        p.startswith("_batches/") for p in before
    )
    assert any(p.startswith("attendance_marks/") for p in before)
    other_key = _key(OTHERS[0])
    other_before = _files_holding(other_key)
    assert not KpiRefresh.objects.exists()
    pupil = Pupil.objects.get(upn=GONE)
    client = login(world.user("trust_leader"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("data:pupil-erase", kwargs={"pk": pupil.pk}),
            {"confirm_upn": GONE, "reason": "SAR-2026-014 erasure request"},
        )
    assert response.status_code == 302
    assert _files_holding(key) == []
    assert not Pupil.objects.filter(upn=GONE).exists()
    # Everyone else's data is untouched, and every shard is current (no rebuild needed).
    assert _files_holding(other_key) == other_before
    assert Pupil.objects.filter(trust=world.trust_a).count() == 6
    store = analytics_store()
    assert store.stale_derived(world.trust_a.pk, YEAR) == []
    marks = pq.read_table(store.paths("attendance_marks", world.trust_a.pk)[0])
    assert marks.num_rows == 5 * 4 and other_key in set(marks["pupil_key"].to_pylist())
    # One audit row: counts per dataset, who and why, no pupil named.
    event = AuditEvent.objects.get(action="pupil_data_erase")
    assert event.actor == world.user("trust_leader") and event.school == world.school_a1
    assert event.after["partitions"] == {"characteristics": 1, "pupils": 1, "attendance_marks": 4}
    assert event.after["rollback_copies"] == {"attendance_marks": 4}
    assert event.after["reason"] == "SAR-2026-014 erasure request" and event.after[
        "academic_years"
    ] == [YEAR]
    assert GONE not in json.dumps(event.after) and key not in json.dumps(event.after)
    # The uploaded files that named the pupil are gone (an .xlsx and a UTF-16 CSV); A2's stays.
    uploads = dict(ImportBatch.objects.exclude(upload="").values_list("school__name", "upload"))
    assert list(uploads) == ["A2 Primary"] and len(event.after["uploaded_files_removed"]) == 2
    assert sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*.*")) == [
        Path(uploads["A2 Primary"]).name
    ]
    # The KPI values were recomputed without the pupil (5 pupils x 4 sessions).
    assert KpiRefresh.objects.count() == 1
    absence = KpiValue.objects.get(
        trust=world.trust_a,
        school=world.school_a1,
        academic_year=YEAR,
        kpi_code="overall_absence",
        level="school",
        period="year",
        group="all",
    )
    assert absence.pupils == 5 and absence.denominator == 20


def test_rolling_back_an_import_after_erasure_does_not_bring_the_pupil_back(stored):
    from trustwide.data.services import import_batch_rollback

    key = _key(GONE)
    erasure.pupil_erase(
        actor=None, actor_label="test", pupil=Pupil.objects.get(upn=GONE), reason="request"
    )
    latest = ImportBatch.objects.filter(dataset="attendance_marks").order_by("-pk").first()
    import_batch_rollback(actor=None, actor_label="test", batch=latest)
    assert _files_holding(key) == []
    marks = pq.read_table(analytics_store().paths("attendance_marks", stored.trust_a.pk)[0])
    assert set(marks["code"].to_pylist()) == {"I", "/"}  # the first batch's rows are back, 5 pupils
    assert marks.num_rows == 20


def test_erase_needs_the_upn_typed_and_a_reason(stored, login):
    pupil = Pupil.objects.get(upn=GONE)
    client = login(stored.user("trust_administrator"))
    url = reverse("data:pupil-erase", kwargs={"pk": pupil.pk})
    response = client.post(url, {"confirm_upn": OTHERS[0], "reason": "x"})
    assert (
        response.status_code == 400
        and "This is not the pupil&#x27;s UPN" in response.content.decode()
    )
    response = client.post(url, {"confirm_upn": GONE, "reason": ""})
    assert response.status_code == 400
    assert Pupil.objects.filter(upn=GONE).exists() and _files_holding(pupil.pupil_key)
    assert not AuditEvent.objects.filter(action="pupil_data_erase").exists()


@pytest.mark.parametrize("role", ["local_governor", "trustee", "peer_reviewer"])
def test_governors_trustees_and_peer_reviewers_are_refused(stored, login, role):
    pupil = Pupil.objects.get(upn=GONE)
    client = login(stored.user(role))
    assert (
        client.get(
            reverse("data:data-protection", kwargs={"slug": stored.trust_a.slug})
        ).status_code
        == 403
    )
    for name in ("data:pupil-data", "data:pupil-erase"):
        assert client.get(reverse(name, kwargs={"pk": pupil.pk})).status_code == 404
    assert (
        client.post(
            reverse("data:pupil-erase", kwargs={"pk": pupil.pk}),
            {"confirm_upn": GONE, "reason": "x"},
        ).status_code
        == 404
    )
    assert Pupil.objects.filter(upn=GONE).exists()


def test_pupil_access_without_the_data_protection_capability_cannot_erase(stored, login):
    pupil = Pupil.objects.get(upn=GONE)
    client = login(stored.user("headteacher"))
    assert client.get(reverse("data:pupil-data", kwargs={"pk": pupil.pk})).status_code == 200
    response = client.post(
        reverse("data:pupil-erase", kwargs={"pk": pupil.pk}), {"confirm_upn": GONE, "reason": "x"}
    )
    assert response.status_code == 403 and Pupil.objects.filter(upn=GONE).exists()


def test_other_trusts_lead_gets_404(stored, login):
    from tests.world import grant, make_user

    pupil = Pupil.objects.get(upn=GONE)
    other = make_user("trust_b_dpo")
    grant(other, "trust_administrator", trust=stored.trust_b)
    client = login(other)
    for name in ("data:pupil-data", "data:pupil-erase"):
        assert client.get(reverse(name, kwargs={"pk": pupil.pk})).status_code == 404
    assert (
        client.get(
            reverse("data:pupil-data-export", kwargs={"pk": pupil.pk, "fmt": "json"})
        ).status_code
        == 404
    )
    found = client.get(
        reverse("data:data-protection", kwargs={"slug": stored.trust_b.slug}), {"upn": GONE}
    )
    assert found.status_code == 200 and "No pupil with this UPN" in found.content.decode()


def test_find_by_upn_and_subject_access_export(stored, login):
    pupil = Pupil.objects.get(upn=GONE)
    client = login(stored.user("school_data_manager"))
    page = client.get(
        reverse("data:data-protection", kwargs={"slug": stored.trust_a.slug}), {"upn": GONE}
    )
    assert reverse("data:pupil-data", kwargs={"pk": pupil.pk}) in page.content.decode()
    held = client.get(reverse("data:pupil-data", kwargs={"pk": pupil.pk})).content.decode()
    assert "attendance_marks" in held and "Erase this pupil" not in held
    # Each look-up, the pupil's page and the export are in the access log, against this pupil.
    from trustwide.audit.models import PupilAccessKind, PupilDataAccess

    seen = list(
        PupilDataAccess.objects.filter(pupils__pupil_key=pupil.pupil_key)
        .order_by("pk")
        .values_list("kind", "actor__email")
    )
    who = stored.user("school_data_manager").email
    assert seen == [(PupilAccessKind.ACCESS_LOG, who), (PupilAccessKind.PUPIL_RECORD, who)]

    response = client.get(reverse("data:pupil-data-export", kwargs={"pk": pupil.pk, "fmt": "json"}))
    assert response["Content-Disposition"] == f'attachment; filename="pupil-{GONE}.json"'
    assert PupilDataAccess.objects.filter(
        kind=PupilAccessKind.SUBJECT_ACCESS, pupils__pupil_key=pupil.pupil_key
    ).exists()
    data = json.loads(response.content)
    assert data["app_database"]["data.Pupil"]["upn"] == GONE
    assert data["app_database"]["data.Pupil"]["date_of_birth"] == "2016-01-01"
    store = data["analytics_store"]
    assert {k: len(v) for k, v in store.items()} == {
        "characteristics": 1,
        "pupils": 1,
        "attendance_marks": 4,
    }
    assert {r["pupil_key"] for rows in store.values() for r in rows} == {pupil.pupil_key}
    assert (
        sorted(r["date"] for r in store["attendance_marks"])
        == ["2025-09-08"] * 2 + ["2025-09-09"] * 2
    )
    assert (
        len(data["rollback_copies"]["attendance_marks"]) == 4
    )  # the first import's rows, replaced
    assert sorted(u["file_name"] for u in data["uploaded_files"]) == [
        "attendance_marks.csv",
        "characteristics.csv",
    ]

    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse("data:pupil-data-export", kwargs={"pk": pupil.pk, "fmt": "csv"})
                ).content.decode()
            )
        )
    )
    assert {
        "source": "app_database",
        "dataset": "data.Pupil",
        "row": "1",
        "field": "surname",
        "value": "S0",
    } in rows
    assert (
        sum(
            1
            for r in rows
            if r["dataset"] == "attendance_marks"
            and r["field"] == "code"
            and r["source"] == "analytics_store"
        )
        == 4
    )
    # Each export is audited, without naming the pupil.
    events = AuditEvent.objects.filter(action="pupil_data_export")
    assert (
        events.count() == 2
        and events[0].after["pupil_id"] == pupil.pk
        and GONE not in json.dumps(events[0].after)
    )


def test_retention_job_erases_pupils_who_left_long_enough_ago(
    stored, django_capture_on_commit_callbacks
):
    world = stored
    cap = django_capture_on_commit_callbacks
    # Two pupils left (one in 2019, one last month); the rest are on roll.
    with batch_signals_suspended():
        _import(
            world,
            "characteristics",
            _chars(world.school_a1.urn, [OTHERS[3]], left="20/07/2019"),
            cap,
        )
        _import(
            world,
            "characteristics",
            _chars(world.school_a1.urn, [OTHERS[4]], left="20/07/2026"),
            cap,
        )
    old_key, recent_key = _key(OTHERS[3]), _key(OTHERS[4])
    erasure.retention_rule_set(
        actor=world.user("trust_administrator"), trust=world.trust_a, years_after_leaving=6
    )
    assert AuditEvent.objects.filter(
        object_type="data.pupilretentionrule", action="create"
    ).exists()
    now = datetime.datetime(2026, 9, 1, 3, 0, tzinfo=datetime.UTC)
    with cap(execute=True):
        assert ("pupil-data-retention", "2026-09-01") in run_due(now)
    assert _files_holding(old_key) == [] and not Pupil.objects.filter(upn=OTHERS[3]).exists()
    assert _files_holding(recent_key) and Pupil.objects.filter(upn=OTHERS[4]).exists()
    event = AuditEvent.objects.get(action="pupil_data_erase")
    assert event.actor_label == "retention rule" and event.after["pupils"] == 1
    assert "more than 6 years" in event.after["reason"]
    # Once a day (the hourly import sweep is due again, the retention job is not).
    assert "pupil-data-retention" not in [
        job for job, _ in run_due(now + datetime.timedelta(hours=1))
    ]


def test_no_retention_job_without_a_rule(stored):
    assert not PupilRetentionRule.objects.exists()
    started = run_due(datetime.datetime(2026, 9, 1, 3, 0, tzinfo=datetime.UTC))
    assert "pupil-data-retention" not in {job for job, _period in started}


def test_only_the_trust_level_lead_sets_the_retention_rule(stored, login):
    url = reverse("data:retention-rule", kwargs={"slug": stored.trust_a.slug})
    assert (
        login(stored.user("headteacher")).post(url, {"years_after_leaving": 3}).status_code == 403
    )
    response = login(stored.user("trust_leader")).post(url, {"years_after_leaving": 51})
    assert response.status_code == 302 and not PupilRetentionRule.objects.exists()
    login(stored.user("trust_leader")).post(url, {"years_after_leaving": 7})
    assert PupilRetentionRule.objects.get(trust=stored.trust_a).years_after_leaving == 7


def test_erasure_reaches_files_written_around_the_store_and_their_shards(stored):
    """A bulk load put a second file beside data.parquet; the shards were rebuilt from both."""
    import shutil

    store = analytics_store()
    key, other = _key(GONE), _key(OTHERS[0])
    [marks] = store.paths("attendance_marks", stored.trust_a.pk)
    bulk = Path(marks).parent / "bulk" / "2025-load.parquet"
    bulk.parent.mkdir()
    shutil.copy(marks, bulk)
    assert store.ensure_derived(stored.trust_a.pk, YEAR)
    assert any("bulk" in p for p in _files_holding(key))
    erasure.pupil_erase(
        actor=None, actor_label="test", pupil=Pupil.objects.get(upn=GONE), reason="request"
    )
    assert _files_holding(key) == []
    assert other in set(pq.read_table(bulk)["pupil_key"].to_pylist())
