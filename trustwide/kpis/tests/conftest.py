from __future__ import annotations

import pytest

from trustwide.kpis.engine import compute_kpis
from trustwide.kpis.tests import fixtures as f


@pytest.fixture(scope="session")
def store(tmp_path_factory):
    return f.build_store(tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="session")
def kwargs(store):
    return dict(
        store_root=store,
        trust_id=f.TRUST,
        academic_year=f.YEAR,
        school_hubs=f.SCHOOL_HUBS,
        terms=f.TERMS,
        as_of=f.AS_OF,
    )


@pytest.fixture(scope="session")
def result(kwargs):
    return compute_kpis(**kwargs)


def row(table, kpi, level, scope, period, group="all"):
    """The single result row for a key, as a dict (None if absent)."""
    hits = [
        r
        for r in table.to_pylist()
        if (r["kpi_code"], r["level"], r["scope_id"], r["period"], r["group"])
        == (kpi, level, str(scope), period, group)
    ]
    assert len(hits) <= 1
    return hits[0] if hits else None
