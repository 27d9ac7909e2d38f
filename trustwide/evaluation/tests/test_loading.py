"""Framework files load into the database on migrate and by command, idempotently."""

import shutil

import pytest
import yaml
from django.core.management import CommandError, call_command

from trustwide.audit.models import AuditEvent
from trustwide.evaluation.framework_files import FRAMEWORKS_DIR, framework_file_paths
from trustwide.evaluation.models import Framework
from trustwide.evaluation.services import FrameworkLoadError, frameworks_load

from .factories import EIF, make_sef


def builtin_rows():
    return sorted(
        Framework.objects.filter(trust__isnull=True).values_list("code", "version", "fingerprint")
    )


def test_migrate_loaded_every_shipped_framework(db):
    codes = {code for code, _v, _f in builtin_rows()}
    assert codes == {p.stem for p in framework_file_paths(FRAMEWORKS_DIR)}
    assert Framework.objects.get(code="ofsted-report-card-2025").kind == "inspection"
    assert (
        Framework.objects.get(code="trust-self-review-10-ways").spec.fields[0].code
        == "current_position"
    )


def test_loading_twice_creates_no_duplicates_and_no_events(db):
    before = builtin_rows()
    events = AuditEvent.objects.count()
    first = frameworks_load()
    second = frameworks_load()
    assert {o.outcome for o in first + second} == {"unchanged"}
    assert builtin_rows() == before and len(before) == 4
    assert AuditEvent.objects.count() == events


def test_load_frameworks_command_is_idempotent(db, capsys):
    call_command("load_frameworks")
    call_command("load_frameworks")
    out = capsys.readouterr().out
    assert out.count("ofsted-eif-2019 version 1: unchanged") == 2
    assert Framework.objects.filter(code="ofsted-eif-2019").count() == 1


def _copy_file(tmp_path, code, mutate):
    path = tmp_path / f"{code}.yaml"
    data = yaml.safe_load((FRAMEWORKS_DIR / f"{code}.yaml").read_text())
    for key in ("in_use_from", "in_use_until"):
        if key in data:
            data[key] = str(data[key])
    mutate(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_changed_file_not_in_use_is_updated_in_place(db, tmp_path):
    path = _copy_file(
        tmp_path, EIF, lambda d: d["areas"][0].update(name="Quality of education (edited)")
    )
    [outcome] = frameworks_load([path])
    assert outcome.outcome == "updated"
    row = Framework.objects.get(code=EIF)
    assert row.spec.areas[0].name == "Quality of education (edited)"
    # Shipped data, like a data migration: its history is the file's version control.
    assert not AuditEvent.objects.filter(object_type="evaluation.framework").exists()


def test_changed_file_in_use_is_refused_until_the_version_is_raised(world, tmp_path):
    make_sef(world.school_a1, code=EIF)
    original = Framework.objects.get(code=EIF).fingerprint
    path = _copy_file(tmp_path, EIF, lambda d: d["areas"][0].update(name="Edited"))
    with pytest.raises(FrameworkLoadError) as caught:
        frameworks_load([path])
    message = str(caught.value)
    assert "ofsted-eif-2019.yaml: version 1 has changed" in message and "raised to 2" in message
    assert Framework.objects.get(code=EIF).fingerprint == original

    path = _copy_file(
        tmp_path, EIF, lambda d: (d["areas"][0].update(name="Edited"), d.update(version=2))
    )
    [outcome] = frameworks_load([path])
    assert (outcome.version, outcome.outcome) == (2, "created")
    v1, v2 = Framework.objects.filter(code=EIF).order_by("version")
    assert (v1.is_active, v2.is_active) == (False, True)
    assert v1.fingerprint == original and v2.spec.areas[0].name == "Edited"


def test_a_file_that_breaks_the_schema_loads_nothing(db, tmp_path):
    good = tmp_path / "trust-four-characteristics.yaml"
    shutil.copy(FRAMEWORKS_DIR / "trust-four-characteristics.yaml", good)
    bad = _copy_file(
        tmp_path,
        "ofsted-report-card-2025",
        lambda d: (d["areas"][0].update(scale="five-point"), d.update(version=3)),
    )
    before = builtin_rows()
    with pytest.raises(FrameworkLoadError) as caught:
        frameworks_load([good, bad])
    assert (
        "ofsted-report-card-2025.yaml: areas[0].scale: 'five-point' is not a scale defined in this file"
        in str(caught.value)
    )
    assert "Nothing was loaded" in str(caught.value)
    assert builtin_rows() == before


def test_command_reports_a_broken_file_clearly(db, tmp_path):
    bad = _copy_file(tmp_path, EIF, lambda d: d["scales"][0]["grades"][0].update(rank=7))
    with pytest.raises(
        CommandError, match=r"ofsted-eif-2019.yaml: scales\[0\].grades: ranks are 7, 2, 3, 4"
    ):
        call_command("load_frameworks", str(bad))
    with pytest.raises(CommandError, match="ranks are 7"):
        call_command("load_frameworks", "--check", str(bad))
