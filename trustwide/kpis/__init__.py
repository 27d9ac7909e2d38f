"""Key performance indicators: definitions, computation over the analytics store, national context.

Framework-independent (no Django imports). The Django side calls
:func:`trustwide.kpis.engine.compute_kpis` and
:func:`trustwide.kpis.engine.teaching_at_least_good` and stores the rows they return.
"""

from trustwide.kpis.definitions import KPI, KPIS, kpi_by_code
from trustwide.kpis.engine import RESULT_SCHEMA, compute_kpis, teaching_at_least_good

__all__ = [
    "KPI",
    "KPIS",
    "RESULT_SCHEMA",
    "compute_kpis",
    "kpi_by_code",
    "teaching_at_least_good",
]
