"""Load DfE school-level performance-table files into SchoolPerformance (for percentiles).

Markers (SUPP, NE, NA, NP, LOWCOV, x, c) are stored as markers, never as numbers; national
rows are not schools and are not stored here (national figures live in
national_benchmarks.csv with their source).
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from .models import SchoolPerformance
from .performance_tables import read_performance_table, school_phases

# DfE column -> Trustwide KPI code (same definition: see docs/KPIS.md).
COLUMN_KPIS = {
    "PERCTOT": "overall_absence",
    "PPERSABS10": "persistent_absence",
}


@transaction.atomic
def import_performance_tables(*, academic_year: int, measures_path: str | Path, census_path: str | Path) -> dict:
    measures = read_performance_table(measures_path)
    census = read_performance_table(census_path)
    phases = school_phases(census)
    columns = [c for c in COLUMN_KPIS if c in measures.columns]
    if not columns:
        raise ValueError(
            f"{Path(measures_path).name}: none of the columns {', '.join(COLUMN_KPIS)} is in the file."
        )
    SchoolPerformance.objects.filter(academic_year=academic_year, kpi_code__in=[COLUMN_KPIS[c] for c in columns]).delete()
    rows, markers, skipped = [], 0, 0
    for urn, school in measures.schools.items():
        phase = phases.get(urn)
        if phase is None:
            skipped += 1
            continue
        fsm = census.schools[urn].values.get("PNUMFSMEVER") if urn in census.schools else None
        fsm_pct = fsm.number if fsm is not None and fsm.is_number else None
        for column in columns:
            value = school.values.get(column)
            if value is None:
                continue
            if not value.is_number:
                markers += 1
            rows.append(SchoolPerformance(
                academic_year=academic_year, urn=urn, phase=phase, fsm_ever_pct=fsm_pct,
                kpi_code=COLUMN_KPIS[column], value=value.number if value.is_number else None,
                marker="" if value.is_number else value.marker.value, source_file=Path(measures_path).name,
            ))
    SchoolPerformance.objects.bulk_create(rows, batch_size=5000)
    return {"rows": len(rows), "markers": markers, "schools_without_phase": skipped}
