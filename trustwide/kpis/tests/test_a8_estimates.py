"""DfE's Attainment 8 estimates: the importer on hand-made files in DfE's published shape, and
Progress 8 on a school's stored KPIs once a verified table is loaded.

The estimates below are written for the test, not DfE's figures.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trustwide.audit.models import AuditAction, AuditEvent
from trustwide.data.models import ImportStatus
from trustwide.data.services import import_batch_create, import_batch_run
from trustwide.kpis.a8_estimates import (
    EstimatesFileError,
    estimate_rows,
    import_estimates,
    parse_estimates,
)
from trustwide.kpis.models import A8Estimate, A8EstimateTable, KpiValue

YEAR = 2023
SOURCE = "https://example.org/test-estimates"

# One row per KS2 score, as DfE lays its table out: a title line, the element estimates
# (ignored) and the minimum pupil Progress 8 score of the prior attainment group.
GOOD = """\
Attainment 8 estimates for pupils at the end of KS4 in 2023/24 (test figures),,,,,,,
,,,,,,,
Prior attainment group,KS2 prior attainment,Attainment 8 estimate,English,Maths,EBacc,Open,Minimum Progress 8 score
10,99.0,44.0,9.1,8.9,13.0,13.0,-2.5
10,99.5,45.0,9.2,9.0,13.4,13.4,-2.5
11,100.0,46.0,9.4,9.2,13.7,13.7,-2.6
11,100.5,47.0,9.6,9.4,14.0,14.0,-2.6
"""


def _write(tmp_path, text, name="a8_estimates_2024.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_parses_dfes_shape_one_score_per_row(tmp_path):
    parsed = parse_estimates(_write(tmp_path, GOOD))
    # Each score covers up to the next row's; the last one its own tenth.
    assert [(str(lo), str(hi), e, lim) for _g, lo, hi, e, lim in parsed.rows] == [
        ("99.0", "99.5", 44.0, -2.5),
        ("99.5", "100.0", 45.0, -2.5),
        ("100.0", "100.5", 46.0, -2.6),
        ("100.5", "100.6", 47.0, -2.6),
    ]
    assert [g for g, *_ in parsed.rows] == ["10", "10", "11", "11"]
    assert parsed.has_limits
    assert parsed.ignored == ["English", "Maths", "EBacc", "Open"]


def test_parses_ranges_without_limits(tmp_path):
    text = "KS2 lower,KS2 upper,A8 estimate\n80,90,20.5\n90,100.5,40\n"
    parsed = parse_estimates(_write(tmp_path, text))
    assert [(float(lo), float(hi), e, lim) for _g, lo, hi, e, lim in parsed.rows] == [
        (80.0, 90.0, 20.5, None),
        (90.0, 100.5, 40.0, None),
    ]
    assert not parsed.has_limits


def test_bad_rows_are_named_by_file_row_column_and_expected_value(tmp_path):
    text = GOOD.replace("10,99.5,45.0", "10,abc,45.0").replace(
        "11,100.0,46.0,9.4,9.2,13.7,13.7,-2.6", "11,100.0,95,9.4,9.2,13.7,13.7,1.5"
    )
    text += "12,100.25,48,1,1,1,1,\n12,99.0,48,1,1,1,1,\n"
    with pytest.raises(EstimatesFileError) as exc:
        parse_estimates(_write(tmp_path, text, "bad.csv"))
    assert str(exc.value).splitlines() == [
        "Nothing imported:",
        "bad.csv row 5, column 'KS2 prior attainment': expected a KS2 score in tenths of a "
        "point, from 0 to 120, got 'abc'",
        "bad.csv row 6, column 'Attainment 8 estimate': expected an Attainment 8 estimate from "
        "0 to 90, got '95'",
        "bad.csv row 6, column 'Minimum Progress 8 score': expected a minimum Progress 8 score "
        "from -10 to 0, or blank, got '1.5'",
        "bad.csv row 8, column 'KS2 prior attainment': expected a KS2 score in tenths of a "
        "point, from 0 to 120, got '100.25'",
        "bad.csv row 9, column 'KS2 prior attainment': expected a KS2 score above 100.5, "
        "got '99.0'",
    ]


def test_overlapping_ranges_and_a_file_without_the_columns_are_refused(tmp_path):
    text = "ks2_low,ks2_high,a8_estimate\n80,95,20\n90,100,40\n"
    with pytest.raises(EstimatesFileError, match=r"row 3, column 'ks2_low': expected a range "):
        parse_estimates(_write(tmp_path, text, "ranges.csv"))
    with pytest.raises(EstimatesFileError, match="no header row with an Attainment 8 estimate"):
        parse_estimates(_write(tmp_path, "URN,School,Progress 8\n1,A,0.1\n", "p8.csv"))
    # A gap between ranges would leave pupils whose KS2 score falls in it without an estimate.
    gap = "ks2_low,ks2_high,a8_estimate\n80,95,20\n96,100,40\n"
    with pytest.raises(EstimatesFileError, match=r"gap.csv row 3, column 'ks2_low': expected 95"):
        parse_estimates(_write(tmp_path, gap, "gap.csv"))


def test_a_file_that_is_not_utf8_is_refused_naming_the_row(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(
        ("ks2_low,ks2_high,a8_estimate\n" + "80,81,20\n" * 2000).encode()
        + "90,91,40 £\n".encode("cp1252")
    )
    with pytest.raises(EstimatesFileError, match=r"latin.csv row 2002: not UTF-8 text"):
        parse_estimates(path)


@pytest.mark.django_db
def test_import_replaces_the_year_all_or_nothing_and_is_audited(tmp_path):
    table, _parsed = import_estimates(
        path=_write(tmp_path, GOOD), ks4_year=YEAR, source=SOURCE, verified=True
    )
    assert (table.verified, table.has_limits, table.source) == (True, True, SOURCE)
    assert estimate_rows(YEAR) == [
        (99.0, 99.5, 44.0, -2.5),
        (99.5, 100.0, 45.0, -2.5),
        (100.0, 100.5, 46.0, -2.6),
        (100.5, 100.6, 47.0, -2.6),
    ]
    event = AuditEvent.objects.get(action=AuditAction.IMPORT, object_id=str(table.pk))
    assert event.after["rows"] == 4 and event.before is None
    # A bad file for the same year changes nothing.
    bad = _write(tmp_path, GOOD + "12,101.0,not a number,,,,,\n", "bad.csv")
    with pytest.raises(EstimatesFileError, match="bad.csv row 8, column 'Attainment 8 estimate'"):
        import_estimates(path=bad, ks4_year=YEAR, source="other", verified=True)
    assert A8EstimateTable.objects.get(ks4_year=YEAR).source == SOURCE
    assert A8Estimate.objects.filter(table__ks4_year=YEAR).count() == 4
    # A good one replaces it; unverified figures are kept but not used.
    text = "KS2 lower,KS2 upper,A8 estimate\n80,120.1,30\n"
    import_estimates(path=_write(tmp_path, text), ks4_year=YEAR, source="draft", verified=False)
    assert A8Estimate.objects.filter(table__ks4_year=YEAR).count() == 1
    assert estimate_rows(YEAR) == []
    replaced = AuditEvent.objects.filter(action=AuditAction.IMPORT).latest("at")
    assert replaced.before["source"] == SOURCE and replaced.after["rows"] == 1


@pytest.mark.django_db
def test_command_imports_and_reports_refusals(tmp_path):
    out = io.StringIO()
    call_command(
        "a8estimates",
        "import",
        year=YEAR,
        file=str(_write(tmp_path, GOOD)),
        source=SOURCE,
        verified=True,
        stdout=out,
    )
    assert "KS4 2023/24: 4 KS2 ranges" in out.getvalue()
    assert "with DfE's minimum pupil scores" in out.getvalue()
    assert "Ignored: 'English', 'Maths', 'EBacc', 'Open'." in out.getvalue()
    with pytest.raises(CommandError, match="not UTF-8 text"):
        latin = tmp_path / "latin.csv"
        latin.write_bytes(GOOD.replace("test figures", "£ figures").encode("cp1252"))
        call_command("a8estimates", "import", year=YEAR, file=str(latin), source=SOURCE)
    with pytest.raises(CommandError, match="import needs --year, --file and --source"):
        call_command("a8estimates", "import", year=YEAR, file="x.csv")
    with pytest.raises(CommandError, match="no header row"):
        call_command(
            "a8estimates",
            "import",
            year=YEAR,
            file=str(_write(tmp_path, "a,b\n1,2\n", "x.csv")),
            source=SOURCE,
        )


# Year 11 pupils of school A1 with an Attainment 8 total and KS2 prior attainment:
# (prior, A8) -> Progress 8 against GOOD: (A8 - estimate) / 10, the cap at the group's minimum.
PUPILS = [
    (99.0, 50, 0.6),  # (50 - 44) / 10
    (99.5, 40, -0.5),  # (40 - 45) / 10
    (100.0, 46, 0.0),
    (100.0, 15, -2.6),  # (15 - 46) / 10 = -3.1, below the minimum -2.6: counts as -2.6
    (100.5, 57, 1.0),
    (100.5, 47, 0.0),
]


def _import(world, dataset, text, capture):
    batch = import_batch_create(
        actor=None,
        actor_label="test",
        trust=world.trust_a,
        school=world.school_a1,
        dataset=dataset,
        academic_year=YEAR,
        file_name=f"{dataset}.csv",
    )
    with capture(execute=True):
        batch = import_batch_run(
            batch=batch, source=text.encode(), today=datetime.date(2024, 8, 31)
        )
    assert batch.status == ImportStatus.STORED, batch.errors


@pytest.mark.django_db
def test_progress8_appears_on_the_schools_kpis_once_estimates_are_loaded(
    world, tmp_path, django_capture_on_commit_callbacks
):
    from tests.world import make_year

    make_year(world.trust_a, YEAR, current=False)
    urn = world.school_a1.urn
    upns = [f"A1234567890{i:02d}" for i in range(len(PUPILS))]
    chars = "URN,UPN,Surname,Forename,DOB,Year group,Sex,Disadvantaged,FSM,SEN,EAL\n" + "".join(
        f"{urn},{u},S{i},F{i},01/06/2008,11,F,N,N,N,N\n" for i, u in enumerate(upns)
    )
    _import(world, "characteristics", chars, django_capture_on_commit_callbacks)
    results = "URN,UPN,Measure,Result\n" + "".join(
        f"{urn},{u},KS4_ATT8,{a8}\n{urn},{u},KS4_KS2_PRIOR,{prior}\n"
        for u, (prior, a8, _p8) in zip(upns, PUPILS, strict=True)
    )
    _import(world, "statutory", results, django_capture_on_commit_callbacks)

    def progress8():
        return KpiValue.objects.filter(
            trust=world.trust_a,
            school=world.school_a1,
            academic_year=YEAR,
            kpi_code="ks4_progress8",
            period="year",
            group="all",
        ).first()

    assert progress8() is None  # no estimates yet: no figure rather than a wrong one
    # The import recomputes every trust with that year (here by the background task).
    with django_capture_on_commit_callbacks(execute=True):
        import_estimates(path=_write(tmp_path, GOOD), ks4_year=YEAR, source=SOURCE, verified=True)
    value = progress8()
    assert value.pupils == 6
    assert value.value == pytest.approx(sum(p8 for *_x, p8 in PUPILS) / 6)  # -1.5 / 6
    assert value.value == pytest.approx(-0.25)
