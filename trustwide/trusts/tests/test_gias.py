"""The GIAS importer on files built from GIAS's real header: valid file, bad rows that refuse the
whole file, another trust's URN, re-import changes and closures, encodings, the command."""

import datetime
import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tests.world import make_school
from trustwide.audit.models import AuditEvent
from trustwide.trusts import gias, services
from trustwide.trusts.models import School, SchoolLink

from .gias_files import LINKS_FILE, establishment, gias_bytes, header, national_file

pytestmark = pytest.mark.django_db

CODE = "4015"


def trust_rows():
    return [
        establishment(149001, name="Ashgrove Primary Académie"),  # é: cp1252 in GIAS's files
        establishment(
            149002,
            name="Beech Secondary",
            **{
                "PhaseOfEducation (code)": "4",
                "StatutoryLowAge": "11",
                "StatutoryHighAge": "18",
                "OfficialSixthForm (code)": "1",
            },
        ),
        establishment(
            149003,
            name="Cedar Special",
            **{
                "PhaseOfEducation (code)": "0",
                "PhaseOfEducation (name)": "Not applicable",
                "TypeOfEstablishment (code)": "44",
                "TypeOfEstablishment (name)": "Academy special converter",
            },
        ),
        establishment(
            149004,
            name="Closed Long Ago",
            **{
                "EstablishmentStatus (code)": "2",
                "EstablishmentStatus (name)": "Closed",
                "CloseDate": "31-08-2018",
            },
        ),
    ]


def read(data: bytes, **kwargs):
    return gias.read_establishments(io.BytesIO(data), **{"trust_code": CODE, **kwargs})


def test_valid_file_previews_then_creates_the_trusts_open_schools_with_audit(world):
    trust = world.trust_a
    result = read(national_file(300, trust_rows()))
    assert result.errors == [] and result.rows_read == 304 and result.encoding == "cp1252"
    plan = gias.plan_import(trust, result.establishments)
    assert [(c.action, c.establishment.urn) for c in plan.changes] == [
        ("create", 149001),
        ("create", 149002),
        ("create", 149003),
    ]
    assert plan.skipped_closed == 1
    assert not School.objects.filter(
        urn__in=[149001, 149002, 149003]
    ).exists()  # preview writes nothing

    before = AuditEvent.objects.count()
    services.gias_import_apply(
        actor=world.user("trust_administrator"),
        trust=trust,
        establishments=result.establishments,
        trust_code=CODE,
    )
    ash = School.objects.get(urn=149001)
    assert ash.trust == trust and ash.name == "Ashgrove Primary Académie"
    assert (ash.la_code, ash.establishment_number, ash.ukprn) == ("383", "9001", "10012345")
    assert (ash.phase, ash.age_low, ash.age_high, ash.academy_type) == (
        "primary",
        4,
        11,
        "converter",
    )
    assert ash.has_nursery and not ash.has_sixth_form and ash.headteacher == "Ann Smith"
    assert (ash.street, ash.town, ash.postcode) == ("1 High Street", "Leeds", "LS1 1AA")
    assert ash.joined_trust_on == datetime.date(2015, 9, 1)
    assert School.objects.get(urn=149002).has_sixth_form
    assert School.objects.get(urn=149003).phase == "special"
    # GIAS's last graded inspection fills the school's latest inspection.
    assert ash.latest_inspection.grades == {"overall-effectiveness": "Good"}
    assert ash.latest_inspection.inspected_on == datetime.date(2019, 3, 12)
    events = AuditEvent.objects.order_by("pk")[before:]
    creates = [e for e in events if e.action == "create" and e.object_type == "trusts.school"]
    assert {e.after["urn"] for e in creates} == {149001, 149002, 149003}
    assert all(e.actor == world.user("trust_administrator") for e in creates)
    summary = [e for e in events if e.action == "import"]
    assert len(summary) == 1 and summary[0].after["create"] == 3 and summary[0].trust_id == trust.pk
    trust.refresh_from_db()
    assert trust.gias_group_uid == CODE


def test_utf8_with_and_without_bom_and_choice_by_trust_name(world):
    rows = [establishment(149101, name="Ysgol Ñandu")]
    for data in (gias_bytes(rows, encoding="utf-8"), gias_bytes(rows, encoding="utf-8-sig")):
        result = gias.read_establishments(io.BytesIO(data), trust_name="oak learning trust")
        assert result.errors == [] and result.encoding == "utf-8-sig"
        assert result.establishments[0].fields["name"] == "Ysgol Ñandu"


def test_a_file_with_other_headers_is_refused_naming_the_missing_columns(world):
    data = gias_bytes([{"urn": "1"}], columns=["urn", "name", "phase"])
    errors = read(data).errors
    assert len(errors) == 1 and errors[0].row == 1 and errors[0].column == "header"
    assert "URN" in str(errors[0]) and "all establishment data" in str(errors[0])


def test_a_trust_code_matching_nothing_says_so(world):
    errors = read(gias_bytes(trust_rows()), trust_code="9999").errors
    assert [str(e) for e in errors] == [
        "Column 'Trusts (code)': '9999' - expected a value found in the file's 'Trusts (code)' column."
    ]


def test_duplicate_urns_and_a_school_without_a_phase_name_row_column_and_expected(world):
    rows = trust_rows()[:2] + [
        establishment(149001, name="Again"),
        establishment(
            149005, **{"PhaseOfEducation (code)": "0", "PhaseOfEducation (name)": "Not applicable"}
        ),
        establishment(149006, StatutoryLowAge="four", OpenDate="2015-09-01"),
    ]
    errors = read(gias_bytes(rows)).errors
    text = [str(e) for e in errors]
    assert "Row 4, column 'URN': '149001' - expected each URN once (also on row 2)." in text
    phase = next(e for e in errors if e.column == "PhaseOfEducation (code)")
    assert (
        phase.row == 5
        and phase.value == "0 (Not applicable)"
        and "phase code 1-7" in phase.expected
    )
    assert any(e.row == 6 and e.column == "StatutoryLowAge" for e in errors)
    assert any(e.row == 6 and e.column == "OpenDate" and "dd-mm-yyyy" in e.expected for e in errors)


def test_a_urn_held_by_another_trust_refuses_the_whole_file(world):
    make_school(world.trust_b, urn=149002, name="Beech elsewhere")
    result = read(gias_bytes(trust_rows()))
    plan = gias.plan_import(world.trust_a, result.establishments)
    assert [(e.row, e.column) for e in plan.errors] == [(3, "URN")]
    assert "Trust B" in str(plan.errors[0])
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.gias_import_apply(
            actor=world.user("trust_administrator"),
            trust=world.trust_a,
            establishments=result.establishments,
            trust_code=CODE,
        )
    assert "Row 3, column 'URN'" in exc.value.messages[0]
    assert not School.objects.filter(urn__in=[149001, 149003]).exists()  # nothing half-created
    assert AuditEvent.objects.count() == before


def test_a_failing_row_rolls_back_schools_already_written(world):
    rows = trust_rows()[:2]
    result = read(gias_bytes(rows))
    # A row the file check passed but the model refuses (upper age below lower age).
    result.establishments[1].fields["age_high"] = 3
    with pytest.raises(ValidationError) as exc:
        services.gias_import_apply(
            actor=None,
            actor_label="test",
            trust=world.trust_a,
            establishments=result.establishments,
        )
    assert exc.value.messages[0].startswith("Row 3 (URN 149002)")
    assert not School.objects.filter(urn=149001).exists()


def test_reimport_updates_names_heads_phases_and_closures_and_reports_them(world):
    admin = world.user("trust_administrator")
    first = read(gias_bytes(trust_rows()))
    services.gias_import_apply(
        actor=admin, trust=world.trust_a, establishments=first.establishments
    )
    rows = trust_rows()
    rows[0].update(
        {"EstablishmentName": "Ashgrove Primary", "HeadFirstName": "Raj", "HeadLastName": "Patel"}
    )
    rows[1].update({"PhaseOfEducation (code)": "7", "PhaseOfEducation (name)": "All-through"})
    rows[2].update(
        {
            "EstablishmentStatus (code)": "2",
            "EstablishmentStatus (name)": "Closed",
            "CloseDate": "31-12-2025",
        }
    )
    second = read(gias_bytes(rows))
    plan = services.gias_import_apply(
        actor=admin, trust=world.trust_a, establishments=second.establishments
    )
    by_urn = {c.establishment.urn: c for c in plan.changes}
    assert by_urn[149001].action == "update"
    assert by_urn[149001].changes == {
        "name": ("Ashgrove Primary Académie", "Ashgrove Primary"),
        "headteacher": ("Ann Smith", "Raj Patel"),
    }
    assert by_urn[149002].changes == {"phase": ("secondary", "all_through")}
    assert by_urn[149003].action == "close"
    cedar = School.objects.get(urn=149003)
    assert cedar.left_trust_on == datetime.date(2025, 12, 31)
    close = AuditEvent.objects.get(action="close", object_id=str(cedar.pk))
    assert close.after["left_trust_on"] == "2025-12-31" and close.actor == admin
    # A third import of the same file changes nothing.
    third = services.gias_import_apply(
        actor=admin, trust=world.trust_a, establishments=read(gias_bytes(rows)).establishments
    )
    assert third.count("update") == third.count("close") == third.count("create") == 0


def test_import_is_refused_to_a_headteacher(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.gias_import_apply(
            actor=world.user("headteacher"),
            trust=world.trust_a,
            establishments=read(gias_bytes(trust_rows())).establishments,
        )


def test_links_file_records_predecessors_from_the_real_file(world):
    # In the real links file, URN 100021's predecessor is 100012 ("Predecessor - merged", 31-08-2021).
    school = make_school(world.trust_a, urn=100021, name="Rhyl")
    with LINKS_FILE.open("rb") as handle:
        links, errors = gias.read_predecessor_links(handle, {100021})
    assert errors == []
    assert (100021, 100012, "Predecessor - merged", datetime.date(2021, 8, 31)) in [
        (lk.urn, lk.predecessor_urn, lk.link_type, lk.linked_on) for lk in links
    ]
    created = services.school_links_import(
        actor=world.user("trust_administrator"), trust=world.trust_a, links=links
    )
    assert SchoolLink.objects.filter(school=school, predecessor_urn=100012).exists()
    event = AuditEvent.objects.get(object_type="trusts.schoollink", object_id=str(created[0].pk))
    assert event.action == "create" and event.school_id == school.pk
    # Importing again adds nothing.
    assert (
        services.school_links_import(actor=None, actor_label="t", trust=world.trust_a, links=links)
        == []
    )


def test_command_dry_run_writes_nothing_then_imports(world, tmp_path):
    path = tmp_path / "edubasealldata.csv"
    path.write_bytes(gias_bytes(trust_rows()))
    out = io.StringIO()
    call_command(
        "gias",
        "import",
        str(path),
        "--trust",
        "trust-a",
        "--trust-code",
        CODE,
        "--dry-run",
        stdout=out,
    )
    assert "Would import from 4 rows (cp1252): 3 added" in out.getvalue()
    assert not School.objects.filter(urn=149001).exists()
    call_command(
        "gias", "import", str(path), "--trust", "trust-a", "--trust-code", CODE, stdout=out
    )
    assert School.objects.filter(trust=world.trust_a, urn__in=[149001, 149002, 149003]).count() == 3
    with pytest.raises(CommandError, match="expected a value found"):
        call_command("gias", "import", str(path), "--trust", "trust-a", "--trust-code", "1")


def test_a_national_sized_file_previews_in_a_few_seconds(world):
    data = national_file(50_000, trust_rows())
    assert len(header()) > 130 and len(data) > 25_000_000
    started = time.perf_counter()
    result = read(data)
    gias.plan_import(world.trust_a, result.establishments)
    elapsed = time.perf_counter() - started
    assert result.errors == [] and len(result.establishments) == 4
    assert elapsed < 8, f"50,000 rows took {elapsed:.1f}s"
