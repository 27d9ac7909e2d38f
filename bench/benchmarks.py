"""Benchmark the DfE benchmark importer (issue 18: a full national school-level file, about
25,000 rows, imported in under 5 s).

    .venv/bin/python bench/benchmarks.py [--data DIR] [--rows 25000]

Times, median of 3: a plain csv.reader pass over the same files (the reference), reading
(parse + classify + markers), and the whole import into SchoolPerformance (test database).
Files: the real england_abs.csv + england_census.csv when present (TRUSTWIDE_PERFORMANCE_TABLES_DIR
or ../shared/data), and a generated tidy-format file of --rows schools. The LAST line is JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
TARGET_S = 5.0
DEFAULT_DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "dfe_performance_tables_2018_19"
)


def _median(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _csv_pass(*paths) -> None:
    for p in paths:
        with open(p, encoding="utf-8-sig", newline="") as fh:
            for _ in csv.reader(fh):
                pass


def _tidy_file(rows: int, path: Path) -> Path:
    rng = random.Random(1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "time_period",
                "time_identifier",
                "geographic_level",
                "country_code",
                "country_name",
                "old_la_code",
                "new_la_code",
                "la_name",
                "school_urn",
                "school_laestab",
                "school_name",
                "phase_type_grouping",
                "sess_overall_percent",
                "enrolments_pa_10_exact_percent",
            ]
        )
        w.writerow(
            [
                "202425",
                "Academic year",
                "National",
                "E92000001",
                "England",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "6.9",
                "17.8",
            ]
        )
        for i in range(rows):
            la = 201 + i % 150
            marker = rng.random() < 0.03
            w.writerow(
                [
                    "202425",
                    "Academic year",
                    "School",
                    "E92000001",
                    "England",
                    la,
                    f"E0{la}",
                    f"LA {la}",
                    100000 + i,
                    f"{la}{2000 + i % 7000}",
                    f"School {i}, Town",
                    "State-funded primary" if i % 5 else "State-funded secondary",
                    "c" if marker else f"{rng.uniform(2, 12):.1f}",
                    "z" if marker else f"{rng.uniform(5, 40):.1f}",
                ]
            )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", default=os.environ.get("TRUSTWIDE_PERFORMANCE_TABLES_DIR", str(DEFAULT_DATA))
    )
    parser.add_argument("--rows", type=int, default=25_000)
    args = parser.parse_args()

    from django.db import connection
    from django.test.utils import setup_test_environment

    from trustwide.kpis.performance_import import import_performance_tables
    from trustwide.kpis.performance_tables import read_performance_table

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    figures: dict = {"target_s": TARGET_S}
    cases = []
    data = Path(args.data)
    if (data / "england_abs.csv").exists():
        cases.append(
            (
                "real england_abs.csv + england_census.csv",
                2018,
                data / "england_abs.csv",
                data / "england_census.csv",
            )
        )
    tmp = Path(tempfile.mkdtemp())
    cases.append(
        (
            f"generated tidy file, {args.rows:,} schools",
            None,
            _tidy_file(args.rows, tmp / "tidy.csv"),
            None,
        )
    )
    for name, year, measures, census in cases:
        files = [p for p in (measures, census) if p]
        rows = sum(sum(1 for _ in open(p, encoding="utf-8-sig")) - 1 for p in files)
        ref = _median(lambda files=files: _csv_pass(*files))
        read = _median(lambda files=files: [read_performance_table(p) for p in files])
        full = _median(
            lambda y=year, m=measures, c=census: import_performance_tables(
                academic_year=y, measures_path=m, census_path=c
            )
        )
        fig = {
            "rows": rows,
            "csv_reader_s": round(ref, 3),
            "read_s": round(read, 3),
            "import_s": round(full, 3),
            "import_over_csv_reader": round(full / ref, 1),
            "within_target": full < TARGET_S,
        }
        figures[name] = fig
        print(
            f"{name}: {rows:,} rows; csv.reader {ref:.3f} s, read {read:.3f} s, full import {full:.3f} s "
            f"({full / ref:.1f} x csv.reader); target < {TARGET_S} s: {'met' if full < TARGET_S else 'MISSED'}"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    import django

    django.setup()
    main()
