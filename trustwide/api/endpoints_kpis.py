"""KPI values with their context, and the same table as CSV or JSON for Power BI and Excel.

Reads only through kpis.selectors, which narrow to the schools where the caller holds
kpi.view (trust figures only at trust level): the table the trust KPI page shows."""

import json
from typing import Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field

from trustwide.access import Perm, get_object_or_404_for
from trustwide.common.exports import build_csv, csv_response
from trustwide.kpis import definitions as d
from trustwide.kpis import selectors as kpi_selectors
from trustwide.kpis.groups import GROUP_LABELS
from trustwide.trusts import selectors as trust_selectors
from trustwide.trusts.models import School
from trustwide.trusts.utils import current_academic_start_year

from .schemas import Error, Id, KpiReadingOut

router = Router(tags=["KPIs"])

KpiCode = Literal[tuple(k.code for k in d.KPIS)]  # type: ignore[valid-type]
PeriodCode = Literal[d.ALL_PERIODS]  # type: ignore[valid-type]
GroupCode = Literal[tuple(GROUP_LABELS)]  # type: ignore[valid-type]


class KpiFilters(Schema):
    trust: Id = Field(description="The trust's id (see /trusts).")
    school: Id | None = Field(None, description="One school: every KPI, with percentiles.")
    kpi: list[KpiCode] = Field(
        default_factory=list, description="KPI codes; default: the trust page's KPIs."
    )
    academic_year: int | None = Field(
        None, ge=2000, le=2100, description="Start year, e.g. 2025 for 2025/26."
    )
    period: PeriodCode = "year"
    group: GroupCode = "all"


def _reading_out(reading, *, school_id, level, f: KpiFilters, year: int) -> dict:
    national = None
    if reading.national is not None:
        national = {
            "value": reading.national.value,
            "academic_year": reading.national.row.academic_year,
            "exact": reading.national.exact,
            "explanation": reading.national.explanation,
        }
    return {
        "kpi": reading.kpi.code,
        "name": reading.kpi.name,
        "unit": reading.kpi.unit,
        "school_id": school_id,
        "level": level,
        "academic_year": year,
        "period": f.period,
        "group": f.group,
        "computed": reading.computed,
        "value": None if reading.suppressed else reading.value,
        "n": reading.pupils,
        "suppressed": reading.suppressed,
        "target": reading.target,
        "target_source": reading.target_source,
        "last_year": reading.last_year,
        "change": reading.change,
        "national": national,
        "percentiles": [
            {"against": key, "comparison": p.comparison, "percentile": p.percentile, "n": p.n}
            for key, p in reading.percentiles.items()
        ],
    }


def kpi_rows(user, f: KpiFilters) -> list[dict]:
    """The KPI table the caller may see, one dict per (school or trust, KPI)."""
    trust = get_object_or_404(trust_selectors.trusts_for(user=user), pk=f.trust)
    year = f.academic_year or current_academic_start_year()
    if f.school is not None:
        school = get_object_or_404_for(
            user, Perm.KPI_VIEW, School.objects.filter(trust=trust), pk=f.school
        )
        readings = kpi_selectors.school_readings(
            school=school, academic_year=year, period=f.period, group=f.group, codes=f.kpi or None
        )
        return [
            _reading_out(r, school_id=school.pk, level="school", f=f, year=year) for r in readings
        ]
    rows, trust_readings = kpi_selectors.trust_school_table(
        user=user,
        trust=trust,
        academic_year=year,
        period=f.period,
        group=f.group,
        codes=f.kpi or kpi_selectors.BIG_FIVE,
    )
    out = [
        _reading_out(r, school_id=None, level="trust", f=f, year=year)
        for r in trust_readings.values()
    ]
    for row in rows:
        out += [
            _reading_out(r, school_id=row.school.pk, level="school", f=f, year=year)
            for r in row.readings.values()
        ]
    return out


@router.get(
    "/values",
    response={200: list[KpiReadingOut], 404: Error},
    summary="KPI values with target, national figure, percentiles, last year and n",
)
def kpi_values(request, filters: Query[KpiFilters]):
    return kpi_rows(request.user, filters)


CSV_COLUMNS = (
    "kpi",
    "name",
    "unit",
    "level",
    "school_id",
    "academic_year",
    "period",
    "group",
    "value",
    "n",
    "suppressed",
    "target",
    "target_source",
    "last_year",
    "change",
    "national",
    "national_year",
)


@router.get(
    "/values/download",
    response={404: Error},
    summary="The same KPI table as a CSV or JSON file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The table as a file",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                },
            }
        }
    },
)
def kpi_values_download(
    request, filters: Query[KpiFilters], format: Literal["csv", "json"] = "csv"
):
    rows = kpi_rows(request.user, filters)
    name = f"kpis-trust{filters.trust}-{filters.period}-{filters.group}"
    if format == "json":
        response = HttpResponse(json.dumps(rows), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        return response
    table = [
        [
            r["kpi"],
            r["name"],
            r["unit"],
            r["level"],
            r["school_id"],
            r["academic_year"],
            r["period"],
            r["group"],
            r["value"],
            r["n"],
            r["suppressed"],
            r["target"],
            r["target_source"],
            r["last_year"],
            r["change"],
            (r["national"] or {}).get("value"),
            (r["national"] or {}).get("academic_year"),
        ]
        for r in rows
    ]
    return csv_response(build_csv(CSV_COLUMNS, table), f"{name}.csv")
