"""Benchmark reading GIAS's national "all establishment data" file for one trust.

    .venv/bin/python bench/gias.py [--rows 50000]

Builds a file from GIAS's real header (../shared/data/gias) with `--rows` establishments
(cp1252, every column quoted as GIAS writes it), then times read_establishments for one trust.
The LAST line is one JSON object (issue 16: a national file previews in a few seconds; target 5 s).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

TARGET_S = 5.0


def main() -> None:
    import django

    django.setup()
    from trustwide.trusts import gias
    from trustwide.trusts.tests.gias_files import establishment, national_file

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    data = national_file(args.rows, [establishment(149000 + i) for i in range(12)])
    print(f"file: {args.rows + 12} rows, {len(data) / 1e6:.1f} MB")
    started = time.perf_counter()
    result = gias.read_establishments(io.BytesIO(data), trust_code="4015")
    seconds = time.perf_counter() - started
    assert not result.errors and len(result.establishments) == 12
    print(
        f"read for one trust: {seconds:.2f} s ({result.rows_read / seconds:,.0f} rows/s, {result.encoding})"
    )
    print(
        json.dumps(
            {
                "rows": result.rows_read,
                "mb": round(len(data) / 1e6, 1),
                "seconds": round(seconds, 2),
                "target_s": TARGET_S,
                "ok": seconds <= TARGET_S,
            }
        )
    )


if __name__ == "__main__":
    main()
