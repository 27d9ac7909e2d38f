"""Synthetic trust generator: the CSV files each school would upload, calibrated to national figures.

Deterministic from a seed: a school's files depend only on (seed, school index), whatever the
number of worker processes. Streaming: one school at a time (a few MB of numpy arrays), its
register written straight to disk, so sizes run from one school to the whole country.

Layout written under out_dir:
    schools.csv                                  URN, name, phase, pupils (the trust's schools)
    manifest.json                                seed, sizes, targets, figures
    <start year>/<URN>/<dataset>.csv             default headers (docs/DATA.md)

Attendance model: each pupil gets an absence rate from a three-part distribution (below 10%,
10-50%, 50%+) whose weights are the pupil's own persistent and severe absence probabilities,
scaled by phase, disadvantage, SEN and school; that pins the mean, the PA rate and the severe
rate at once. The pupil's absence sessions are then placed in spells on school days, more in
summer than in autumn, and coded (illness, medical, unauthorised, ...).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import multiprocessing
import os
import threading
import time
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np

from trustwide.data import national as nat

DATASET_FILES = ("characteristics", "attendance_marks", "assessments", "statutory", "transitions")
_TERM_NAMES = ("autumn", "spring", "summer")
_TERM_FACTOR = (
    np.array([nat.ABSENCE_BY_TERM_2023_24[t] for t in _TERM_NAMES]) / nat.ABSENCE_2023_24["overall"]
)
_SECONDARY_TO_PRIMARY_SIZE = 3.4  # ASSUMPTION: average secondary about 3.4x a primary school
_MOBILITY = 0.03  # share of pupils joining, and of pupils leaving, during a year
# Mean absence rate inside each part of the rate distribution (see _absence_rates).
_MID_MEAN, _SEVERE_MEAN, _LOW_CAP = 0.2, 0.7, 0.095

FORENAMES = (
    "Oliver George Noah Arthur Muhammad Leo Harry Oscar Archie Henry Theodore Freddie Jack Charlie "
    "Theo Alfie Jacob Thomas Finley Arlo William Lucas Roman Tommy Isaac Teddy Luca Ethan Joshua "
    "Dylan Rhys Owain Siôn Ioan Mateusz Jakub Adebayo Chidi Kwame Aarav Arjun Rohan Yusuf Omar Ali "
    "José Ahmed Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella "
    "Grace Daisy Sienna Poppy Elsie Emily Ella Evelyn Phoebe Sofia Evie Zoë Chloé Siân Ffion Cerys "
    "Megan Niamh Aoife Saoirse Zofia Maja Amara Chioma Ama Aisha Fatima Maryam Zara Priya Ananya "
    "Saanvi Noémie Renée Ayşe"
).split()
SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson Evans "
    "Walker White Roberts Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner Martin Cooper "
    "Hill Ward Hughes Moore Clark King Harrison Lewis Baker Lee Allen Morris Khan Scott Watson Davis "
    "Parker James Bennett Young Phillips Richardson Mitchell Bailey Carter Cook Singh Shaw Bell "
    "Collins Morgan Kelly Begum Miller Cox Marshall Simpson Anderson Ellis Adams Wilkinson Ali "
    "Hussain Ahmed Mohammed Kaur Nowak Kowalski Wiśniewski Okafor Adeyemi Mensah Nguyen Chen Wang "
    "O'Brien O'Neill McCarthy Murphy Llewellyn Pryce Ó'Sé Müller Öztürk Brontë"
).split()


@dataclass(frozen=True)
class SchoolPlan:
    index: int
    urn: int
    name: str
    phase: str
    pupils: int
    la_code: int
    estab: int
    quality: float  # attainment shift in pupil-SD units (strong > 0)
    absence_factor: float  # multiplies every absence figure; pupil-weighted mean 1 per phase
    disadvantaged: float  # share of pupils; pupil-weighted mean = national
    closure_day: int  # index of a day the site closed (Y4), or -1


@dataclass
class GenerationSummary:
    out_dir: str
    seed: int
    schools: int
    pupils: int
    marks: int
    files: int
    bytes: int
    seconds: float
    academic_years: list[int]


def generate_trust(
    out_dir: str | os.PathLike,
    *,
    seed: int = 1,
    schools: int = 10,
    pupils_per_school: int | None = None,
    total_pupils: int | None = None,
    academic_years: int = 1,
    start_year: int = 2023,
    primary_share: float = nat.PRIMARY_PUPIL_SHARE,
    phases: list[str] | None = None,
    processes: int | None = None,
    first_urn: int = 137001,
    marks_until: dt.date | None = None,
) -> GenerationSummary:
    """Write one CSV per school per dataset per academic year (start_year .. + years - 1).

    Give either pupils_per_school (average) or total_pupils. `phases` fixes the phase of
    each school ('primary'/'secondary', cycled); otherwise the mix follows primary_share.
    processes: worker processes (default: up to 2, the CPUs here); 1 runs in-process.
    marks_until: register rows after this day are left out (a register exported part-way
    through the year); every draw is made as for the whole year, so the rows kept are the same.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plans = plan_trust(
        seed=seed,
        schools=schools,
        pupils_per_school=pupils_per_school,
        total_pupils=total_pupils,
        primary_share=primary_share,
        phases=phases,
        first_urn=first_urn,
    )
    secondary_urns = tuple(p.urn for p in plans if p.phase == "secondary")
    years = list(range(start_year, start_year + academic_years))
    tasks = [(str(out), seed, plan, years, secondary_urns, marks_until) for plan in plans]
    workers = processes or min(2, os.cpu_count() or 1)
    totals = {"pupils": 0, "marks": 0, "files": 0, "bytes": 0}
    if workers <= 1 or len(tasks) == 1:
        results = map(_school_task, tasks)
        pool = None
    else:
        # fork is fast and needs no `if __name__ == "__main__"` guard in the caller's script,
        # but forking a process that runs other threads can deadlock: spawn then.
        method = "fork" if threading.active_count() == 1 and os.name == "posix" else "spawn"
        pool = multiprocessing.get_context(method).Pool(workers)
        results = pool.imap_unordered(_school_task, tasks, chunksize=1)
    try:
        for result in results:
            for key in totals:
                totals[key] += result[key]
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    with open(out / "schools.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["URN", "School name", "Phase", "Pupils", "LA code", "Establishment number"]
        )
        for p in plans:
            writer.writerow([p.urn, p.name, p.phase, p.pupils, p.la_code, p.estab])
    summary = GenerationSummary(
        out_dir=str(out),
        seed=seed,
        schools=len(plans),
        pupils=totals["pupils"],
        marks=totals["marks"],
        files=totals["files"] + 1,
        bytes=totals["bytes"],
        seconds=round(time.perf_counter() - started, 3),
        academic_years=years,
    )
    manifest = {
        "summary": asdict(summary),
        "primary_share": primary_share,
        "targets": nat.TARGETS_2023_24,
        "expected_absence": nat.expected_absence(primary_share),
        "schools": [asdict(p) for p in plans],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return summary


def plan_trust(
    *,
    seed: int,
    schools: int,
    pupils_per_school: int | None,
    total_pupils: int | None,
    primary_share: float,
    phases: list[str] | None,
    first_urn: int,
) -> list[SchoolPlan]:
    """Sizes and effects of every school, drawn up front so they can be normalised: the
    trust as a whole then matches the national figures however few schools it has."""
    if schools < 1:
        raise ValueError("schools must be at least 1")
    rng = np.random.default_rng([seed, 7919])
    if phases:
        phase_list = [phases[i % len(phases)] for i in range(schools)]
    else:
        # Secondary schools are bigger, so their share of schools is below their pupil share.
        sec_ratio = (1 - primary_share) / (_SECONDARY_TO_PRIMARY_SIZE * primary_share)
        n_sec = round(schools * sec_ratio / (1 + sec_ratio)) if schools > 1 else 0
        sec_at = (
            set(np.linspace(0, schools - 1, n_sec).round().astype(int).tolist()) if n_sec else set()
        )
        phase_list = ["secondary" if i in sec_at else "primary" for i in range(schools)]
    weight = np.array([_SECONDARY_TO_PRIMARY_SIZE if p == "secondary" else 1.0 for p in phase_list])
    weight *= rng.uniform(0.75, 1.25, schools)
    if total_pupils is None:
        total_pupils = (pupils_per_school or 400) * schools
        sizes = weight / weight.mean() * (pupils_per_school or 400)
    else:
        is_sec = np.array([p == "secondary" for p in phase_list])
        share = np.where(is_sec, 1 - primary_share, primary_share)
        if is_sec.all() or not is_sec.any():
            share = np.ones(schools)
        sizes = np.zeros(schools)
        for group in (is_sec, ~is_sec):
            if group.any():
                sizes[group] = weight[group] / weight[group].sum() * total_pupils * share[group][0]
    sizes = np.maximum(sizes.round().astype(int), 30)
    # A few clearly strong and a few clearly weak schools, the rest in between.
    quality = rng.normal(0, 0.15, schools)
    order = rng.permutation(schools)
    n_tail = max(1, schools // 10) if schools >= 5 else 0
    quality[order[:n_tail]] += 0.45
    quality[order[n_tail : 2 * n_tail]] -= 0.45
    absence_noise = rng.normal(0, 0.12, schools)
    disadvantaged = rng.beta(4, 12, schools)
    absence = np.ones(schools)
    for phase in set(phase_list):
        group = np.array([p == phase for p in phase_list])
        quality[group] -= np.average(quality[group], weights=sizes[group])
        # Weaker schools have more absence and more disadvantaged pupils.
        absence[group] = np.exp(-0.6 * quality[group] + absence_noise[group])
        disadvantaged[group] = np.clip(disadvantaged[group] - 0.25 * quality[group], 0.03, 0.8)
        absence[group] /= np.average(absence[group], weights=sizes[group])
        disadvantaged[group] *= nat.DISADVANTAGED / np.average(
            disadvantaged[group], weights=sizes[group]
        )
    closures = np.where(rng.random(schools) < 0.15, rng.integers(60, 120, schools), -1)
    plans = []
    for i in range(schools):
        kind = "Primary" if phase_list[i] == "primary" else "Academy"
        plans.append(
            SchoolPlan(
                index=i,
                urn=first_urn + i,
                name=f"{_place(i)} {kind}",
                phase=phase_list[i],
                # (LA, establishment) unique per school, so UPNs are unique across the trust.
                pupils=int(sizes[i]),
                la_code=201 + (i // 5000) % 700,
                estab=2000 + i % 5000,
                quality=float(quality[i]),
                absence_factor=float(absence[i]),
                disadvantaged=float(np.clip(disadvantaged[i], 0.02, 0.9)),
                closure_day=int(closures[i]),
            )
        )
    return plans


def _place(i: int) -> str:
    stems = (
        "Ash",
        "Beech",
        "Oak",
        "Elm",
        "Hazel",
        "Willow",
        "Rowan",
        "Holly",
        "Birch",
        "Cedar",
        "Maple",
        "Alder",
        "Larch",
        "Linden",
        "Poplar",
        "Yew",
        "Hawthorn",
        "Juniper",
    )
    ends = ("field", "wood", "brook", "hill", "dale", "mead", "ford", "lea", "bridge", "gate")
    return (
        stems[i % len(stems)]
        + ends[(i // len(stems)) % len(ends)]
        + (f" {i // (len(stems) * len(ends)) + 1}" if i >= len(stems) * len(ends) else "")
    )


# -- calendar ------------------------------------------------------------------------------
@cache
def school_days(start_year: int) -> tuple[np.ndarray, np.ndarray]:
    """190 school days (Mon-Fri) of academic year start_year, and the term (0-2) of each.
    Half-terms, Christmas, Easter and bank holidays are skipped; a few INSET days go too."""

    def monday_of(day: dt.date) -> dt.date:
        return day - dt.timedelta(days=day.weekday())

    def weekdays(first: dt.date, last: dt.date, skip_week: dt.date) -> list[dt.date]:
        days, day = [], first
        while day <= last:
            if day.weekday() < 5 and monday_of(day) != skip_week:
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    y = start_year
    autumn = weekdays(dt.date(y, 9, 2), dt.date(y, 12, 20), monday_of(dt.date(y, 10, 28)))
    spring = weekdays(dt.date(y + 1, 1, 3), dt.date(y + 1, 3, 28), monday_of(dt.date(y + 1, 2, 16)))
    may_day = dt.date(y + 1, 5, 1) + dt.timedelta(days=(7 - dt.date(y + 1, 5, 1).weekday()) % 7)
    late_may = dt.date(y + 1, 5, 31) - dt.timedelta(days=dt.date(y + 1, 5, 31).weekday())
    summer = [
        d
        for d in weekdays(dt.date(y + 1, 4, 15), dt.date(y + 1, 7, 22), monday_of(late_may))
        if d != may_day
    ]
    terms = [autumn, spring, summer]
    excess = sum(map(len, terms)) - 190
    while excess > 0:  # INSET days: the first day of a term, taking turns
        terms[excess % 3].pop(0)
        excess -= 1
    days = [d for t in terms for d in t]
    term_of = np.repeat(np.arange(3), [len(t) for t in terms])
    return np.array(days, dtype="datetime64[D]"), term_of


# -- per-school generation -----------------------------------------------------------------
def _school_task(args) -> dict:
    out, seed, plan, years, secondary_urns, marks_until = args
    return SchoolGenerator(Path(out), seed, plan, secondary_urns, marks_until).run(years)


class SchoolGenerator:
    """One school across the academic years: a roster that moves up a year each September."""

    def __init__(
        self,
        out: Path,
        seed: int,
        plan: SchoolPlan,
        secondary_urns: tuple[int, ...],
        marks_until: dt.date | None = None,
    ):
        self.out, self.plan, self.secondary_urns = out, plan, secondary_urns
        self.marks_until = marks_until
        self.rng = np.random.default_rng([seed, plan.index, 104729])
        self.primary = plan.phase == "primary"
        self.groups = np.arange(0, 7) if self.primary else np.arange(7, 12)
        self.totals = {"pupils": 0, "marks": 0, "files": 0, "bytes": 0}
        self.serial = 0
        self.p: dict[str, np.ndarray] = {}

    # roster ------------------------------------------------------------------------------
    def _new_pupils(self, n: int, year_groups: np.ndarray, year: int, joined: np.ndarray) -> dict:
        rng, plan = self.rng, self.plan
        birth_year = year - 5 - year_groups  # born Sep (birth_year) .. Aug (birth_year + 1)
        dob = (
            np.array(birth_year - 1970, dtype="datetime64[Y]").astype("datetime64[D]")
            + np.timedelta64(243, "D")
            + rng.integers(0, 365, n).astype("timedelta64[D]")
        )
        disadvantaged = rng.random(n) < plan.disadvantaged
        sen_draw = rng.random(n)
        ehc = nat.EHC_PLAN if self.primary else nat.EHC_PLAN * 1.2
        sen = np.where(sen_draw < ehc, 2, np.where(sen_draw < ehc + nat.SEN_SUPPORT, 1, 0))
        ability = _ability(rng, plan.quality, disadvantaged, sen, self.primary)
        serial = self.serial + np.arange(n)
        self.serial += n
        return {
            "upn": _upns(plan.la_code, plan.estab, serial),
            "forename": rng.integers(0, len(FORENAMES), n),
            "surname": rng.integers(0, len(SURNAMES), n),
            "dob": dob,
            "sex": rng.random(n) < 0.5,  # True = F
            "disadvantaged": disadvantaged,
            "fsm": disadvantaged & (rng.random(n) < nat.FSM_GIVEN_DISADVANTAGED),
            "sen": sen,
            "eal": rng.random(n) < nat.EAL,
            "ability": ability,
            "year_group": year_groups.astype(np.int16),
            "joined": joined.astype("datetime64[D]"),
        }

    def _initial_roster(self, year: int) -> None:
        n = self.plan.pupils
        groups = self.rng.choice(self.groups, n)
        # Most joined at the start of their first year here; some moved in later.
        entry_year = year - (groups - self.groups[0])
        joined = np.array(entry_year - 1970, dtype="datetime64[Y]").astype("datetime64[D]") + 246
        late = self.rng.random(n) < 0.1
        joined[late] += self.rng.integers(30, 300, late.sum()).astype("timedelta64[D]")
        joined = np.minimum(joined, np.datetime64(f"{year}-09-01"))
        self.p = self._new_pupils(n, groups, year, joined)

    def _next_year(self, year: int, days: np.ndarray) -> dict:
        """Move up a year: last year group leaves, a new intake arrives; returns leavers."""
        p = self.p
        on_roll = np.isnat(p["left"])
        final = p["year_group"] == self.groups[-1]
        stay = ~final & on_roll
        leavers = {k: v[final & on_roll] for k, v in p.items()}
        self.p = {k: v[stay] for k, v in p.items() if k != "left"}
        self.p["year_group"] = self.p["year_group"] + 1
        self.p["ability"] = self.p["ability"] + self.rng.normal(0, 0.15, len(self.p["ability"]))
        gained = self.rng.random(len(self.p["fsm"])) < 0.02  # newly eligible for free meals
        self.p["fsm"] |= gained
        self.p["disadvantaged"] |= gained
        n_new = max(1, round(self.plan.pupils / len(self.groups) * self.rng.uniform(0.9, 1.1)))
        intake = self._new_pupils(
            n_new,
            np.full(n_new, self.groups[0]),
            year,
            np.full(n_new, np.datetime64(f"{year}-09-01")),
        )
        self.p = {k: np.concatenate([self.p[k], intake[k]]) for k in intake}
        return leavers

    def _in_year_moves(self, year: int, days: np.ndarray) -> None:
        rng, n = self.rng, len(self.p["upn"])
        left = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        movers = rng.random(n) < _MOBILITY
        left[movers] = days[rng.integers(10, len(days) - 5, movers.sum())]
        self.p["left"] = left
        n_join = rng.binomial(n, _MOBILITY)
        if n_join:
            joined = days[rng.integers(5, len(days) - 10, n_join)]
            new = self._new_pupils(n_join, rng.choice(self.groups, n_join), year, joined)
            new["left"] = np.full(n_join, np.datetime64("NaT"), dtype="datetime64[D]")
            self.p = {k: np.concatenate([self.p[k], new[k]]) for k in self.p}

    def run(self, years: list[int]) -> dict:
        leavers = None
        for i, year in enumerate(years):
            days, term_of = school_days(year)
            if i == 0:
                self._initial_roster(year)
            else:
                leavers = self._next_year(year, days)
                self._write_transitions(years[i - 1], leavers)
            self._in_year_moves(year, days)
            self.totals["pupils"] += len(self.p["upn"]) if i == 0 else 0
            self._write_characteristics(year)
            self._write_attendance(year, days, term_of)
            self._write_assessments(year)
            self._write_statutory(year)
        final = self.p["year_group"] == self.groups[-1]
        self._write_transitions(
            years[-1], {k: v[final & np.isnat(self.p["left"])] for k, v in self.p.items()}
        )
        return self.totals

    # files -------------------------------------------------------------------------------
    def _path(self, year: int, dataset: str) -> Path:
        path = self.out / str(year) / str(self.plan.urn) / f"{dataset}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def _write_rows(self, year: int, dataset: str, header: list[str], rows) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        data = buffer.getvalue().encode("utf-8")
        self._path(year, dataset).write_bytes(data)
        self.totals["files"] += 1
        self.totals["bytes"] += len(data)

    def _write_characteristics(self, year: int) -> None:
        p, urn = self.p, self.plan.urn
        prior = np.full(len(p["upn"]), "", dtype=object)
        if not self.primary:
            prior = np.where(
                p["ability"] < -0.75, "low", np.where(p["ability"] > 0.65, "high", "middle")
            )
        yn = np.array(["N", "Y"])
        rows = zip(
            [urn] * len(p["upn"]),
            p["upn"].astype(str),
            np.array(SURNAMES)[p["surname"]],
            np.array(FORENAMES)[p["forename"]],
            _uk_dates(p["dob"]),
            np.where(p["year_group"] == 0, "R", p["year_group"].astype(str)),
            np.where(p["sex"], "F", "M"),
            yn[p["disadvantaged"].astype(int)],
            yn[p["fsm"].astype(int)],
            np.array(["N", "K", "E"])[p["sen"]],
            yn[p["eal"].astype(int)],
            prior,
            _uk_dates(p["joined"]),
            _uk_dates(p["left"]),
            strict=True,
        )
        self._write_rows(
            year,
            "characteristics",
            [
                "URN",
                "UPN",
                "Surname",
                "Forename",
                "DOB",
                "Year group",
                "Sex",
                "Disadvantaged",
                "FSM",
                "SEN",
                "EAL",
                "Prior attainment",
                "Date joined",
                "Date left",
            ],
            rows,
        )

    def _write_attendance(self, year: int, days: np.ndarray, term_of: np.ndarray) -> None:
        p, rng, plan = self.p, self.rng, self.plan
        n, n_days = len(p["upn"]), len(days)
        first = np.searchsorted(days, p["joined"])
        last = np.where(
            np.isnat(p["left"]), n_days - 1, np.searchsorted(days, p["left"], side="right") - 1
        )
        day_index = np.arange(n_days)
        on_roll = (day_index >= first[:, None]) & (day_index <= last[:, None])
        possible = on_roll.copy()
        if plan.closure_day >= 0:
            possible[:, plan.closure_day] = False
        possible_days = possible.sum(1)
        rate = _absence_rates(
            rng,
            primary=self.primary,
            fsm=p["fsm"],
            sen=p["sen"],
            year_group=p["year_group"],
            factor=plan.absence_factor,
        )
        sessions = 2 * possible_days
        # Round away from the 10% line: a pupil drawn below it must not cross it by rounding
        # (short enrolments would), and one drawn above must stay above.
        k = np.where(rate >= 0.1, np.ceil(rate * sessions), np.floor(rate * sessions)).astype(
            np.int64
        )
        k = np.minimum(k, sessions)
        singles = (k % 2) + 2 * rng.binomial(k // 2, 0.06)
        whole_days = (k - singles) // 2
        absent = self._place_absence(possible, term_of, whole_days)
        free = possible & ~absent
        singles = np.minimum(singles, free.sum(1))
        single = _top_k(np.where(free, rng.random((n, n_days)), -1.0), singles)

        code_ix = {c: i for i, c in enumerate(_CODES)}
        codes = np.empty((n, n_days, 2), dtype=np.uint8)
        codes[..., 0], codes[..., 1] = code_ix["/"], code_ix["\\"]
        present = possible & ~absent & ~single
        late_share = nat.LATE_SHARE * np.where(p["disadvantaged"], 1.6, 0.8)
        codes[..., 0][present & (rng.random((n, n_days)) < late_share[:, None])] = code_ix["L"]
        share = nat.APPROVED_ACTIVITY_SHARE["primary" if self.primary else "secondary"]
        activity = present[..., None] & (rng.random((n, n_days, 2)) < share)
        codes[activity] = _pick(rng, nat.APPROVED_MIX, int(activity.sum()), code_ix)
        if not self.primary:  # a week of work experience for Year 10 in the summer term
            week = np.flatnonzero(term_of == 2)[-25:-20]
            y10 = (p["year_group"] == 10)[:, None] & present & np.isin(day_index, week)[None, :]
            codes[y10] = code_ix["W"]
        rows, cols = np.nonzero(absent)
        unauthorised_share = np.clip(
            nat.UNAUTHORISED_SHARE * np.where(p["disadvantaged"], 1.25, 0.92) + 0.3 * (rate > 0.3),
            0,
            0.9,
        )
        unauth = rng.random(len(rows)) < unauthorised_share[rows]
        day_codes = np.where(
            unauth,
            _pick(rng, nat.UNAUTHORISED_MIX, len(rows), code_ix),
            _pick(rng, nat.AUTHORISED_MIX, len(rows), code_ix),
        )
        codes[rows, cols, 0] = day_codes
        codes[rows, cols, 1] = day_codes
        rows, cols = np.nonzero(single)
        pm = (rng.random(len(rows)) < 0.45).astype(np.int64)
        codes[rows, cols, pm] = _pick(
            rng, {"M": 0.55, "U": 0.15, "I": 0.15, "O": 0.1, "C": 0.05}, len(rows), code_ix
        )
        if plan.closure_day >= 0:
            codes[:, plan.closure_day, :] = code_ix["Y4"]
        self._write_marks(year, days, on_roll, codes)

    def _place_absence(
        self, possible: np.ndarray, term_of: np.ndarray, whole_days: np.ndarray
    ) -> np.ndarray:
        """Absent days: split across terms (more in summer), then placed in spells."""
        rng = self.rng
        n, n_days = possible.shape
        capacity = np.stack([(possible & (term_of == t)).sum(1) for t in range(3)], 1)
        weight = capacity * _TERM_FACTOR
        total = weight.sum(1, keepdims=True)
        probs = np.divide(weight, total, out=np.full_like(weight, 1 / 3), where=total > 0)
        alloc = np.minimum(rng.multinomial(whole_days, probs), capacity)
        excess = whole_days - alloc.sum(1)
        for t in range(3):  # days that did not fit a full term go to the others
            add = np.minimum(excess, capacity[:, t] - alloc[:, t])
            alloc[:, t] += add
            excess -= add
        # Neighbouring days share noise, so absences cluster into spells as illness does.
        noise = rng.standard_normal((n, n_days + 2))
        priority = noise[:, :-2] + noise[:, 1:-1] + noise[:, 2:]
        priority[~possible] = -np.inf
        absent = np.zeros((n, n_days), dtype=bool)
        for t in range(3):
            cols = np.flatnonzero(term_of == t)
            absent[:, cols] = _top_k(priority[:, cols], alloc[:, t])
        return absent

    def _write_marks(
        self, year: int, days: np.ndarray, on_roll: np.ndarray, codes: np.ndarray
    ) -> None:
        """Register rows built as fixed-width bytes with numpy: about 40x faster than a CSV
        writer on strings. One-character codes leave a NUL pad byte that is squeezed out."""
        n, n_days = on_roll.shape
        if self.marks_until is not None:
            on_roll = on_roll & (days <= np.datetime64(self.marks_until, "D"))[None, :]
        pupil, day = np.nonzero(on_roll)
        pupil, day = np.repeat(pupil, 2), np.repeat(day, 2)
        session = np.tile(np.array([0, 1]), len(pupil) // 2)
        code = codes[pupil, day, session]
        width = 38
        buf = np.empty((len(pupil), width), dtype=np.uint8)
        buf[:, 0:6] = np.frombuffer(f"{self.plan.urn:06d}".encode(), dtype=np.uint8)
        buf[:, 7:20] = np.frombuffer(self.p["upn"].tobytes(), dtype=np.uint8).reshape(n, 13)[pupil]
        date_bytes = np.frombuffer("".join(_uk_dates(days)).encode(), dtype=np.uint8).reshape(
            n_days, 10
        )
        buf[:, 21:31] = date_bytes[day]
        buf[:, 32:34] = np.frombuffer(b"AMPM", dtype=np.uint8).reshape(2, 2)[session]
        buf[:, 35:37] = _CODE_BYTES[code]
        buf[:, [6, 20, 31, 34]] = ord(",")
        buf[:, 37] = ord("\n")
        flat = buf.reshape(-1)
        data = flat[flat != 0].tobytes()
        with open(self._path(year, "attendance_marks"), "wb") as handle:
            handle.write(b"URN,UPN,Date,Session,Code\n")
            handle.write(data)
        self.totals["marks"] += len(pupil)
        self.totals["files"] += 1
        self.totals["bytes"] += len(data) + 26

    def _terms_on_roll(self, year: int) -> list[np.ndarray]:
        days, term_of = school_days(year)
        out = []
        for t in range(3):
            start, end = days[term_of == t][[0, -1]]
            left = self.p["left"]
            out.append((self.p["joined"] <= end) & (np.isnat(left) | (left >= start)))
        return out

    def _write_assessments(self, year: int) -> None:
        p, rng, urn = self.p, self.rng, self.plan.urn
        rows = []
        upn = p["upn"].astype(str)
        phase = "primary" if self.primary else "secondary"
        subjects = (
            ("reading", "writing", "maths") if self.primary else ("english", "maths", "science")
        )
        assessed = (p["year_group"] >= 1) if self.primary else np.ones(len(upn), dtype=bool)
        for t, on_roll in enumerate(self._terms_on_roll(year)):
            for subject in subjects:
                who = np.flatnonzero(on_roll & assessed)
                x = p["ability"][who] + rng.normal(0, _SUBJECT_NOISE, len(who))
                if self.primary:
                    cut = _judgement_cuts(subject, t)
                    labels = np.array(["PRE", "WTS", "EXS", "GDS"])[np.searchsorted(cut, x)]
                    rows.extend(
                        zip(
                            [urn] * len(who),
                            upn[who],
                            [_TERM_NAMES[t]] * len(who),
                            [subject] * len(who),
                            labels,
                            [""] * len(who),
                            strict=True,
                        )
                    )
                else:
                    mean, sd = _latent_moments(phase)
                    grade = np.clip(
                        4.6
                        + 1.8 * (x - mean) / sd
                        - 0.3 * (2 - t)
                        + 0.25 * (p["year_group"][who] - 9),
                        1,
                        9,
                    ).round(1)
                    rows.extend(
                        zip(
                            [urn] * len(who),
                            upn[who],
                            [_TERM_NAMES[t]] * len(who),
                            [subject] * len(who),
                            [""] * len(who),
                            grade.astype(str),
                            strict=True,
                        )
                    )
        self._write_rows(
            year, "assessments", ["URN", "UPN", "Term", "Subject", "Judgement", "Score"], rows
        )

    def _write_statutory(self, year: int) -> None:
        p, rng, urn = self.p, self.rng, self.plan.urn
        upn = p["upn"].astype(str)
        summer = self._terms_on_roll(year)[2] & np.isnat(p["left"])
        rows = []

        def add(group: int, measure: str, values) -> None:
            who = np.flatnonzero(summer & (p["year_group"] == group))
            result = values(who)
            rows.extend(zip([urn] * len(who), upn[who], [measure] * len(who), result, strict=True))

        def latent(who, measure):
            return p["ability"][who] + rng.normal(0, _SUBJECT_NOISE, len(who)) - _cut(measure)

        def absent(who, values):
            return np.where(rng.random(len(who)) < 0.01, "A", values)

        if self.primary:
            add(0, "EYFS_GLD", lambda w: np.where(latent(w, "gld") >= 0, "Y", "N"))
            add(1, "PHONICS_Y1", lambda w: absent(w, _marks(latent(w, "phonics"), 32, 40, 4.0)))
            add(
                4,
                "MTC",
                lambda w: absent(
                    w,
                    np.clip(np.round(21.6 + 4.2 * latent(w, "mtc")), 0, 25).astype(int).astype(str),
                ),
            )
            for measure, key in (("KS2_READ", "reading"), ("KS2_MAT", "maths"), ("KS2_GPS", "gps")):
                add(6, measure, lambda w, key=key: absent(w, _scaled(latent(w, key))))
            add(
                6,
                "KS2_WRIT_TA",
                lambda w: np.array(["PKF", "WTS", "EXS", "GDS"])[
                    np.searchsorted(_writing_cuts(), latent(w, "writing") + _cut("writing"))
                ],
            )
            add(6, "KS2_SCI_TA", lambda w: np.where(latent(w, "science") >= 0, "EXS", "HNM"))
        else:
            mean, sd = _latent_moments("secondary")
            who = np.flatnonzero(summer & (p["year_group"] == 11))
            z = (latent(who, "a8") + _cut("a8") - mean) / sd
            for i, measure, result in _ks4_results(rng, z):
                rows.append((urn, upn[who[i]], measure, result))
        self._write_rows(year, "statutory", ["URN", "UPN", "Measure", "Result"], rows)

    def _write_transitions(self, year: int, leavers: dict) -> None:
        rng, urn = self.rng, self.plan.urn
        n = len(leavers["upn"])
        upn = leavers["upn"].astype(str)
        if self.primary:
            dest_urn = (
                rng.choice(self.secondary_urns, n).astype(str)
                if self.secondary_urns
                else np.full(n, "")
            )
            # ASSUMPTION: about 97% of Year 6 leavers are still at their secondary school a
            # term later (a "successful transition" in seed 000's big five); the rest moved on.
            sustained = np.where(rng.random(n) < 0.97, "Y", "N")
            rows = zip(
                [urn] * n,
                upn,
                ["primary"] * n,
                ["secondary school"] * n,
                dest_urn,
                sustained,
                strict=True,
            )
        else:
            names = np.array(list(_KS4_DESTINATIONS))
            dest = rng.choice(names, n, p=np.array(list(_KS4_DESTINATIONS.values())))
            sustained = np.where(
                np.isin(dest, ["NEET", "unknown"]), "N", np.where(rng.random(n) < 0.93, "Y", "N")
            )
            sustained = np.where(dest == "unknown", "", sustained)
            rows = zip([urn] * n, upn, ["secondary"] * n, dest, [""] * n, sustained, strict=True)
        self._write_rows(
            year,
            "transitions",
            ["URN", "UPN", "From phase", "Destination", "Destination URN", "Sustained"],
            rows,
        )


# -- model helpers -------------------------------------------------------------------------
_CODES = (
    "/",
    "\\",
    "L",
    "K",
    "V",
    "P",
    "W",
    "B",
    "C1",
    "C2",
    "C",
    "M",
    "J1",
    "S",
    "T",
    "R",
    "I",
    "E",
    "G",
    "N",
    "O",
    "U",
    "Y4",
)
_CODE_BYTES = np.array([list(c.encode().ljust(2, b"\0")) for c in _CODES], dtype=np.uint8)
_SUBJECT_NOISE = 0.55
_KS4_DESTINATIONS = {
    "sixth form": 0.38,
    "further education": 0.40,
    "apprenticeship": 0.06,
    "employment": 0.03,
    "NEET": 0.05,
    "unknown": 0.08,
}
# Share of pupils at or above the standard, for the statutory cut points.
_STANDARD = {
    "reading": nat.KS2_2024["reading"],
    "writing": nat.KS2_2024["writing"],
    "maths": nat.KS2_2024["maths"],
    "gps": nat.KS2_2024["gps"],
    "science": nat.KS2_2024["science"],
    "phonics": nat.PHONICS_Y1_2024["meeting"],
    "gld": nat.EYFS_GLD_2024,
    "mtc": 50.0,
    "a8": 50.0,
}


def _ability(rng, quality, disadvantaged, sen, primary: bool) -> np.ndarray:
    """Latent attainment in pupil-SD units. Gaps: disadvantaged ~22 pp at KS2 RWM, ~15 A8
    points at KS4 (DOMAIN.md 2.1, 2.2); SEN support and EHC plan pupils well below."""
    effect = -0.65 if primary else -0.9
    n = len(disadvantaged)
    return (
        quality
        + effect * disadvantaged
        + np.select([sen == 1, sen == 2], [-0.8, -1.6], 0.0)
        + rng.standard_normal(n)
    )


@cache
def _latent_sample(phase: str) -> np.ndarray:
    """Subject-level latent scores of a large synthetic national population (fixed seed), so
    cut points hit the national rates whatever the trust's own mix."""
    rng = np.random.default_rng(20240901)
    n = 200_000
    quality = rng.normal(0, 0.2, n)
    disadvantaged = rng.random(n) < nat.DISADVANTAGED
    draw = rng.random(n)
    sen = np.where(draw < nat.EHC_PLAN, 2, np.where(draw < nat.EHC_PLAN + nat.SEN_SUPPORT, 1, 0))
    return _ability(rng, quality, disadvantaged, sen, phase == "primary") + rng.normal(
        0, _SUBJECT_NOISE, n
    )


@cache
def _latent_moments(phase: str) -> tuple[float, float]:
    sample = _latent_sample(phase)
    return float(sample.mean()), float(sample.std())


@cache
def _cut(measure: str) -> float:
    phase = "secondary" if measure == "a8" else "primary"
    return float(np.quantile(_latent_sample(phase), 1 - _STANDARD[measure] / 100))


@cache
def _judgement_cuts(subject: str, term: int) -> np.ndarray:
    """PRE/WTS/EXS/GDS cut points; fewer pupils at the standard early in the year."""
    expected = _STANDARD.get(subject, 72.0) - 8.0 * (2 - term)
    shares = np.array([6.0 + 2 * (2 - term), 100 - expected, 100 - 14.0 + 2 * (2 - term)]) / 100
    return np.quantile(_latent_sample("primary"), shares)


@cache
def _writing_cuts() -> np.ndarray:
    shares = np.array([8.0, 100 - nat.KS2_2024["writing"], 100 - nat.KS2_2024["gds_writing"]]) / 100
    return np.quantile(_latent_sample("primary"), shares)


def _scaled(x: np.ndarray) -> np.ndarray:
    """KS2 scaled score: 100 at the cut, about 105 on average; below 80 is 'B' (working below
    the standard of the test)."""
    raw = 100 + 7.8 * x / _latent_moments("primary")[1]
    score = np.where(x >= 0, np.maximum(np.round(raw), 100), np.minimum(np.round(raw), 99))
    return np.where(score < 80, "B", np.clip(score, 80, 120).astype(int).astype(str))


# KS4 entry patterns (shares of pupils), loosely after DfE's: nearly all take both Englishes;
# about 40% enter the EBacc (DOMAIN.md 2.2), so a language is taken by fewer than half.
_KS4_OPEN = ("ART", "BUSINESS", "DT", "DRAMA", "FOOD", "MEDIA", "MUSIC", "PE", "RS", "SOCIOLOGY")
_KS4_LANGUAGES = ("FRENCH", "SPANISH", "GERMAN")


def _ks4_results(rng, z: np.ndarray) -> list[tuple[int, str, str]]:
    """(pupil index, measure, result) of KS4 subject grades and KS2 prior attainment for
    pupils of standardised attainment z: Attainment 8 averages about 46 (DOMAIN.md 2.2)."""
    n = len(z)
    out: list[tuple[int, str, str]] = []
    level = 4.35 + 1.7 * z  # the pupil's typical grade

    def grades(noise: float = 0.9) -> np.ndarray:
        g = np.round(level + rng.normal(0, noise, n))
        return np.where(g < 1, np.where(rng.random(n) < 0.5, "U", "1"), np.clip(g, 1, 9))

    def add(mask: np.ndarray, measure: str, values: np.ndarray) -> None:
        for i in np.flatnonzero(mask):
            v = values[i]
            out.append((int(i), "KS4_" + measure, v if isinstance(v, str) else f"{float(v):g}"))

    def text(values: np.ndarray) -> np.ndarray:
        return np.array([v if v == "U" else f"{float(v):g}" for v in values], dtype=object)

    everyone = np.ones(n, bool)
    add(everyone, "ENG_LANG", text(grades()))
    add(rng.random(n) < 0.94, "ENG_LIT", text(grades()))
    add(everyone, "MATHS", text(grades()))
    triple = rng.random(n) < 0.12 + 0.2 * (z > 0.5)
    for subject in ("BIOLOGY", "CHEMISTRY", "PHYSICS"):
        add(triple, subject, text(grades()))
    pair = np.clip(np.round(2 * (level + rng.normal(0, 0.8, n))) / 2, 1, 9)
    add(~triple & (rng.random(n) < 0.97), "COMB_SCI", pair)
    history = rng.random(n) < 0.5
    add(history, "HISTORY", text(grades()))
    add(~history | (rng.random(n) < 0.1), "GEOGRAPHY", text(grades()))
    language = rng.random(n) < 0.25 + 0.3 * (z > 0)
    which = rng.integers(0, len(_KS4_LANGUAGES), n)
    for j, subject in enumerate(_KS4_LANGUAGES):
        add(language & (which == j), subject, text(grades(1.1)))
    add(rng.random(n) < 0.15, "COMP_SCI", text(grades()))
    picks = rng.random((n, len(_KS4_OPEN))).argsort(axis=1)[:, :3]
    for j, subject in enumerate(_KS4_OPEN):
        add((picks == j).any(axis=1), subject, text(grades()))
    points = np.array([4.0, 5.0, 6.0, 7.0, 8.5])  # DfE points of approved vocational grades
    add(rng.random(n) < 0.2, "OTHER_1", points[np.clip(np.round(level - 2), 0, 4).astype(int)])
    # KS2 prior attainment (mean reading and maths scaled score); none for a few pupils.
    prior = np.clip(np.round(2 * (104 + 6.5 * z)) / 2, 80, 120)
    add(rng.random(n) >= 0.05, "KS2_PRIOR", prior)
    return out


def _marks(x: np.ndarray, pass_mark: int, top: int, scale: float) -> np.ndarray:
    mark = np.where(
        x >= 0,
        np.clip(np.round(pass_mark + scale * x), pass_mark, top),
        np.clip(np.round(pass_mark - 1 + 2 * scale * x), 0, pass_mark - 1),
    )
    return mark.astype(int).astype(str)


def _absence_rates(rng, *, primary: bool, fsm, sen, year_group, factor: float) -> np.ndarray:
    """Each pupil's absence rate for the year.

    Three parts: severe (50%+, mean 0.7), persistent but not severe (10-50%, mean 0.2) and
    the rest (below 10%). The pupil's chance of each part is the phase's PA and severe rate
    scaled by the group ratios (normalised so the phase average is unchanged) and the school;
    the mean of the lowest part is then solved so the pupil's expected rate is right too.
    """
    phase = nat.ABSENCE_BY_PHASE["primary" if primary else "secondary"]
    fsm_share = nat.DISADVANTAGED * nat.FSM_GIVEN_DISADVANTAGED
    ehc = nat.EHC_PLAN if primary else nat.EHC_PLAN * 1.2
    if primary:
        year_factor = np.ones(len(fsm))
    else:  # absence rises through secondary school
        year_factor = np.array([0.8, 0.92, 1.02, 1.12, 1.14])[np.clip(year_group - 7, 0, 4)]
    target = {}
    for measure in ("overall", "persistent", "severe"):
        r_fsm = nat.ABSENCE_RATIO["fsm"][measure]
        r_k = nat.ABSENCE_RATIO["sen_support"][measure]
        r_e = nat.ABSENCE_RATIO["ehc_plan"][measure]
        mult = np.where(fsm, r_fsm, 1.0) * np.select([sen == 1, sen == 2], [r_k, r_e], 1.0)
        mean_mult = (fsm_share * r_fsm + 1 - fsm_share) * (
            nat.SEN_SUPPORT * r_k + ehc * r_e + 1 - nat.SEN_SUPPORT - ehc
        )
        target[measure] = phase[measure] / 100 * mult / mean_mult * factor * year_factor
    pa = np.clip(target["persistent"], 0.005, 0.9)
    severe = np.minimum(target["severe"], 0.6 * pa)
    low_mean = (target["overall"] - severe * _SEVERE_MEAN - (pa - severe) * _MID_MEAN) / (1 - pa)
    low_mean = np.clip(low_mean / _LOW_CAP, 0.03, 0.8)
    a = 0.9
    low = _LOW_CAP * rng.beta(a, a * (1 - low_mean) / low_mean)
    mid = 0.1 + 0.4 * rng.beta(1.0, 3.0, len(pa))
    high = 0.5 + 0.4 * rng.random(len(pa))
    draw = rng.random(len(pa))
    return np.where(draw < severe, high, np.where(draw < pa, mid, low))


def _top_k(priority: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Boolean mask of the k highest-priority cells in each row (k per row)."""
    order = np.argsort(-priority, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(priority.shape[1])[None, :].repeat(len(order), 0), 1)
    return ranks < k[:, None]


def _pick(rng, mix: dict[str, float], size: int, code_ix: dict[str, int]) -> np.ndarray:
    weights = np.array(list(mix.values()))
    return np.array([code_ix[c] for c in mix], dtype=np.uint8)[
        rng.choice(len(mix), size, p=weights / weights.sum())
    ]


def _upns(la: int, estab: int, serial: np.ndarray) -> np.ndarray:
    """UPNs with a valid check letter: letter + LA (3) + establishment (4) + 2 + serial (3).
    The two digits after the establishment number count thousands of pupils here, which keeps
    UPNs unique within a school however many pupils it sees."""
    serial = np.asarray(serial)
    body = np.array(
        [f"{la:03d}{estab:04d}{(s // 1000) % 100:02d}{s % 1000:03d}" for s in serial.tolist()]
    )
    digits = np.frombuffer(body.astype("S12").tobytes(), dtype=np.uint8).reshape(-1, 12) - 48
    check = (digits * np.arange(2, 14)).sum(1) % 23
    letters = np.frombuffer(b"ABCDEFGHJKLMNPQRTUVWXYZ", dtype=np.uint8)[check]
    return np.char.add(letters.view("S1"), body.astype("S12"))


def _uk_dates(values: np.ndarray) -> list[str]:
    text = np.datetime_as_string(np.asarray(values, dtype="datetime64[D]"))
    return ["" if t == "NaT" else f"{t[8:10]}/{t[5:7]}/{t[0:4]}" for t in text.tolist()]
