"""KPI sums do not depend on the order rows are added in (issue 15 item 8): a refresh of the
same data gives identical rows, compared exactly (==), whatever the backend's row order, the
batch split or the run."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np

from trustwide.data.store import AnalyticsStore
from trustwide.kpis.engine import compute_kpis
from trustwide.kpis.tests.fixtures import write_dataset

TRUST, YEAR = 9, 2025
URNS = [100101, 100102, 100103, 100104, 100105]
HUBS = {100101: "H1", 100102: "H1", 100103: "H2", 100104: "H2", 100105: None}
TERMS = [
    ("autumn", date(2025, 9, 1), date(2025, 12, 19)),
    ("spring", date(2026, 1, 5), date(2026, 3, 27)),
    ("summer", date(2026, 4, 13), date(2026, 7, 22)),
]
PUPILS = 1_500  # per school, all in year 11 with the same characteristics: one big cell each


def rows(seed_order: int):
    """Characteristics and Attainment 8 results (decimals to 0.1 and 0.05: not exact in binary),
    each school's rows in an order that depends on `seed_order`."""
    values = np.random.default_rng(7)
    chars, results = [], []
    for urn in URNS:
        a8 = values.integers(0, 1801, PUPILS) / 20  # 0.00, 0.05, ... 90.00
        keys = [f"{urn}-{i:05d}" for i in range(PUPILS)]
        order = np.random.default_rng(seed_order * 1000 + urn % 1000).permutation(PUPILS)
        for i in order.tolist():
            chars.append(
                dict(
                    school_urn=urn,
                    pupil_key=keys[i],
                    year_group=11,
                    sex="F",
                    disadvantaged=False,
                    fsm=False,
                    sen="N",
                    eal=False,
                    prior_band="middle",
                    joined_on=date(2020, 9, 1),
                    left_on=None,
                )
            )
            results.append(
                dict(
                    school_urn=urn,
                    pupil_key=keys[i],
                    measure="KS4_ATT8",
                    value_num=float(a8[i]),
                    value_text=None,
                )
            )
    return chars, results


def store(root, seed_order):
    chars, results = rows(seed_order)
    write_dataset(root, "characteristics", chars, trust=TRUST, year=YEAR)
    write_dataset(root, "statutory", results, trust=TRUST, year=YEAR)
    AnalyticsStore(root).ensure_derived(TRUST, YEAR)  # as an import does
    return root


def a8_rows(root, **kw):
    table = compute_kpis(
        store_root=root,
        trust_id=TRUST,
        academic_year=YEAR,
        school_hubs=HUBS,
        terms=TERMS,
        as_of=date(2026, 7, 31),
        kpis=["ks4"],
        **kw,
    )
    return [r for r in table.to_pylist() if r["kpi_code"] == "ks4_attainment8"]


def test_refreshes_of_the_same_data_give_identical_rows(tmp_path):
    first = a8_rows(store(tmp_path / "one", seed_order=1))
    assert first and any(r["level"] == "trust" for r in first)
    # Again; one school per batch; two schools per batch; the same files with rows in
    # another order (as a re-import writes them). Exactly equal, not approximately.
    assert a8_rows(tmp_path / "one") == first
    assert a8_rows(tmp_path / "one", batch_schools=1) == first
    assert a8_rows(tmp_path / "one", batch_schools=2) == first
    for seed in (2, 3, 4):
        assert a8_rows(store(tmp_path / f"order{seed}", seed_order=seed)) == first


def test_attainment_8_is_the_exact_mean(tmp_path):
    """Integer sums are also the exact ones: the trust's average is the exact decimal mean."""
    rows_ = a8_rows(store(tmp_path, seed_order=1))
    trust = next(r for r in rows_ if r["level"] == "trust" and r["group"] == "all")
    _chars, results = rows(1)
    exact = sum(Fraction(str(r["value_num"])) for r in results)
    assert trust["numerator"] == float(exact)
    assert trust["denominator"] == len(results)
    assert abs(Fraction(trust["value"]) - exact / len(results)) <= Fraction(1, 10**12)
