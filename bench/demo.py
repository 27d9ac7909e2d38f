"""Demo build benchmark (issue 20 item 7: `trustwide demo --schools 100 --hubs 5` in under 2 min).

    .venv/bin/python bench/demo.py [--schools 100] [--hubs 5] [--reference 12] [--no-reference]

Runs, in this process, `trustwide demo` into a fresh SQLite database in a temporary var
directory (or the database DATABASE_URL names: give it a database of its own): first the
default 12-school demo as a reference, then --schools/--hubs. For each build it prints wall
and CPU seconds of each app's step and of the whole build (CPU of every thread of this
process, DuckDB's and Arrow's too, and of the data generator's worker processes), and the
ratios to the reference; the machine's load average before
and after (the machine is shared: read the figures with it). Wall includes waiting for the
disk (the pupil-data store fsyncs each file it writes). The target: the large build's wall
time under 120 s. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
TARGET_S = 120.0


def cpu_seconds() -> float:
    """CPU of this process (every thread) and of its children that have ended (the data
    generator's worker processes)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )


STEPS: dict[str, tuple[float, float]] = {}  # the current build's steps: wall s, CPU s


def time_each_step() -> None:
    """Wrap each app's demo.build (once) to note its wall and CPU seconds in STEPS."""
    from trustwide.common.extensions import app_modules

    for module in app_modules("demo"):
        build = getattr(module, "build", None)
        if build is None or getattr(build, "timed", False):
            continue
        name = module.__name__.split(".")[1]

        def timed(ctx, _build=build, _name=name):
            wall, cpu = time.perf_counter(), cpu_seconds()
            try:
                return _build(ctx)
            finally:
                STEPS[_name] = (time.perf_counter() - wall, cpu_seconds() - cpu)

        timed.timed = True
        module.build = timed


def build(schools: int, hubs: int) -> dict:
    from django.core.management import call_command

    STEPS.clear()
    time_each_step()
    wall, cpu = time.perf_counter(), cpu_seconds()
    call_command("demo", schools=schools, hubs=hubs, stdout=io.StringIO())
    figures = {
        "schools": schools,
        "hubs": hubs,
        "wall_s": round(time.perf_counter() - wall, 1),
        "cpu_s": round(cpu_seconds() - cpu, 1),
        "steps": {name: [round(w, 1), round(c, 1)] for name, (w, c) in STEPS.items()},
    }
    print(f"demo --schools {schools} --hubs {hubs}: step, wall s, CPU s")
    for name, (w, c) in STEPS.items():
        print(f"  {name:<14} {w:6.1f} {c:6.1f}")
    print(f"  {'total':<14} {figures['wall_s']:6.1f} {figures['cpu_s']:6.1f}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--hubs", type=int, default=5)
    parser.add_argument("--reference", type=int, default=12, help="schools of the reference")
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="trustwide-bench-demo-") as var:
        os.environ["TRUSTWIDE_VAR_DIR"] = var
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        print(f"database: {connection.vendor}; load average before: {os.getloadavg()}")
        figures: dict = {"database": connection.vendor, "load_before": os.getloadavg()}
        reference = None if args.no_reference else build(args.reference, 3)
        large = build(args.schools, args.hubs)
        figures.update(large=large, reference=reference, load_after=os.getloadavg())
        if reference:
            figures["wall_ratio"] = round(large["wall_s"] / reference["wall_s"], 2)
            figures["cpu_ratio"] = round(large["cpu_s"] / reference["cpu_s"], 2)
            print(
                f"ratio to the {args.reference}-school build: wall {figures['wall_ratio']}, "
                f"CPU {figures['cpu_ratio']}"
            )
        figures["target_met"] = large["wall_s"] < TARGET_S
        print(
            f"target (wall < {TARGET_S:.0f} s): {'met' if figures['target_met'] else 'NOT met'}; "
            f"load average after: {figures['load_after']}"
        )
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
