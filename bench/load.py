"""Load benchmark: 50 logged-in people against `trustwide serve` on PostgreSQL.

    .venv/bin/python bench/load.py [--users 50] [--duration 120] [--workers N] [--threads T]
                                   [--admin-url postgres://postgres@127.0.0.1:5432/postgres]

Creates a PostgreSQL database of its own (tw_bench_load_<pid>, dropped at the end), builds the
12-school demo in it, starts `trustwide serve` (web processes, task worker, scheduler) on a free
loopback port, and drives --users people for --duration seconds with a bounded asyncio client
(aiohttp, one cookie jar per person): 20% trust leaders, 50% heads, 30% governors, each signing
in once and then reading pages with 1-3 s of think time - mostly the home page, dashboards and
plans, a few form posts (a head re-saving an action's progress) and a few PDFs. A separate
prober requests a trivial page (the sign-in form) every 0.5 s in the same run: if it waits as
long as the heavy pages, the server is queueing.

Prints, per page type: requests, errors, p50/p95/p99 in ms; then overall req/s and errors,
and the trivial page's figures. Targets (issue 20): p95 < 500 ms for every HTML page, 0 errors,
trivial p95 < 100 ms. Only loopback addresses are used. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROOT = REPO / "var" / "bench" / "load"
PYTHON = sys.executable
DEMO_PASSWORD = "demo-trustwide-2026"

FIXTURE_SCRIPT = r"""
import json
from trustwide.accounts.models import Membership
from trustwide.dashboards.views import YEAR_GROUPS
from trustwide.planning.models import Action, SchoolPlan
from trustwide.trusts.models import Trust
trust = Trust.objects.get(slug="larkspur-valley")
out = {"trust": trust.slug, "groups": sorted(YEAR_GROUPS), "leaders": [], "heads": [], "governors": []}
schools = list(trust.schools.values_list("pk", flat=True))
out["schools"] = schools
plans = {}
for plan in SchoolPlan.objects.filter(school__trust=trust):
    plans.setdefault(plan.school_id, []).append(plan.pk)
actions = {}
for a in Action.objects.filter(priority__plan__school__trust=trust).values("pk", "priority__plan__school_id"):
    actions.setdefault(a["priority__plan__school_id"], []).append(a["pk"])
for m in Membership.objects.filter(trust=trust).select_related("user"):
    key = {"trust_leader": "leaders", "headteacher": "heads", "local_governor": "governors"}.get(m.role)
    if key:
        out[key].append({"email": m.user.email, "school": m.school_id,
                         "plans": plans.get(m.school_id, []), "actions": actions.get(m.school_id, [])})
print("FIXTURE" + json.dumps(out))
"""


# -- set-up ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def admin_sql(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def run(cmd: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=REPO, check=True, text=True, capture_output=True, **kw)


def wait_until_up(base: str, timeout: float = 180) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/login/", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise SystemExit(
        "trustwide serve did not answer within 3 minutes; see var/bench/load/serve.log"
    )


# -- the simulated people ---------------------------------------------------------------------


class FormFields(HTMLParser):
    """The current values of the page's main POST form (the one with most fields: the header's
    sign-out form has only its token), to re-submit it unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.current: dict[str, str] | None = None
        self._select = self._textarea = None

    @property
    def fields(self) -> dict[str, str]:
        return max(self.forms, key=len, default={})

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.current = {}
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.current[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.current[self._select] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.current[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea and self.current is not None:
            self.current[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self.current = None


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Stats:
    def __init__(self):
        self.times = defaultdict(list)  # page type -> seconds
        self.errors = defaultdict(int)
        self.error_samples: list[str] = []

    def add(self, page: str, seconds: float, ok: bool, detail: str = ""):
        self.times[page].append(seconds)
        if not ok:
            self.errors[page] += 1
            if len(self.error_samples) < 10:
                self.error_samples.append(f"{page}: {detail}")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] * 1000


def pages_for(
    kind: str, person: dict, fx: dict, rng: random.Random
) -> list[tuple[str, str, float]]:
    """(page type, path, weight) for one person."""
    t = fx["trust"]
    school = person["school"] or rng.choice(fx["schools"])
    plan = f"/plans/{person['plans'][0]}/" if person["plans"] else None
    group = rng.choice(fx["groups"])
    if kind == "leader":
        any_school = rng.choice(fx["schools"])
        return [
            ("home", "/", 3),
            ("trust dashboard", f"/trusts/{t}/dashboard/", 3),
            ("board report", f"/trusts/{t}/board-report/", 1),
            ("trust risks", f"/trusts/{t}/risks/", 1),
            ("plan roll-up", f"/trusts/{t}/plan-rollup/", 1),
            ("strategic plan", f"/trusts/{t}/strategic-plan/", 1),
            ("school dashboard", f"/schools/{any_school}/dashboard/", 2),
            ("board report PDF", f"/trusts/{t}/board-report.pdf", 0.05),
        ]
    if kind == "head":
        pages = [
            ("home", "/", 3),
            ("school dashboard", f"/schools/{school}/dashboard/", 3),
            ("plan list", f"/schools/{school}/plans/", 1),
            ("year group", f"/schools/{school}/dashboard/{group}/", 1),
            ("school risks", f"/schools/{school}/risks/", 1),
            ("head report", f"/schools/{school}/head-report/", 1),
            ("head report PDF", f"/schools/{school}/head-report.pdf", 0.05),
        ]
        if plan:
            pages.append(("plan", plan, 2))
        if person["actions"]:
            pages.append(
                ("POST action progress", f"/actions/{rng.choice(person['actions'])}/progress/", 0.3)
            )
        return pages
    pages = [
        ("home", "/", 3),
        ("school dashboard", f"/schools/{school}/dashboard/", 2),
        ("head report", f"/schools/{school}/head-report/", 1),
        ("governor visits", f"/schools/{school}/governor-visits/", 1),
        ("my tasks", "/my/tasks/", 1),
        ("calendar", "/my/calendar/", 1),
    ]
    if plan:
        pages.append(("plan", plan, 1))
    return pages


async def timed(session, stats: Stats, page: str, method: str, url: str, **kw) -> str | None:
    import aiohttp

    started = time.perf_counter()
    try:
        async with session.request(method, url, allow_redirects=False, **kw) as r:
            body = await r.read()
            elapsed = time.perf_counter() - started
            ok = r.status < 400
            stats.add(page, elapsed, ok, f"HTTP {r.status} {url}")
            return body.decode("utf-8", "replace") if ok else None
    except (TimeoutError, aiohttp.ClientError) as exc:
        stats.add(page, time.perf_counter() - started, False, f"{type(exc).__name__} {url}")
        return None


async def person_loop(kind, person, fx, base, stats, stop_at, rng, login_gate):
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(
        base_url=base, timeout=timeout, cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as s:
        await asyncio.sleep(rng.uniform(0, 10))  # people arrive over the first 10 s
        async with login_gate:
            page = await timed(s, stats, "sign-in form", "GET", "/login/")
            token = CSRF.search(page or "")
            if not token:
                return
            await timed(
                s,
                stats,
                "POST sign-in",
                "POST",
                "/login/",
                data={
                    "csrfmiddlewaretoken": token.group(1),
                    "username": person["email"],
                    "password": DEMO_PASSWORD,
                    "next": "/",
                },
            )
        pages = pages_for(kind, person, fx, rng)
        weights = [w for _, _, w in pages]
        while time.monotonic() < stop_at:
            await asyncio.sleep(rng.uniform(1, 3))
            if time.monotonic() >= stop_at:
                break
            name, path, _ = rng.choices(pages, weights)[0]
            if name.startswith("POST "):
                html = await timed(s, stats, "form page", "GET", path)
                if html:
                    form = FormFields()
                    form.feed(html)
                    await timed(s, stats, name, "POST", path, data=form.fields)
            else:
                await timed(s, stats, name, "GET", path)


async def prober(base, stats, stop_at):
    import aiohttp

    async with aiohttp.ClientSession(base_url=base) as s:
        while time.monotonic() < stop_at:
            await timed(s, stats, "TRIVIAL (sign-in form)", "GET", "/login/")
            await asyncio.sleep(0.5)


async def drive(base: str, fx: dict, users: int, duration: float, seed: int) -> tuple[Stats, float]:
    rng = random.Random(seed)
    mix = ["leader"] * round(users * 0.2) + ["head"] * round(users * 0.5)
    mix += ["governor"] * (users - len(mix))
    pools = {"leader": fx["leaders"], "head": fx["heads"], "governor": fx["governors"]}
    stats = Stats()
    started = time.monotonic()
    stop_at = started + duration
    login_gate = asyncio.Semaphore(10)
    tasks = [
        person_loop(
            kind,
            pools[kind][i % len(pools[kind])],
            fx,
            base,
            stats,
            stop_at,
            random.Random(rng.random()),
            login_gate,
        )
        for i, kind in enumerate(mix)
    ]
    await asyncio.gather(prober(base, stats, stop_at), *tasks)
    return stats, time.monotonic() - started


# -- report -------------------------------------------------------------------------------------


def report(stats: Stats, elapsed: float, setup: dict) -> dict:
    rows = {}
    print(f"\n{'page':<26}{'n':>6}{'err':>5}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for page in sorted(stats.times, key=lambda p: (p.startswith("TRIVIAL"), p)):
        t = stats.times[page]
        rows[page] = {
            "n": len(t),
            "errors": stats.errors[page],
            "p50_ms": round(pct(t, 50)),
            "p95_ms": round(pct(t, 95)),
            "p99_ms": round(pct(t, 99)),
        }
        r = rows[page]
        print(
            f"{page:<26}{r['n']:>6}{r['errors']:>5}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}"
        )
    total = sum(len(t) for p, t in stats.times.items() if not p.startswith("TRIVIAL"))
    errors = sum(n for p, n in stats.errors.items() if not p.startswith("TRIVIAL"))
    print(
        f"\n{total} requests from the simulated people in {elapsed:.0f} s: {total / elapsed:.1f} req/s, "
        f"{errors} errors"
    )
    for sample in stats.error_samples:
        print(f"  error: {sample}")
    html = [
        p
        for p in rows
        if not p.startswith(("TRIVIAL", "POST", "board report PDF", "head report PDF"))
    ]
    worst = max(html, key=lambda p: rows[p]["p95_ms"]) if html else None
    trivial = rows.get("TRIVIAL (sign-in form)", {})
    if worst:
        print(
            f"worst HTML p95: {worst} {rows[worst]['p95_ms']} ms (target < 500); "
            f"trivial p95 {trivial.get('p95_ms')} ms (target < 100)"
        )
    result = {
        "setup": setup,
        "elapsed_s": round(elapsed, 1),
        "requests": total,
        "req_per_s": round(total / elapsed, 1),
        "errors": errors,
        "pages": rows,
    }
    print(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120)
    parser.add_argument(
        "--workers", type=int, default=None, help="serve --workers (default: its own)"
    )
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("TRUSTWIDE_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    if not re.match(
        r"^postgres(ql)?://[^@/]*@?(127\.0\.0\.1|localhost|\[::1\])[:/]", args.admin_url
    ):
        raise SystemExit("bench/load.py only talks to a PostgreSQL server on a loopback address.")

    db = f"tw_bench_load_{os.getpid()}"
    server_url = args.admin_url.rsplit("/", 1)[0]
    if ROOT.exists():
        shutil.rmtree(ROOT)
    ROOT.mkdir(parents=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"{server_url}/{db}",
        "TRUSTWIDE_VAR_DIR": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "PYTHONPATH": str(REPO),
        "TRUSTWIDE_DEBUG": "0",
    }
    env.pop("TRUSTWIDE_DATA_DIR", None)
    cli = [PYTHON, "-m", "trustwide.cli"]
    admin_sql(args.admin_url, f'CREATE DATABASE "{db}"')
    server = None
    try:
        t0 = time.monotonic()
        run([*cli, "migrate", "--verbosity", "0"], env)
        run([*cli, "demo"], env)
        setup = {
            "database": "postgresql",
            "schools": 12,
            "demo_build_s": round(time.monotonic() - t0, 1),
            "users": args.users,
            "duration_s": args.duration,
        }
        out = run([*cli, "shell", "-c", FIXTURE_SCRIPT], env).stdout
        fx = json.loads(out[out.index("FIXTURE") + len("FIXTURE") :])
        port = free_port()
        serve = [*cli, "serve", "--host", "127.0.0.1", "--port", str(port)]
        if args.workers:
            serve += ["--workers", str(args.workers)]
        if args.threads:
            serve += ["--threads", str(args.threads)]
        log = open(ROOT / "serve.log", "w")
        server = subprocess.Popen(
            serve, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base)
        banner = [
            line
            for line in (ROOT / "serve.log").read_text().splitlines()
            if "Trustwide is at" in line
        ]
        setup["serve"] = banner[0].split("  ", 1)[-1] if banner else " ".join(serve[3:])
        print(
            f"serving {base} {setup['serve']}; demo built in {setup['demo_build_s']} s; "
            f"driving {args.users} people for {args.duration:.0f} s ...",
            flush=True,
        )
        load_before = os.getloadavg()[0]
        stats, elapsed = asyncio.run(drive(base, fx, args.users, args.duration, args.seed))
        # The machine is shared: say how busy it was, so figures are read in context.
        setup["load_average_1min"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
        setup["cores"] = os.cpu_count()
        report(stats, elapsed, setup)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)  # serve stops its web, worker and scheduler children
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)  # the session this script started
                server.wait()
        admin_sql(args.admin_url, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
