"""KPI refresh benchmark.

    .venv/bin/python bench/kpis.py --size S|M|L|N [--runs 3] [--root var/bench]

Generates (or reuses) a synthetic store under var/bench/<size>/, then times, in this process
and on the same store: the full refresh (iter_kpis, every KPI, group and period, streamed
batch by batch as the refresh service runs it), the engine's attendance KPIs alone, two
hand-written DuckDB SQL references of the attendance KPIs (trustwide/kpis/reference_sql.py):
one over the store's derived weekly attendance counts, which is what the engine reads (the
like-for-like yardstick: attendance_s / reference_s is the 1.3 target), and one over every
session mark (the definition; also a check that the derived counts are right), and a raw scan
of the marks (count(*) and count per code). Each is called once untimed as a warm-up
(reported as *_cold_s for the engine: the first call in a process compiles the Ibis
expressions), then --runs times, interleaved so that a change in the machine's load hits all
alike. The last line printed is one JSON object with the medians, the ratios, peak RSS and the
load average.

The engine reads the store's shards (trustwide/data/derived.py: each dataset by group of 256
schools, and the marks as weekly counts). Imports write them batch by batch; here the
generator's files are sharded afterwards with AnalyticsStore.ensure_derived, in a child
process: that cost moves from every refresh to the import, and is reported as derive_s when
the store is first sharded (bench/imports.py times it as part of an import).

The synthetic writer is our own, direct to Parquet with numpy, so it is fast and does not
depend on the data package's generator: realistic code mix (pupil-level absence propensity
drawn from a Beta distribution so persistent absence is around a fifth of pupils, lates,
approved activities, dual registration, not-counted codes, a closure day), joiners and
leavers, a few summaries-only schools, and termly assessments and statutory results.
Generation runs in a child process so its memory does not count in peak_rss_mb.

Size N (9 million pupils, 3.3 billion marks, 17,226 schools) is written by the same streaming
writer (one school at a time, bounded memory): 2.7 GB of Parquet in 8-15 minutes on 2 cores,
then about 6 minutes to shard it. Run it as
`--size N --runs 1 --no-warmup --skip-reference`: the reference over the marks reads the whole
trust in one query (it spilled 47 GB to disk within the engine's 2.5 GB DuckDB budget before it
was stopped), so at N it is skipped and its ratio is null.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SIZES = {"S": 6_000, "M": 60_000, "L": 600_000, "N": 9_000_000}
TRUST = 1
YEAR = 2025
TERMS = [
    ("autumn", date(2025, 9, 3), date(2025, 12, 19)),
    ("spring", date(2026, 1, 5), date(2026, 3, 27)),
    ("summer", date(2026, 4, 13), date(2026, 7, 22)),
]
HOLIDAYS = [
    (date(2025, 10, 27), date(2025, 10, 31)),
    (date(2026, 2, 16), date(2026, 2, 20)),
    (date(2026, 5, 25), date(2026, 5, 29)),
]
AS_OF = date(2026, 2, 13)
FORMAT_VERSION = "2"  # 2: KS4 subject grades, KS2 GPS and the MTC in the statutory results
KS4_BENCH_SUBJECTS = (
    ("ENG_LANG", 1.0),
    ("ENG_LIT", 0.94),
    ("MATHS", 1.0),
    ("COMB_SCI", 0.8),
    ("BIOLOGY", 0.2),
    ("CHEMISTRY", 0.2),
    ("PHYSICS", 0.2),
    ("HISTORY", 0.5),
    ("GEOGRAPHY", 0.5),
    ("FRENCH", 0.4),
    ("ART", 0.3),
    ("PE", 0.3),
    ("BUSINESS", 0.3),
    ("MUSIC", 0.2),
)

PRESENT_MIX = {
    "/": 0.955,
    "L": 0.025,
    "B": 0.006,
    "V": 0.005,
    "P": 0.003,
    "K": 0.002,
    "W": 0.001,
    "D": 0.003,
}
ABSENT_MIX = {
    "I": 0.46,
    "M": 0.08,
    "O": 0.14,
    "G": 0.08,
    "N": 0.05,
    "C": 0.05,
    "U": 0.03,
    "E": 0.02,
    "R": 0.02,
    "C2": 0.02,
    "S": 0.01,
    "J1": 0.005,
    "T": 0.005,
    "C1": 0.01,
}
CODES = ["/", "\\", *[c for c in PRESENT_MIX if c != "/"], *ABSENT_MIX, "#", "X", "Y4"]
CODE_INDEX = {c: i for i, c in enumerate(CODES)}


def school_days() -> list[date]:
    days = []
    for _, start, end in TERMS:
        d = start
        while d <= end:
            if d.weekday() < 5 and not any(a <= d <= b for a, b in HOLIDAYS):
                days.append(d)
            d += timedelta(days=1)
    return days


def _epoch_days(d: date) -> int:
    return (d - date(1970, 1, 1)).days


# Made-up Attainment 8 estimates for the refresh (not DfE's figures): [low, low + 0.5) -> A8,
# with a minimum pupil Progress 8 score, so the refresh runs Progress 8 and its cap.
BENCH_ESTIMATES = [(80 + i / 2, 80.5 + i / 2, 10.0 + i, -2.5) for i in range(81)]


def _write(root: Path, dataset: str, urn: int, table: pa.Table) -> None:
    out = root / dataset / f"trust={TRUST}" / f"school={urn}" / f"year={YEAR}"
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out / "part-0.parquet", row_group_size=256 * 1024)


def _common(n: int, urn: int) -> dict:
    return {
        "school_urn": pa.array(np.full(n, urn, np.int32)),
        "academic_year": pa.array(np.full(n, YEAR, np.int16)),
        "batch_id": pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(n, np.int32)), pa.array(["bench"])
        ),
    }


def _choice(rng, mix: dict, n: int) -> np.ndarray:
    codes = list(mix)
    p = np.array([mix[c] for c in codes], float)
    idx = rng.choice(len(codes), size=n, p=p / p.sum())
    return np.array([CODE_INDEX[c] for c in codes], np.uint8)[idx]


def generate_school(
    root: Path, urn: int, n: int, seed: int, *, primary: bool, summaries_only: bool
) -> int:
    rng = np.random.default_rng(seed)
    days = school_days()
    n_days = len(days)
    keys = np.array([f"{urn:06d}{i:010x}"[-16:] for i in range(n)], dtype=object)
    year_groups = rng.integers(0, 7, n) if primary else rng.integers(7, 12, n)
    dis = rng.random(n) < 0.27
    sen = rng.choice(np.array(["N", "K", "E"], dtype=object), size=n, p=[0.83, 0.13, 0.04])
    start_day = np.where(rng.random(n) < 0.04, rng.integers(1, n_days, n), 0)
    end_day = np.where(rng.random(n) < 0.04, rng.integers(1, n_days, n), n_days)
    end_day = np.maximum(end_day, start_day + 1)
    joined = np.array([_epoch_days(days[s]) for s in start_day], np.int32)
    left = [None if e == n_days else days[e - 1] for e in end_day]

    chars = pa.table(
        {
            **_common(n, urn),
            "pupil_key": pa.array(keys, pa.string()),
            "year_group": pa.array(year_groups.astype(np.int8)),
            "sex": pa.array(rng.choice(np.array(["F", "M"], dtype=object), n), pa.string()),
            "disadvantaged": pa.array(dis),
            "fsm": pa.array(dis & (rng.random(n) < 0.8)),
            "sen": pa.array(sen, pa.string()),
            "eal": pa.array(rng.random(n) < 0.2),
            "prior_band": pa.array(
                rng.choice(np.array(["low", "middle", "high"], dtype=object), n), pa.string()
            ),
            "joined_on": pa.array(joined, pa.int32()).cast(pa.date32()),
            "left_on": pa.array(left, pa.date32()),
        }
    )
    _write(root, "characteristics", urn, chars)

    # Sessions: pupil-major, two per school day while on roll.
    per_pupil = (end_day - start_day) * 2
    total = int(per_pupil.sum())
    pupil_idx = np.repeat(np.arange(n, dtype=np.int32), per_pupil)
    offsets = np.arange(total) - np.repeat(np.cumsum(per_pupil) - per_pupil, per_pupil)
    day_idx = np.repeat(start_day, per_pupil) + offsets // 2
    is_pm = (offsets % 2).astype(bool)
    propensity = rng.beta(1.3, 15.0 if primary else 12.0, n) * np.where(dis, 1.6, 1.0)
    absent = rng.random(total) < propensity[pupil_idx]
    code = _choice(rng, PRESENT_MIX, total)
    code = np.where(is_pm & (code == CODE_INDEX["/"]), CODE_INDEX["\\"], code)
    n_abs = int(absent.sum())
    code[absent] = _choice(rng, ABSENT_MIX, n_abs)
    closure = rng.integers(0, n_days)
    code[day_idx == closure] = CODE_INDEX["#"]
    if primary:  # Reception pupils below compulsory school age: some X sessions
        code[(year_groups[pupil_idx] == 0) & (rng.random(total) < 0.01)] = CODE_INDEX["X"]
    date_arr = np.array([_epoch_days(d) for d in days], np.int32)[day_idx]

    if summaries_only:
        _write_summaries(root, urn, n, keys, pupil_idx, day_idx, code, days)
    else:
        marks = pa.table(
            {
                **_common(total, urn),
                "pupil_key": pa.DictionaryArray.from_arrays(
                    pa.array(pupil_idx), pa.array(keys, pa.string())
                ),
                "date": pa.array(date_arr, pa.int32()).cast(pa.date32()),
                "session": pa.DictionaryArray.from_arrays(
                    pa.array(is_pm.astype(np.int8)), pa.array(["AM", "PM"])
                ),
                "code": pa.DictionaryArray.from_arrays(
                    pa.array(code.astype(np.int8)), pa.array(CODES)
                ),
            }
        )
        _write(root, "attendance_marks", urn, marks)

    _write_assessments(root, urn, n, keys, rng, propensity)
    _write_statutory(root, urn, n, keys, year_groups, rng, primary)
    return 0 if summaries_only else total


def _write_summaries(root, urn, n, keys, pupil_idx, day_idx, code, days):
    # One summary row per pupil per term.
    term_of_day = np.array(
        [next(i for i, (_, s, e) in enumerate(TERMS) if s <= d <= e) for d in days]
    )
    t = term_of_day[day_idx]
    cls = np.zeros(len(CODES), np.int8)  # 0 present, 1 auth, 2 unauth, 3 not counted
    for c, i in CODE_INDEX.items():
        cls[i] = (
            1
            if c in {"I", "M", "C", "E", "R", "C2", "S", "J1", "T", "C1"}
            else (2 if c in {"O", "G", "N", "U"} else (3 if c in {"#", "X", "Y4", "D"} else 0))
        )
    k = cls[code]
    out = {
        c: []
        for c in (
            "pupil_key",
            "period_start",
            "period_end",
            "possible",
            "present",
            "authorised",
            "unauthorised",
            "not_counted",
        )
    }
    key_idx = pupil_idx.astype(np.int64) * 3 + t
    counts = [np.bincount(key_idx[k == j], minlength=n * 3) for j in range(4)]
    for p in range(n):
        for ti, (_, s, e) in enumerate(TERMS):
            j = p * 3 + ti
            pres, au, un, nc = (int(c[j]) for c in counts)
            if pres + au + un + nc == 0:
                continue
            out["pupil_key"].append(keys[p])
            out["period_start"].append(s)
            out["period_end"].append(e)
            out["possible"].append(pres + au + un)
            out["present"].append(pres)
            out["authorised"].append(au)
            out["unauthorised"].append(un)
            out["not_counted"].append(nc)
    m = len(out["pupil_key"])
    table = pa.table(
        {
            **_common(m, urn),
            "pupil_key": pa.array(out["pupil_key"], pa.string()),
            "period_start": pa.array(out["period_start"], pa.date32()),
            "period_end": pa.array(out["period_end"], pa.date32()),
            **{
                c: pa.array(out[c], pa.int32())
                for c in ("possible", "present", "authorised", "unauthorised", "not_counted")
            },
        }
    )
    _write(root, "attendance_summaries", urn, table)


def _write_assessments(root, urn, n, keys, rng, propensity):
    subjects = ["reading", "writing", "maths"]
    terms = ["autumn", "spring", "summer"]
    start = np.clip(np.round(rng.normal(1.7, 0.8, n) - propensity * 5), 0, 3).astype(int)
    rows_key, rows_term, rows_subj, rows_j = [], [], [], []
    bands = np.array(["PRE", "WTS", "EXS", "GDS"], dtype=object)
    for s in subjects:
        cur = np.clip(start + rng.integers(-1, 2, n), 0, 3)
        for t in terms:
            cur = np.clip(cur + (rng.random(n) < 0.15) - (rng.random(n) < 0.05), 0, 3)
            rows_key.append(keys)
            rows_term.append(np.full(n, t, dtype=object))
            rows_subj.append(np.full(n, s, dtype=object))
            rows_j.append(bands[cur])
    m = n * 9
    table = pa.table(
        {
            **_common(m, urn),
            "pupil_key": pa.array(np.concatenate(rows_key), pa.string()),
            "term": pa.array(np.concatenate(rows_term), pa.string()),
            "subject": pa.array(np.concatenate(rows_subj), pa.string()),
            "judgement": pa.array(np.concatenate(rows_j), pa.string()),
            "score": pa.nulls(m, pa.float64()),
        }
    )
    _write(root, "assessments", urn, table)


def _write_statutory(root, urn, n, keys, year_groups, rng, primary):
    rec = {"pupil_key": [], "measure": [], "value_num": [], "value_text": []}

    def add(mask, measure, nums=None, texts=None):
        idx = np.flatnonzero(mask)
        rec["pupil_key"] += list(keys[idx])
        rec["measure"] += [measure] * len(idx)
        rec["value_num"] += list(nums[idx]) if nums is not None else [None] * len(idx)
        rec["value_text"] += list(texts[idx]) if texts is not None else [None] * len(idx)

    if primary:
        add(
            year_groups == 0,
            "EYFS_GLD",
            texts=np.where(rng.random(n) < 0.68, "Y", "N").astype(object),
        )
        add(year_groups == 1, "PHONICS_Y1", nums=np.clip(rng.normal(34, 6, n), 0, 40).round())
        y6 = year_groups == 6
        add(y6, "KS2_READ", nums=np.clip(rng.normal(105, 7, n), 80, 120).round())
        add(y6, "KS2_MAT", nums=np.clip(rng.normal(104, 7, n), 80, 120).round())
        add(
            y6,
            "KS2_WRIT_TA",
            texts=rng.choice(
                np.array(["PKF", "WTS", "EXS", "GDS"], object), n, p=[0.05, 0.23, 0.59, 0.13]
            ),
        )
        add(y6, "KS2_GPS", nums=np.clip(rng.normal(105, 7, n), 80, 120).round())
        add(year_groups == 4, "MTC", nums=np.clip(rng.normal(21, 4, n), 0, 25).round())
    else:
        # KS4 subject grades (the ks4 family computes Attainment 8 from them): ten subjects a
        # pupil, KS2 prior attainment for 95%.
        y11 = year_groups == 11
        level = rng.normal(4.6, 1.7, n)
        for subject, share in KS4_BENCH_SUBJECTS:
            grade = np.clip(np.round(level + rng.normal(0, 0.9, n)), 1, 9)
            add(y11 & (rng.random(n) < share), "KS4_" + subject, nums=grade)
        prior = np.clip(np.round(2 * (104 + 3.8 * (level - 4.6))) / 2, 80, 120)
        add(y11 & (rng.random(n) < 0.95), "KS4_KS2_PRIOR", nums=prior)
    m = len(rec["pupil_key"])
    _write(
        root,
        "statutory",
        urn,
        pa.table(
            {
                **_common(m, urn),
                "pupil_key": pa.array(rec["pupil_key"], pa.string()),
                "measure": pa.array(rec["measure"], pa.string()),
                "value_num": pa.array(rec["value_num"], pa.float64()),
                "value_text": pa.array(rec["value_text"], pa.string()),
            }
        ),
    )
    leavers = year_groups == (6 if primary else 11)
    idx = np.flatnonzero(leavers)
    sustained = rng.random(len(idx))
    _write(
        root,
        "transitions",
        urn,
        pa.table(
            {
                **_common(len(idx), urn),
                "pupil_key": pa.array(keys[idx], pa.string()),
                "from_phase": pa.array(["primary" if primary else "secondary"] * len(idx)),
                "destination": pa.array(
                    ["secondary school" if primary else "sixth form"] * len(idx)
                ),
                "destination_urn": pa.nulls(len(idx), pa.int32()),
                "sustained": pa.array(
                    np.where(sustained < 0.03, None, sustained < 0.9).tolist(), pa.bool_()
                ),
            }
        ),
    )


def plan(pupils: int) -> list[tuple[int, int, bool, bool]]:
    """(urn, pupils, primary, summaries_only) per school: 3 primaries (~330) per secondary
    (~1,100), about 1 in 50 schools summaries-only."""
    out, urn, left, i = [], 200000, pupils, 0
    while left > 0:
        primary = i % 4 != 3
        size = min(left, 330 if primary else 1100)
        out.append((urn, size, primary, i % 50 == 17))
        urn, left, i = urn + 1, left - size, i + 1
    return out


def generate(root: Path, size: str) -> None:
    schools = plan(SIZES[size])
    marks = 0
    t0 = time.perf_counter()
    for k, (urn, n, primary, summ) in enumerate(schools):
        marks += generate_school(root, urn, n, seed=urn, primary=primary, summaries_only=summ)
        if k % 200 == 0:
            print(
                f"  school {k + 1}/{len(schools)} ({time.perf_counter() - t0:.0f}s)",
                file=sys.stderr,
            )
    (root / "_BENCH.json").write_text(
        json.dumps(
            {
                "version": FORMAT_VERSION,
                "size": size,
                "pupils": SIZES[size],
                "marks": marks,
                "schools": [[u, n, p, s] for u, n, p, s in schools],
            }
        )
    )


def derive(root: Path) -> None:
    """Build the store's shards from the generated files, as imports do; record the cost in
    _BENCH.json the first time (what the imports of this store would have paid)."""
    from trustwide.data.store import AnalyticsStore

    t = time.perf_counter()
    done = AnalyticsStore(root).ensure_derived(TRUST, YEAR, processes=os.cpu_count() or 1)
    if done:
        meta_path = root / "_BENCH.json"
        meta = json.loads(meta_path.read_text())
        every = len(list((root / "_shards").glob(f"*/trust={TRUST}/shard=*/year={YEAR}/*.parquet")))
        # derive_s is the cost of sharding the whole store; a partial rebuild is kept apart.
        key = "derive_s" if len(done) == every else "derive_partial_s"
        meta.update({key: round(time.perf_counter() - t, 1), "derived_shards": len(done)})
        meta_path.write_text(json.dumps(meta))
        print(f"  built {len(done)} shards in {meta['derive_s']} s", file=sys.stderr)


def _median(xs: list[float]) -> float:
    xs = sorted(xs)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", choices=SIZES, default="S")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--root", default=str(REPO / "var" / "bench"))
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument(
        "--derive-only",
        action="store_true",
        help="build the store's shards (and weekly attendance counts) where missing",
    )
    ap.add_argument(
        "--skip-reference",
        action="store_true",
        help="do not run the hand-written SQL reference over the marks (size N: it "
        "reads the whole trust in one query and spills tens of GB to disk in the "
        "engine's memory budget; its ratio is then null)",
    )
    ap.add_argument(
        "--no-warmup",
        action="store_true",
        help="skip the untimed warm-up calls (size N: each call takes minutes); the "
        "*_cold_s figures are then the first timed run",
    )
    args = ap.parse_args()
    root = Path(args.root) / args.size
    meta_path = root / "_BENCH.json"

    if args.generate_only:
        generate(root, args.size)
        return
    if args.derive_only:
        derive(root)
        return
    fresh = (
        meta_path.exists() and json.loads(meta_path.read_text()).get("version") == FORMAT_VERSION
    )
    if not fresh:
        print(f"generating size {args.size} under {root} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, __file__, "--size", args.size, "--root", args.root, "--generate-only"],
            check=True,
        )
    # The shards imports would have written (a no-op when they are up to date).
    subprocess.run(
        [sys.executable, __file__, "--size", args.size, "--root", args.root, "--derive-only"],
        check=True,
    )
    meta = json.loads(meta_path.read_text())

    import duckdb

    from trustwide.kpis.engine import DUCKDB_MEMORY_LIMIT, DUCKDB_TEMP_DIR, compute_kpis, iter_kpis
    from trustwide.kpis.reference_sql import run_reference

    # Hubs of about eight schools, like a regional structure in a large trust.
    hubs = {u: (f"hub{k // 8}" if k % 9 else None) for k, (u, *_rest) in enumerate(meta["schools"])}
    kw = dict(
        store_root=root,
        trust_id=TRUST,
        academic_year=YEAR,
        school_hubs=hubs,
        terms=TERMS,
        as_of=AS_OF,
    )
    glob = str(root / "attendance_marks" / f"trust={TRUST}" / "*" / f"year={YEAR}" / "*.parquet")

    def scan():
        con = duckdb.connect()
        try:
            total = con.execute(f"SELECT count(*) FROM read_parquet('{glob}')").fetchone()[0]
            per_code = con.execute(
                f"SELECT code, count(*) FROM read_parquet('{glob}') GROUP BY code"
            ).fetchall()
            return total, per_code
        finally:
            con.close()

    def reference(source):
        # The same DuckDB limits as the engine's own connections, so both work in one budget.
        con = duckdb.connect()
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"SET temp_directory = '{DUCKDB_TEMP_DIR}'")
        try:
            return run_reference(con=con, source=source, **kw)
        finally:
            con.close()

    # The engine's jobs first: the peak RSS recorded after them is the engine's own.
    jobs = {
        # The full refresh as the service runs it: one batch of schools at a time, each batch
        # handed on (here counted) and dropped, so memory stays bounded at any size.
        # With an estimates table (made up for the bench, not DfE's: one per half point
        # 80-120, with a minimum score), so that Progress 8 and its cap are computed too.
        "refresh": lambda: sum(t.num_rows for t in iter_kpis(a8_estimates=BENCH_ESTIMATES, **kw)),
        # The whole table, to compare its rows with the references'.
        "attendance": lambda: compute_kpis(kpis=["attendance"], **kw),
        # Like for like: hand-written SQL over the same derived weekly counts.
        "reference": lambda: reference("weeks"),
        # The definition: hand-written SQL over every mark.
        "reference_marks": lambda: reference("marks"),
        "scan": scan,
    }
    if args.skip_reference:
        del jobs["reference_marks"]
    load_before = os.getloadavg()
    # Warm-up: one untimed call of each in this process (file cache, imports, and the
    # engine's compiled-SQL cache). The first engine calls are reported as *_cold_s: they
    # include compiling the Ibis expressions, which later refreshes in the same process skip.
    out, cold, rss = {}, {}, {}
    for name, fn in jobs.items():
        if args.no_warmup:
            break
        t = time.perf_counter()
        out[name] = fn()
        cold[name] = time.perf_counter() - t
        rss[name] = _rss_mb()
    # Timed runs, interleaved so a change in the machine's load hits every job alike.
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(args.runs):
        for name, fn in jobs.items():
            t = time.perf_counter()
            out[name] = fn()
            times[name].append(time.perf_counter() - t)
            if name not in cold:  # --no-warmup: the first timed call is the cold one
                cold[name], rss[name] = times[name][-1], _rss_mb()
            print(
                f"  {name}: {times[name][-1]:.3f} s, peak RSS {_rss_mb():.0f} MB",
                file=sys.stderr,
                flush=True,
            )
    load_after = os.getloadavg()
    med = {name: _median(ts) for name, ts in times.items()}
    n_marks = out["scan"][0]
    att, full = out["attendance"], out["refresh"]
    matches = att.equals(out["reference"])
    matches_marks = att.equals(out["reference_marks"]) if "reference_marks" in out else None
    if not matches or matches_marks is False:
        print("WARNING: engine attendance rows differ from a SQL reference", file=sys.stderr)
    peak = _rss_mb()
    print(
        "runs (s): "
        + "; ".join(f"{n} {[round(x, 3) for x in ts]}" for n, ts in times.items())
        + f"; cold (s): { {n: round(x, 3) for n, x in cold.items()} }"
        + f"; peak RSS after each job's first call (MB): {rss}; rows {full}; "
        f"cpus {os.cpu_count()}; load average before {load_before}, after {load_after}",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "refresh_s": round(med["refresh"], 3),
                "attendance_s": round(med["attendance"], 3),
                "reference_s": round(med["reference"], 3),
                "reference_marks_s": _r(med.get("reference_marks")),
                "scan_s": round(med["scan"], 3),
                "ratio_refresh_to_reference": round(med["refresh"] / med["reference"], 3),
                "ratio_attendance_to_reference": round(med["attendance"] / med["reference"], 3),
                "ratio_attendance_to_marks_reference": _r(
                    med.get("reference_marks") and med["attendance"] / med["reference_marks"]
                ),
                "ratio_refresh_to_scan": _r(med["refresh"] / med["scan"]),
                "refresh_min_s": round(min(times["refresh"]), 3),
                "attendance_min_s": round(min(times["attendance"]), 3),
                "reference_min_s": round(min(times["reference"]), 3),
                "refresh_cold_s": round(cold["refresh"], 3),
                "attendance_cold_s": round(cold["attendance"], 3),
                "runs": args.runs,
                "statistic": "median",
                "peak_rss_mb": round(peak, 1),
                # After the engine's own first calls, before the reference and the scan ran.
                "engine_peak_rss_mb": round(rss["attendance"], 1),
                "load_avg_1m_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
                "size": args.size,
                "pupils": meta["pupils"],
                "marks": n_marks,
                "rows": full,
                "reference_matches": matches,
                "reference_marks_matches": matches_marks,
                # Paid once by the imports, not by each refresh (null if derived before this run).
                "derive_s": meta.get("derive_s"),
            }
        )
    )


if __name__ == "__main__":
    main()
