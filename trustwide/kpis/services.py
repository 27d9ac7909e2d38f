"""Recompute and store KPI values. The engine reads Parquet; pages read these rows."""

from __future__ import annotations

import datetime
import time

import pyarrow as pa
from django.db import transaction
from django.utils import timezone

from trustwide.data.services import analytics_store
from trustwide.planning.selectors import teaching_judgements
from trustwide.trusts.models import AcademicYear, School

from .engine import compute_kpis, teaching_at_least_good
from .models import KpiRefresh, KpiValue, Level


def _terms(trust, academic_year: int) -> list[tuple[str, datetime.date, datetime.date]]:
    year = AcademicYear.objects.filter(trust=trust, start_year=academic_year).prefetch_related("terms").first()
    if year is None:
        from trustwide.trusts.models import default_term_dates

        return [(str(name), start, end) for name, start, end in default_term_dates(academic_year)]
    return [(t.name, t.starts_on, t.ends_on) for t in year.terms.all()]


def kpis_refresh(*, trust, academic_year: int, trigger: str = "command", as_of: datetime.date | None = None) -> int:
    """Compute every KPI, group and period of one trust's year and replace its stored values."""
    started = time.perf_counter()
    started_at = timezone.now()
    schools = list(School.objects.filter(trust=trust).values_list("pk", "urn", "hub_id"))
    school_by_urn = {urn: pk for pk, urn, _ in schools}
    terms = _terms(trust, academic_year)
    store = analytics_store()
    # Read under the store's lock: an import swapping files in mid-scan is never half seen.
    with store.reading(trust.pk):
        table = compute_kpis(
            store_root=store.root, trust_id=trust.pk, academic_year=academic_year,
            school_hubs={urn: hub for _, urn, hub in schools}, terms=terms, as_of=as_of,
        )
    # '% of teaching at least good' comes from lesson-observation records, not the store.
    year_start, year_end = datetime.date(academic_year, 9, 1), datetime.date(academic_year + 1, 8, 31)
    teaching = teaching_at_least_good(
        teaching_judgements(trust_id=trust.pk, start=year_start, end=year_end),
        trust_id=trust.pk, academic_year=academic_year, terms=terms, as_of=as_of,
    )
    table = pa.concat_tables([table, teaching.select(table.schema.names).cast(table.schema)])
    rows = []
    columns = table.to_pydict()
    for i in range(table.num_rows):
        level = columns["level"][i]
        scope = columns["scope_id"][i]
        rows.append(KpiValue(
            trust=trust, academic_year=academic_year, kpi_code=columns["kpi_code"][i], level=level,
            school_id=school_by_urn.get(int(scope)) if level == Level.SCHOOL else None,
            hub_id=int(scope) if level == Level.HUB else None,
            period=columns["period"][i], group=columns["group"][i], value=columns["value"][i],
            numerator=columns["numerator"][i], denominator=columns["denominator"][i],
            pupils=columns["pupils"][i] or 0, suppressed=bool(columns["suppressed"][i]), computed_at=started_at,
        ))
    with transaction.atomic():
        KpiValue.objects.filter(trust=trust, academic_year=academic_year).delete()
        KpiValue.objects.bulk_create(rows, batch_size=5000)
        KpiRefresh.objects.create(trust=trust, academic_year=academic_year, started_at=started_at,
                                  seconds=round(time.perf_counter() - started, 3), rows=len(rows), trigger=trigger[:100])
    return len(rows)


def kpi_target_set(*, actor, trust, school, academic_year: int, kpi_code: str, target: float | None,
                   group: str = "all"):
    """Set (or with target=None remove) a trust default (school=None) or a school's own target."""
    from django.core.exceptions import ValidationError

    from trustwide.access import Perm, can, can_in_trust
    from trustwide.audit.services import audited_create, audited_delete, audited_update
    from trustwide.common.services import require

    from . import definitions as d
    from .models import KpiTarget

    if actor is not None:
        allowed = can(actor, Perm.KPI_TARGETS_EDIT, school) if school is not None else can_in_trust(
            actor, Perm.KPI_TARGETS_EDIT, trust.pk)
        require(allowed, "You may not set these targets.")
    try:
        kpi = d.kpi_by_code(kpi_code)
    except KeyError as exc:
        raise ValidationError({"kpi_code": f"Unknown KPI '{kpi_code}'."}) from exc
    if target is not None and kpi.unit == "%" and not 0 <= target <= 100:
        raise ValidationError({kpi_code: f"{kpi.name}: a percentage target must be between 0 and 100."})
    if target is not None and kpi.code == "ks4_attainment8" and not 0 <= target <= 90:
        raise ValidationError({kpi_code: f"{kpi.name}: Attainment 8 runs from 0 to 90."})
    existing = KpiTarget.objects.filter(trust=trust, school=school, academic_year=academic_year,
                                        kpi_code=kpi_code, group=group).first()
    if target is None:
        if existing:
            audited_delete(actor=actor, instance=existing)
        return None
    if existing:
        return audited_update(actor=actor, instance=existing, target=target)
    return audited_create(actor=actor, model=KpiTarget, trust=trust, school=school, academic_year=academic_year,
                          kpi_code=kpi_code, group=group, target=target, set_by=actor)
