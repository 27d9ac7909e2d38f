"""Fuzz the importers: many malformed files through validate_file, counting crashes and raw
library messages.

    PYTHONPATH=$PWD .venv/bin/python bench/fuzz_imports.py [--files 20000] [--seed 1] [--show 5]

Each file is a valid seed (every dataset; CSV in UTF-8, UTF-8 with BOM, Windows-1252, UTF-16
and UTF-32, three delimiters; or .xlsx) with one to four random edits of its bytes, or of the
XML inside the .xlsx: flips, truncations, repeated ranges, random bytes, huge or odd numbers
('99000²', 5,000 digits), quotes and line breaks, cell references past column XFD, byte-order
marks. A *crash* is any exception out of validate_file; a *raw message* is an error that
shows library text or undecoded bytes, is longer than trustwide/data/tests/fuzz_inputs.py
allows, or does not name the file. Deterministic for a seed. The last line printed is JSON.
Exits 1 when anything was found, printing the first --show cases of each kind (the failing
files are written under --out so they can become regression tests).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", type=int, default=5)
    parser.add_argument("--out", default="var/fuzz", help="where failing files are written")
    args = parser.parse_args()

    from trustwide.data.tests import fuzz_inputs as fz

    rng = random.Random(args.seed)
    outcomes: Counter = Counter()
    kinds: Counter = Counter()
    crashes, raws = [], []
    started = time.perf_counter()
    slowest = (0.0, "")
    for i in range(args.files):
        dataset, name, data = fz.mutated_file(rng)
        kinds["xlsx" if data[:2] == b"PK" else "csv"] += 1
        t0 = time.perf_counter()
        try:
            result = fz.validate(data, dataset, name)
        except Exception:  # the thing being counted
            outcomes["crash"] += 1
            crashes.append((i, dataset, name, data, traceback.format_exc(limit=3)))
            continue
        elapsed = time.perf_counter() - t0
        if elapsed > slowest[0]:
            slowest = (elapsed, f"#{i} {dataset} {name} {len(data):,} bytes")
        problems = fz.check(result, name, data)
        if problems:
            outcomes["raw message"] += 1
            raws.append((i, dataset, name, data, problems))
        outcomes["valid" if result.ok else "refused"] += 1
        if (i + 1) % 2000 == 0:
            print(
                f"{i + 1:,} files, {outcomes['crash']} crashes, {outcomes['raw message']} raw messages, "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )

    out = Path(args.out)
    for label, cases in (("crash", crashes), ("raw", raws)):
        for i, dataset, name, data, detail in cases[: args.show]:
            out.mkdir(parents=True, exist_ok=True)
            path = out / f"{label}-{i}-{dataset}-{name}"
            path.write_bytes(data)
            print(f"--- {label} #{i} ({dataset}, {name}) saved as {path}")
            print(detail if isinstance(detail, str) else "\n".join(detail))
    summary = {
        "files": args.files,
        "seed": args.seed,
        "crashes": outcomes["crash"],
        "raw_messages": outcomes["raw message"],
        "valid": outcomes["valid"],
        "refused": outcomes["refused"],
        "csv": kinds["csv"],
        "xlsx": kinds["xlsx"],
        "seconds": round(time.perf_counter() - started, 1),
        "slowest_s": round(slowest[0], 3),
        "slowest": slowest[1],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(
        f"{args.files:,} files, {summary['crashes']} crashes, {summary['raw_messages']} raw library messages"
    )
    print(json.dumps(summary))
    return 1 if crashes or raws else 0


if __name__ == "__main__":
    import django

    django.setup()
    sys.exit(main())
