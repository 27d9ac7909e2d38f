"""The benchmark importer on DfE's real school-level files (skipped with a reason when they
are not beside the repository) and on hand-made files in the explore-education-statistics
tidy format."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from trustwide.kpis.models import SchoolPerformance
from trustwide.kpis.performance_import import import_performance_tables
from trustwide.kpis.performance_tables import (
    Marker,
    PerformanceTableError,
    Value,
    read_performance_table,
)

DATA = Path(
    os.environ.get(
        "TRUSTWIDE_PERFORMANCE_TABLES_DIR",
        Path(__file__).resolve().parents[4] / "shared" / "data" / "dfe_performance_tables_2018_19",
    )
)
needs_data = pytest.mark.skipif(not DATA.exists(), reason=f"real DfE files not found at {DATA}")


@needs_data
def test_real_ks4_destinations_file_is_read_national_and_la_rows_recognised_names_ignored():
    table = read_performance_table(DATA / "england_ks4-pupdest.csv")
    assert table.families == ["KS4 destinations"]
    assert {"SCHNAME", "NFTYPE", "ICLOSE"} <= set(table.ignored)
    assert "SCHNAME" not in table.measures and "OVERALL_DESTPER" in table.measures
    # The one NAT row: 94% sustained nationally (README), never a school.
    assert table.national["all"]["OVERALL_DESTPER"] == Value(number=94.0)
    assert table.local_authorities["938"]["COHORT"] == Value(number=7793.0)
    assert 3000 < len(table.schools) < 4000
    # Markers kept distinct from zero and from each other.
    ucl = table.schools[137181].values
    assert ucl["OVERALL_DESTPER"] == Value(number=94.0)
    small = table.schools[135814].values
    assert small["OVERALL_DEST"] == Value(marker=Marker.SUPP)
    assert table.schools[100052].values["APPRENPER"] == Value(marker=Marker.SP)
    assert table.schools[100052].values["APPREN"] == Value(number=1.0)


@needs_data
def test_real_destinations_import_loads_sustained_destinations_and_says_what(db, capsys):
    call_command(
        "benchmarks",
        "import",
        "--year",
        "2018",
        "--measures",
        str(DATA / "england_ks4-pupdest.csv"),
        "--census",
        str(DATA / "england_census.csv"),
    )
    out = capsys.readouterr().out
    assert out.startswith(
        "2018/19 (performance tables format): measures found: KS4 destinations; "
        "loaded transition_sustained from OVERALL_DESTPER"
    )
    assert "national rows: transition_sustained: all 94" in out
    assert "descriptive columns ignored: ICLOSE, SCHNAME, NFTYPE" in out
    stored = SchoolPerformance.objects.filter(kpi_code="transition_sustained", academic_year=2018)
    assert stored.filter(urn=137181).get().value == 94.0
    assert stored.filter(urn=137181).get().school_name  # SCHNAME kept to name similar schools
    from trustwide.kpis.national import lookup

    match = lookup(measure="transition_sustained", academic_year=2018, phase="secondary")
    assert match.value == 94.0 and match.row.verified
    assert match.row.source == "DfE school-level file england_ks4-pupdest.csv, national row"
    assert stored.filter(marker="SUPP", value__isnull=True).exists()
    assert not stored.filter(marker="SUPP", value__isnull=False).exists()
    assert stored.filter(phase="secondary").count() > 2500


@needs_data
def test_real_absence_import_keeps_markers_and_national_rows_out_of_schools(db):
    result = import_performance_tables(
        academic_year=2018,
        measures_path=DATA / "england_abs.csv",
        census_path=DATA / "england_census.csv",
    )
    assert result["national"]["overall_absence"] == {
        "primary": Value(number=4.0),
        "secondary": Value(number=5.5),
        "special": Value(number=10.1),
    }
    assert result["families"] == ["absence"] and result["year"] == 2018
    assert not SchoolPerformance.objects.filter(urn=0).exists()


TIDY = """time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,\
old_la_code,new_la_code,la_name,school_urn,school_laestab,school_name,phase_type_grouping,\
sess_overall_percent,enrolments_pa_10_exact_percent
202425,Academic year,National,E92000001,England,,,,,,,,,,6.9,17.8
202425,Academic year,Regional,E92000001,England,E12000001,North East,,,,,,,,7.1,18.9
202425,Academic year,Local authority,E92000001,England,E12000001,North East,841,E06000005,Darlington,,,,,7.0,18.0
202425,Academic year,School,E92000001,England,E12000001,North East,841,E06000005,Darlington,114001,8412001,Alpha Primary,State-funded primary,4.2,10.5
202425,Academic year,School,E92000001,England,E12000001,North East,841,E06000005,Darlington,114002,8414001,"Beta School, Town",State-funded secondary,c,z
202425,Academic year,School,E92000001,England,E12000001,North East,841,E06000005,Darlington,114003,8412002,Gamma Primary,State-funded primary,0,x
"""


def test_tidy_file_is_read_by_geographic_level_with_markers_and_year(tmp_path, db):
    path = tmp_path / "absence_tidy.csv"
    path.write_text(TIDY, encoding="utf-8")
    table = read_performance_table(path)
    assert table.format == "explore education statistics" and table.years == {2024}
    assert table.national["all"]["sess_overall_percent"] == Value(number=6.9)
    assert set(table.local_authorities) == {"841"} and len(table.other) == 1  # the regional row
    assert set(table.schools) == {114001, 114002, 114003}
    assert {"country_name", "region_name", "la_name", "school_name", "phase_type_grouping"} <= set(
        table.ignored
    )
    beta, gamma = table.schools[114002].values, table.schools[114003].values
    assert beta["sess_overall_percent"] == Value(marker=Marker.C)
    assert beta["enrolments_pa_10_exact_percent"] == Value(marker=Marker.Z)
    assert gamma["sess_overall_percent"] == Value(number=0.0)  # zero is a number, not a marker
    assert gamma["enrolments_pa_10_exact_percent"] == Value(marker=Marker.X)

    result = import_performance_tables(measures_path=path)
    assert result["year"] == 2024 and result["kpis"] == ["overall_absence", "persistent_absence"]
    stored = {
        (r.urn, r.kpi_code): (r.phase, r.value, r.marker) for r in SchoolPerformance.objects.all()
    }
    assert stored == {
        (114001, "overall_absence"): ("primary", 4.2, ""),
        (114001, "persistent_absence"): ("primary", 10.5, ""),
        (114002, "overall_absence"): ("secondary", None, "c"),
        (114002, "persistent_absence"): ("secondary", None, "z"),
        (114003, "overall_absence"): ("primary", 0.0, ""),
        (114003, "persistent_absence"): ("primary", None, "x"),
    }
    # The national row enters the national benchmarks (issue 18 item 2), with year, source and
    # a verified flag; a DfE census-basis figure ranks above the bundled daily-data one.
    from trustwide.kpis.national import lookup

    assert result["national_stored"] == 2
    match = lookup(measure="persistent_absence", academic_year=2024, phase="primary")
    assert (match.value, match.row.verified, match.row.year_label) == (17.8, True, "2024/25")
    assert "absence_tidy.csv" in match.row.source
    # Importing the year again replaces, never duplicates.
    import_performance_tables(measures_path=path)
    assert lookup(measure="persistent_absence", academic_year=2024, phase="primary").value == 17.8
    from trustwide.kpis.models import NationalFigure

    assert NationalFigure.objects.filter(academic_year=2024).count() == 2
    # Names are kept (not measures) so similar schools can be named on the page.
    assert SchoolPerformance.objects.filter(urn=114002).first().school_name == "Beta School, Town"


def test_tidy_file_with_a_bad_cell_names_file_line_and_column_and_writes_nothing(tmp_path, db):
    path = tmp_path / "bad.csv"
    path.write_text(TIDY.replace("4.2,10.5", "4.2,ten"), encoding="utf-8")
    with pytest.raises(
        PerformanceTableError,
        match=r"'ten' in bad.csv line 5 column enrolments_pa_10_exact_percent",
    ):
        import_performance_tables(measures_path=path)
    assert not SchoolPerformance.objects.exists()


def test_tidy_year_disagreeing_with_year_given_is_refused(tmp_path, db):
    path = tmp_path / "t.csv"
    path.write_text(TIDY, encoding="utf-8")
    with pytest.raises(CommandError, match="time_period says 2024/25, but --year says 2023/24"):
        call_command("benchmarks", "import", "--year", "2023", "--measures", str(path))
    assert not SchoolPerformance.objects.exists()


CENSUS = (
    "URN,LA,ESTAB,SCHOOLTYPE,NOR,PNUMFSMEVER\n"
    "100000,201,3614,State-funded primary,285,16.2\n"
    "100001,201,3615,State-funded primary,410,30.0\n"
    "137000,202,4000,State-funded secondary,1100,25.5\n"
    "137001,202,4001,State-funded secondary,900,12.0\n"
)


def test_ks2_file_loads_its_measures_keeps_markers_and_ignores_descriptive_columns(tmp_path, db):
    """Issue 18: DfE's school-level KS2 file is read (not refused over its postcode column);
    its national row becomes the national figure."""
    from trustwide.kpis.models import NationalFigure

    path, census = tmp_path / "england_ks2final.csv", tmp_path / "england_census.csv"
    path.write_text(
        "RECTYPE,LEA,ESTAB,URN,SCHNAME,PCODE,TOWN,PTRWM_EXP,PTRWM_HIGH,READ_AVERAGE,MAT_AVERAGE\n"
        "1,201,3614,100000,Sir John Cass,EC3A 5DE,London,71%,12%,106,105\n"
        "1,201,3615,100001,Small Primary,EC1 1AA,London,SUPP,SUPP,NE,NE\n"
        "4,201,,,,,,60%,9%,103,104\n"
        "7,,,,,,,65%,11%,104,105\n",
        encoding="utf-8",
    )
    census.write_text(CENSUS, encoding="utf-8")
    table = read_performance_table(path)
    assert table.ignored == ["SCHNAME", "PCODE", "TOWN"] and table.families == ["KS2"]
    result = import_performance_tables(measures_path=path, census_path=census, academic_year=2018)
    assert result["kpis"] == [
        "ks2_average_maths",
        "ks2_average_reading",
        "ks2_rwm_expected",
        "ks2_rwm_higher",
    ]
    stored = {
        (r.urn, r.kpi_code): (r.value, r.marker)
        for r in SchoolPerformance.objects.filter(academic_year=2018)
    }
    assert stored[(100000, "ks2_rwm_expected")] == (71.0, "")
    assert stored[(100000, "ks2_average_reading")] == (106.0, "")
    assert stored[(100001, "ks2_rwm_expected")] == (None, "SUPP")
    assert stored[(100001, "ks2_average_maths")] == (None, "NE")
    assert result["local_authorities"] == 1  # the RECTYPE 4 row is not a school
    national = {
        f.measure: (f.phase, f.value, f.basis, f.verified)
        for f in NationalFigure.objects.filter(academic_year=2018)
    }
    assert national["ks2_rwm_expected"] == ("all", 65.0, "tests", True)
    assert national["ks2_average_reading"] == ("all", 104.0, "tests", True)


def test_ks4_file_loads_attainment8_progress8_and_english_and_maths(tmp_path, db):
    path, census = tmp_path / "england_ks4final.csv", tmp_path / "england_census.csv"
    path.write_text(
        "RECTYPE,LEA,ESTAB,URN,SCHNAME,PCODE,ATT8SCR,P8MEA,PTL2BASICS_94,PTL2BASICS_95,"
        "PTEBACC_E_PTQ_EE,EBACCAPS\n"
        "1,202,4000,137000,North Academy,N1 1AA,47.3,0.12,66%,44%,41%,4.21\n"
        "1,202,4001,137001,South Academy,S1 1AA,38.0,-0.45,LOWCOV,SUPP,NP,3.05\n"
        "7,,,,,,46.7,-0.03,64.9%,43.2%,40%,4.07\n",
        encoding="utf-8",
    )
    census.write_text(CENSUS, encoding="utf-8")
    result = import_performance_tables(measures_path=path, census_path=census, academic_year=2018)
    assert set(result["kpis"]) == {
        "ks4_attainment8",
        "ks4_progress8",
        "ks4_em_grade4",
        "ks4_em_grade5",
        "ks4_ebacc_entry",
        "ks4_ebacc_aps",
    }
    rows = {
        (r.urn, r.kpi_code): (r.phase, r.value, r.marker)
        for r in SchoolPerformance.objects.filter(academic_year=2018)
    }
    assert rows[(137000, "ks4_progress8")] == ("secondary", 0.12, "")
    assert rows[(137001, "ks4_progress8")] == ("secondary", -0.45, "")
    assert rows[(137001, "ks4_em_grade4")] == ("secondary", None, "LOWCOV")
    assert rows[(137001, "ks4_ebacc_entry")] == ("secondary", None, "NP")
    from trustwide.kpis.models import NationalFigure

    figure = NationalFigure.objects.get(measure="ks4_em_grade4", academic_year=2018)
    assert (figure.phase, figure.value, figure.basis, figure.verified) == (
        "all",
        64.9,
        "exams",
        True,
    )
    assert figure.source == "DfE school-level file england_ks4final.csv, national row"
