"""Benchmark pupil-data imports and the synthetic trust generator.

    .venv/bin/python bench/imports.py [--quick] [--out DIR] [--keep]

Prints figures as it goes; the LAST line is one JSON object with the figures and targets
(issue 5: 1 million attendance marks validated and stored in at most 5 s; a 60,000-pupil
trust, about 23 million marks, generated in at most 60 s and under 2 GB; issue 19: a
Common Transfer File of 2,000 pupils with a year of marks read, validated and stored in at
most 5 s). `--ctf-only` runs just the CTF figure.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_IMPORT_S = 5.0
TARGET_GENERATE_S = 60.0
TARGET_GENERATE_MB = 2048
TARGET_CTF_S = 5.0


def _maxrss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def generate_child(out: str, pupils: int, schools: int) -> None:
    """Run in a fresh process, so its peak memory is the generator's own."""
    from trustwide.data.generator import generate_trust

    summary = generate_trust(out, seed=1, schools=schools, total_pupils=pupils, academic_years=1)
    print(
        json.dumps(
            {
                "seconds": summary.seconds,
                "marks": summary.marks,
                "pupils": summary.pupils,
                "bytes": summary.bytes,
                "files": summary.files,
                "self_mb": _maxrss_mb(resource.RUSAGE_SELF),
                "workers_mb": _maxrss_mb(resource.RUSAGE_CHILDREN),
                "workers": min(2, os.cpu_count() or 1),
            }
        )
    )


def bench_import(work: Path, marks_target: int) -> dict:
    from trustwide.data.generator import generate_trust
    from trustwide.data.store import AnalyticsStore
    from trustwide.data.validation import validate_file

    pupils = round(marks_target / 380)
    src = work / "one_school"
    generate_trust(src, seed=5, schools=1, total_pupils=pupils, phases=["secondary"], processes=1)
    path = src / "2023" / "137001" / "attendance_marks.csv"
    size_mb = path.stat().st_size / 1e6
    store = AnalyticsStore(work / "store")
    # Warm-up on a small file: imports and one-off library set-up are not per-file costs.
    small = path.read_bytes()[:200_000].rsplit(b"\n", 1)[0] + b"\n"
    validate_file(
        small,
        dataset="attendance_marks",
        file_name="warm.csv",
        academic_year=2023,
        allowed_school_urns=[137001],
        trust_key=b"bench",
    )
    figures = {}
    for label in ("new", "replace"):
        started = time.perf_counter()
        result = validate_file(
            path,
            dataset="attendance_marks",
            file_name=path.name,
            academic_year=2023,
            allowed_school_urns=[137001],
            trust_key=b"bench",
        )
        validated = time.perf_counter()
        assert result.ok, result.errors[:3]
        store.write_batch(
            dataset="attendance_marks", trust_id=1, academic_year=2023, tables=result.tables
        )
        stored = time.perf_counter()
        figures[label] = (validated - started, stored - validated, stored - started)
        print(
            f"import ({label} batch): {result.row_count:,} marks, {size_mb:.0f} MB: validate "
            f"{figures[label][0]:.2f} s + store {figures[label][1]:.2f} s = {figures[label][2]:.2f} s",
            flush=True,
        )
    return {
        "import_marks": result.row_count,
        "import_1m_marks_s": round(figures["new"][2] * 1_000_000 / result.row_count, 3),
        "import_validate_s": round(figures["new"][0], 3),
        "import_store_s": round(figures["new"][1], 3),
        "import_replace_batch_s": round(figures["replace"][2] * 1_000_000 / result.row_count, 3),
    }


def bench_ctf(work: Path, pupils: int) -> dict:
    """One school's CTF (written from the synthetic generator's files): parse + validate + store."""
    from trustwide.data.ctf import validate_ctf
    from trustwide.data.ctf_synthetic import ctf_from_generated
    from trustwide.data.generator import generate_trust
    from trustwide.data.store import AnalyticsStore

    src = work / "ctf_school"
    generate_trust(src, seed=9, schools=1, total_pupils=pupils, phases=["secondary"], processes=1)
    data = ctf_from_generated(src, urn=137001, academic_year=2023)
    store = AnalyticsStore(work / "ctf_store")
    validate_ctf(
        data[:2000], file_name="warm.xml", allowed_school_urns=[137001], trust_key=b"bench"
    )  # imports and set-up, not per-file costs
    started = time.perf_counter()
    result = validate_ctf(
        data,
        file_name="school.xml",
        allowed_school_urns=[137001],
        trust_key=b"bench",
        today=__import__("datetime").date(2024, 8, 31),
    )
    validated = time.perf_counter()
    assert result.ok, result.errors[:3]
    store.write_datasets(label="ctf", trust_id=1, academic_year=2023, datasets=result.tables)
    stored = time.perf_counter()
    marks = result.rows.get("attendance_marks", 0)
    print(
        f"CTF import: {result.pupils:,} pupils, {marks:,} marks, {len(data) / 1e6:.1f} MB of XML: read and "
        f"validate {validated - started:.2f} s + store {stored - validated:.2f} s = {stored - started:.2f} s",
        flush=True,
    )
    return {
        "ctf_pupils": result.pupils,
        "ctf_marks": marks,
        "ctf_mb": round(len(data) / 1e6, 1),
        "ctf_validate_s": round(validated - started, 3),
        "ctf_store_s": round(stored - validated, 3),
        "ctf_import_s": round(stored - started, 3),
    }


def bench_generate(work: Path, pupils: int, schools: int) -> dict:
    out = work / "trust"
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, __file__, "--generate-child", str(out), str(pupils), str(schools)],
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    child = json.loads(completed.stdout.strip().splitlines()[-1])
    # Upper bound of the combined peak: the parent plus every worker at its own peak at once.
    peak = child["self_mb"] + child["workers"] * child["workers_mb"]
    print(
        f"generate: {child['pupils']:,} pupils, {schools} schools, {child['marks']:,} marks, "
        f"{child['bytes'] / 1e9:.2f} GB of CSV in {wall:.1f} s (inside the generator "
        f"{child['seconds']:.1f} s); peak memory {peak:.0f} MB (parent {child['self_mb']:.0f} MB "
        f"+ {child['workers']} workers x {child['workers_mb']:.0f} MB)",
        flush=True,
    )
    return {
        "generate_pupils": child["pupils"],
        "generate_schools": schools,
        "generate_marks": child["marks"],
        "generate_csv_gb": round(child["bytes"] / 1e9, 2),
        "generate_s": round(wall, 2),
        "generate_peak_mb": round(peak),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few seconds")
    parser.add_argument("--out", help="work directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--ctf-only", action="store_true", help="only the CTF import figure")
    parser.add_argument(
        "--generate-child", nargs=3, metavar=("OUT", "PUPILS", "SCHOOLS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.generate_child:
        out, pupils, schools = args.generate_child
        generate_child(out, int(pupils), int(schools))
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    work = Path(args.out or tempfile.mkdtemp(prefix="trustwide-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    marks, pupils, schools = (100_000, 6_000, 10) if args.quick else (1_000_000, 60_000, 100)
    print(f"work directory {work}; {os.cpu_count()} CPUs; quick={args.quick}", flush=True)
    if args.ctf_only:
        try:
            figures = bench_ctf(work, 2_000)
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        figures.update(
            {"target_ctf_s": TARGET_CTF_S, "ctf_ok": figures["ctf_import_s"] <= TARGET_CTF_S}
        )
        print(json.dumps(figures))
        return
    try:
        # Generation first: a child forked from a process that already holds the import's
        # data would report that data in its peak memory (ru_maxrss survives exec).
        figures = {"quick": args.quick, **bench_generate(work, pupils, schools)}
        figures.update(bench_import(work, marks))
        figures.update(bench_ctf(work, 2_000 if not args.quick else 500))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if not args.quick:
        figures["generate_60k_s"] = figures["generate_s"]
        figures["generate_60k_peak_mb"] = figures["generate_peak_mb"]
    figures.update(
        {
            "target_import_s": TARGET_IMPORT_S,
            "target_generate_s": TARGET_GENERATE_S,
            "target_generate_mb": TARGET_GENERATE_MB,
            "target_ctf_s": TARGET_CTF_S,
            "ctf_ok": figures["ctf_import_s"] <= TARGET_CTF_S,
            "import_ok": figures["import_1m_marks_s"] <= TARGET_IMPORT_S,
            "generate_ok": (
                figures["generate_s"] <= TARGET_GENERATE_S
                and figures["generate_peak_mb"] <= TARGET_GENERATE_MB
            ),
        }
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
