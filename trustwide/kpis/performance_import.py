"""Load DfE school-level files (performance-tables or explore-education-statistics format)
into SchoolPerformance, for percentiles.

Markers (SUPP, NE, NA, NP, LOWCOV, SP, x, c, z) are stored as markers, never as numbers;
national and LA rows are not schools and are not stored here: the national figures a file
carries are returned (by KPI and phase) and stored as kpis.NationalFigure (verified, the file
named as source), which national.lookup reads beside the bundled figures. A file's phase comes
from the census file when given (england_census.csv), else from the file's own school type.
"""

from __future__ import annotations

from pathlib import Path

from django.db import connection, transaction

from trustwide.common.pdfs import bump_data_version
from trustwide.trusts.utils import year_label

from .models import SchoolPerformance
from .performance_tables import PerformanceTableError, read_performance_table, school_phases

# DfE column (either format) -> Trustwide KPI code (same definition: see docs/KPIS.md).
COLUMN_KPIS = {
    "PERCTOT": "overall_absence",
    "PPERSABS10": "persistent_absence",
    "sess_overall_percent": "overall_absence",
    "enrolments_pa_10_exact_percent": "persistent_absence",
    "OVERALL_DESTPER": "transition_sustained",
    # Key stage 2 (performance tables england_ks2final.csv; explore-education-statistics names).
    "PTRWM_EXP": "ks2_rwm_expected",
    "PTRWM_HIGH": "ks2_rwm_higher",
    "PTREAD_EXP": "ks2_reading_expected",
    "PTMAT_EXP": "ks2_maths_expected",
    "PTWRITTA_EXP": "ks2_writing_expected",
    "PTGPS_EXP": "ks2_gps_expected",
    "PTREAD_HIGH": "ks2_reading_higher",
    "PTMAT_HIGH": "ks2_maths_higher",
    "PTWRITTA_HIGH": "ks2_writing_higher",
    "PTGPS_HIGH": "ks2_gps_higher",
    "READ_AVERAGE": "ks2_average_reading",
    "MAT_AVERAGE": "ks2_average_maths",
    "pt_rwm_met_expected_standard": "ks2_rwm_expected",
    "avg_scaled_score_reading": "ks2_average_reading",
    # Key stage 4 (performance tables england_ks4final.csv; explore-education-statistics names).
    "ATT8SCR": "ks4_attainment8",
    "P8MEA": "ks4_progress8",
    "PTL2BASICS_94": "ks4_em_grade4",
    "PTL2BASICS_95": "ks4_em_grade5",
    "PTEBACC_E_PTQ_EE": "ks4_ebacc_entry",
    "EBACCAPS": "ks4_ebacc_aps",
    "avg_att8": "ks4_attainment8",
    "avg_p8score": "ks4_progress8",
}


def _year(table, academic_year: int | None, name: str) -> int:
    if table.years:
        if len(table.years) > 1:
            raise PerformanceTableError(
                f"{name}: holds several years ({', '.join(year_label(y) for y in sorted(table.years))}); "
                "import one year per file."
            )
        (year,) = table.years
        if academic_year is not None and academic_year != year:
            raise PerformanceTableError(
                f"{name}: time_period says {year_label(year)}, but --year says {year_label(academic_year)}."
            )
        return year
    if academic_year is None:
        raise PerformanceTableError(
            f"{name}: a performance-tables file does not name its year: give --year."
        )
    return academic_year


@transaction.atomic
def import_performance_tables(
    *,
    measures_path: str | Path,
    census_path: str | Path | None = None,
    academic_year: int | None = None,
) -> dict:
    """Replace the year's published values for the KPIs the file carries; all or nothing."""
    name = Path(measures_path).name
    measures = read_performance_table(measures_path)
    year = _year(measures, academic_year, name)
    census = read_performance_table(census_path) if census_path else None
    phases = school_phases(census) if census else {}
    columns = [c for c in measures.measures if c in COLUMN_KPIS]
    if not columns:
        families = ", ".join(measures.families) or "none we recognise"
        raise PerformanceTableError(
            f"{name}: no measure Trustwide benchmarks against (measures found: {families}; "
            f"columns we read: {', '.join(COLUMN_KPIS)})."
        )
    codes = [COLUMN_KPIS[c] for c in columns]
    SchoolPerformance.objects.filter(academic_year=year, kpi_code__in=codes).delete()
    rows, markers, skipped = [], 0, 0
    for urn, school in measures.schools.items():
        phase = phases.get(urn) or school.phase
        if phase is None:
            skipped += 1
            continue
        fsm = (
            census.schools[urn].values.get("PNUMFSMEVER")
            if census and urn in census.schools
            else None
        )
        fsm_pct = fsm.number if fsm is not None and fsm.is_number else None
        nor = census.schools[urn].values.get("NOR") if census and urn in census.schools else None
        nor = int(nor.number) if nor is not None and nor.is_number else None
        for column in columns:
            value = school.values.get(column)
            if value is None:
                continue
            if not value.is_number:
                markers += 1
            rows.append(
                (
                    year,
                    urn,
                    phase,
                    fsm_pct,
                    nor,
                    COLUMN_KPIS[column],
                    value.number,
                    "" if value.is_number else value.marker.value,
                    name,
                    school.name,
                )
            )
    _insert(rows)
    figures = _store_national(measures, columns, year, name)
    bump_data_version(None)  # national figures: every trust's reports render afresh
    national = {
        COLUMN_KPIS[c]: {
            phase: values[c] for phase, values in measures.national.items() if values.get(c)
        }
        for c in columns
    }
    return {
        "rows": len(rows),
        "markers": markers,
        "schools_without_phase": skipped,
        "year": year,
        "format": measures.format,
        "families": measures.families,
        "kpis": sorted(set(codes)),
        "columns": columns,
        "ignored": measures.ignored,
        "national": national,
        "national_stored": figures,
        "local_authorities": len(measures.local_authorities),
    }


# The basis of a national figure by DfE column, for national.lookup's preference order.
COLUMN_BASIS = {
    "PERCTOT": "census",
    "PPERSABS10": "census",
    "sess_overall_percent": "census",
    "enrolments_pa_10_exact_percent": "census",
    "OVERALL_DESTPER": "destinations",
    **{c: "tests" for c, code in COLUMN_KPIS.items() if code.startswith("ks2_")},
    **{c: "exams" for c, code in COLUMN_KPIS.items() if code.startswith("ks4_")},
}


def _store_national(measures, columns: list[str], year: int, name: str) -> int:
    """The file's national rows become national figures for the year (replacing those an
    earlier import of the same year and measure wrote): DfE's own published figure, so
    verified, with the file named as the source. The state-funded total is the "all phases"
    figure."""
    from . import national
    from .models import NationalFigure

    found: dict[tuple[str, str], NationalFigure] = {}
    for phase, values in measures.national.items():
        as_phase = "all" if phase in ("all", "state-funded") else phase
        for column in columns:
            value = values.get(column)
            if value is None or not value.is_number:
                continue
            key = (COLUMN_KPIS[column], as_phase)
            if key in found and phase == "state-funded":
                continue  # an explicit all-phases row wins over the state-funded total
            found[key] = NationalFigure(
                measure=COLUMN_KPIS[column],
                academic_year=year,
                phase=as_phase,
                value=value.number,
                basis=COLUMN_BASIS.get(column, "census"),
                source=f"DfE school-level file {name}, national row",
                verified=True,
                note=f"national row ({phase}) of {name}, column {column}",
            )
    NationalFigure.objects.filter(
        academic_year=year,
        measure__in={COLUMN_KPIS[c] for c in columns},
        period="year",
        group="all",
    ).delete()
    NationalFigure.objects.bulk_create(found.values())
    transaction.on_commit(national.forget_imported)
    return len(found)


_FIELDS = (
    "academic_year",
    "urn",
    "phase",
    "fsm_ever_pct",
    "pupils_on_roll",
    "kpi_code",
    "value",
    "marker",
    "source_file",
    "school_name",
)


def _insert(rows: list[tuple]) -> None:
    """One parameterised INSERT run over all rows: a national file is ~50,000 published values,
    and building a model instance for each (bulk_create) took most of the import's time."""
    meta = SchoolPerformance._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in _FIELDS)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_FIELDS))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def describe(result: dict) -> str:
    """What was loaded, for which year: the command's answer."""
    national = (
        "; ".join(
            f"{code}: " + ", ".join(f"{phase} {value}" for phase, value in by_phase.items())
            for code, by_phase in result["national"].items()
            if by_phase
        )
        or "none"
    )
    ignored = ", ".join(result["ignored"]) or "none"
    return (
        f"{year_label(result['year'])} ({result['format']} format): measures found: {', '.join(result['families'])}; "
        f"loaded {', '.join(result['kpis'])} from {', '.join(result['columns'])}: {result['rows']} published values "
        f"({result['markers']} suppression or other markers kept as markers); "
        f"{result['schools_without_phase']} schools without a known phase left out; "
        f"national rows: {national} ({result['national_stored']} stored as national figures); "
        f"{result['local_authorities']} local-authority rows recognised (not schools); "
        f"descriptive columns ignored: {ignored}."
    )
