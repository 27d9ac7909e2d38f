"""The engine's result schema, the store columns it reads, batch and DuckDB limits (see the package docstring)."""

from __future__ import annotations

import os
import tempfile

import pyarrow as pa

from trustwide.data import derived
from trustwide.kpis import definitions as d

RESULT_SCHEMA = pa.schema(
    [
        ("kpi_code", pa.string()),
        ("level", pa.string()),  # 'school' | 'hub' | 'trust'
        ("scope_id", pa.string()),  # URN, hub id or trust id, as text
        ("period", pa.string()),  # 'autumn' | 'spring' | 'summer' | 'ytd' | 'year'
        ("group", pa.string()),  # groups.GROUPS or 'disadvantaged_gap' | 'sen_gap'
        ("value", pa.float64()),  # null when suppressed
        ("numerator", pa.float64()),  # null when suppressed and for gap rows
        ("denominator", pa.float64()),
        ("pupils", pa.int64()),  # the n behind the value (judgements for teaching)
        ("suppressed", pa.bool_()),
    ]
)

# Columns read from each dataset (docs/DATA.md) with the types we compute in.
STORE_COLUMNS: dict[str, dict[str, str]] = {
    "characteristics": {
        "school_urn": "int32",
        "academic_year": "int16",
        "pupil_key": "string",
        "year_group": "int8",
        "sex": "string",
        "disadvantaged": "boolean",
        "sen": "string",
        "eal": "boolean",
    },
    # Derived from the marks by the store (trustwide.data.derived); the week columns a plan
    # needs are added per plan (see _Planner.read).
    "attendance_weeks": {"school_urn": "int32", "pupil_key": "string"},
    "attendance_summaries": {
        "school_urn": "int32",
        "academic_year": "int16",
        "pupil_key": "string",
        "period_start": "date",
        "period_end": "date",
        "possible": "int32",
        "present": "int32",
        "authorised": "int32",
        "unauthorised": "int32",
    },
    # Pivoted by the store (trustwide.data.derived); the band columns are added per plan.
    "assessment_bands": {"school_urn": "int32", "academic_year": "int16", "pupil_key": "string"},
    "statutory": {
        "school_urn": "int32",
        "academic_year": "int16",
        "pupil_key": "string",
        "measure": "string",
        "value_num": "float64",
        "value_text": "string",
    },
    "transitions": {
        "school_urn": "int32",
        "academic_year": "int16",
        "pupil_key": "string",
        "sustained": "boolean",
    },
}
# The store pivots judgements into bands (derived.assessment_bands) for its known subjects, in
# the order of its judgements: the KPIs' subjects and bands must be those.
if not set(d.SUBJECTS) <= set(derived.SUBJECTS) or tuple(d.BANDS) != tuple(derived.JUDGEMENTS):
    raise ImportError("KPI subjects and bands must be among the store's (derived.assessment_bands)")

FAMILY_DATASETS = {
    "attendance": ("attendance_weeks", "attendance_summaries"),
    "assessment": ("assessment_bands",),
    "statutory": ("statutory",),
    "ks4": ("statutory",),
    "transition": ("transitions",),
}

# Per-pupil facts are keyed by school and pupil; a fact of period i (the index of the period
# in periods.build_periods) is the column "<fact>__<i>".
KEYS = ["school_urn", "pupil_key"]

# Schools per batch: ~500 schools is 150,000-300,000 pupils, a few hundred MB in DuckDB's hash
# tables; a trust of that size or smaller runs in one batch.
BATCH_SCHOOLS = 1024
# DuckDB limits for connections the engine opens itself (a 4 GB budget for the whole process).
DUCKDB_MEMORY_LIMIT = os.environ.get("TRUSTWIDE_KPI_DUCKDB_MEMORY", "2.5GB")
# Where DuckDB spills beyond that limit (its default is a .tmp folder in the working directory).
DUCKDB_TEMP_DIR = os.environ.get(
    "TRUSTWIDE_KPI_DUCKDB_TEMP", os.path.join(tempfile.gettempdir(), "trustwide-duckdb")
)

_LEVELS = ("hub", "school", "trust")  # sorted, as the result is


class StaleDerivedData(RuntimeError):
    """The store's shards (trustwide.data.derived) do not match the school files."""
