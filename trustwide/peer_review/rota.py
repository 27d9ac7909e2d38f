"""Triads and the peer-review rota: pure functions, no Django.

A *triad* is a group of (usually three) schools that review each other over a year. The rota
gives each school of a group one term in which it is reviewed; the other schools of its group
review it. So by the summer every school has been reviewed once and has reviewed the others.
When the number of schools is not a multiple of three some groups have four schools (or, with
only two or five schools, one pair): every school is still reviewed once, by its own group.

``propose_triads`` searches for groups that mix hubs and phases as the trust asks, balance
strong and weaker schools, and avoid repeating last year's groups; ``generate_rota`` turns groups
into visits; ``rota_problems`` says, in words, why a rota cannot be used.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

TERMS = 3
MIX = "mix"
TOGETHER = "together"
ANY = "any"


@dataclass(frozen=True)
class SchoolInfo:
    id: int
    hub_id: int | None = None
    phase: str = ""
    # Higher is stronger (e.g. from the inspection grade and support category).
    strength: float = 0.0
    name: str = ""


@dataclass(frozen=True)
class Visit:
    school: int  # the school reviewed
    term: int  # 0 autumn, 1 spring, 2 summer
    reviewers: tuple[int, ...]  # the reviewing schools


def group_sizes(count: int) -> list[int]:
    """Threes where possible; fours (or a pair) take up the remainder."""
    if count < 2:
        raise ValueError("At least two schools are needed for peer review.")
    threes, rest = divmod(count, 3)
    sizes = [3] * threes
    if rest == 1:
        sizes[0] = 4  # count >= 4 here
    elif rest == 2:
        if threes >= 2:
            sizes[0] = sizes[1] = 4
        else:
            sizes.append(2)
    return sizes


def _cost(
    groups: Sequence[Sequence[int]],
    info: dict[int, SchoolInfo],
    *,
    hubs: str,
    phases: str,
    last_year: set[frozenset[int]],
    last_pairs: set[frozenset[int]],
    mean: float,
) -> float:
    cost = 0.0
    for group in groups:
        key = frozenset(group)
        if key in last_year:
            cost += 1000.0
        for a, b in combinations(group, 2):
            pair = frozenset((a, b))
            if pair in last_pairs:
                cost += 5.0
            sa, sb = info[a], info[b]
            same_hub = sa.hub_id is not None and sa.hub_id == sb.hub_id
            if hubs == MIX and same_hub:
                cost += 10.0
            elif hubs == TOGETHER and not same_hub:
                cost += 10.0
            same_phase = sa.phase == sb.phase
            if phases == MIX and same_phase:
                cost += 8.0
            elif phases == TOGETHER and not same_phase:
                cost += 8.0
        strengths = [info[s].strength for s in group]
        cost += 3.0 * (sum(strengths) / len(strengths) - mean) ** 2
    return cost


def propose_triads(
    schools: Sequence[SchoolInfo],
    *,
    hubs: str = MIX,
    phases: str = ANY,
    last_year: Iterable[Iterable[int]] = (),
    seed: int = 0,
    restarts: int = 8,
) -> list[list[int]]:
    """Groups of schools (ids), found by local search over swaps from random starts."""
    info = {s.id: s for s in schools}
    ids = sorted(info)
    sizes = group_sizes(len(ids))
    previous = [frozenset(g) for g in last_year]
    last_set = set(previous)
    last_pairs = {frozenset(p) for g in previous for p in combinations(sorted(g), 2)}
    mean = sum(s.strength for s in schools) / len(schools)
    rng = random.Random(seed)

    def cost(groups):
        return _cost(
            groups,
            info,
            hubs=hubs,
            phases=phases,
            last_year=last_set,
            last_pairs=last_pairs,
            mean=mean,
        )

    best, best_cost = None, float("inf")
    for _ in range(restarts):
        order = ids[:]
        rng.shuffle(order)
        groups, at = [], 0
        for size in sizes:
            groups.append(order[at : at + size])
            at += size
        # A swap changes the cost of its two groups only: each group's cost is kept, and a
        # swap is taken when it lowers the sum of those two (the total falls by as much).
        parts = [cost([g]) for g in groups]
        improved = True
        while improved:
            improved = False
            for gi, gj in combinations(range(len(groups)), 2):
                for i in range(len(groups[gi])):
                    for j in range(len(groups[gj])):
                        groups[gi][i], groups[gj][j] = groups[gj][j], groups[gi][i]
                        ci, cj = cost([groups[gi]]), cost([groups[gj]])
                        if ci + cj < parts[gi] + parts[gj] - 1e-9:
                            parts[gi], parts[gj], improved = ci, cj, True
                        else:
                            groups[gi][i], groups[gj][j] = groups[gj][j], groups[gi][i]
        current = cost(groups)
        if current < best_cost:
            best, best_cost = [sorted(g) for g in groups], current
    return sorted(best, key=lambda g: g[0])


def generate_rota(groups: Sequence[Sequence[int]]) -> list[Visit]:
    """Each school of a group is reviewed in one term by the rest of its group."""
    visits = []
    for g, group in enumerate(groups):
        members = list(group)
        for position, school in enumerate(members):
            # Stagger groups so each term has a similar number of visits across the trust.
            term = (position + g) % TERMS
            visits.append(Visit(school, term, tuple(m for m in members if m != school)))
    return sorted(visits, key=lambda v: (v.term, v.school))


def rota_problems(
    groups: Sequence[Sequence[int]],
    visits: Iterable[Visit],
    school_ids: Iterable[int],
    names: dict[int, str] | None = None,
) -> list[str]:
    """Why the rota cannot be used, in words; empty when it is sound."""
    names = names or {}

    def name(i):
        return names.get(i, f"school {i}")

    problems = []
    wanted = set(school_ids)
    group_of: dict[int, int] = {}
    for g, group in enumerate(groups):
        if len(group) < 2:
            problems.append(f"Triad {g + 1} has fewer than two schools: nobody could review it.")
        for s in group:
            if s in group_of:
                problems.append(f"{name(s)} is in more than one triad.")
            group_of[s] = g
    for s in sorted(wanted - set(group_of), key=name):
        problems.append(f"{name(s)} is in no triad.")
    visits = list(visits)
    reviewed = Counter(v.school for v in visits)
    for s in sorted(wanted, key=name):
        if reviewed[s] == 0:
            problems.append(f"{name(s)} is not reviewed this year.")
        elif reviewed[s] > 1:
            problems.append(
                f"{name(s)} is reviewed {reviewed[s]} times this year; once is the rota."
            )
    for v in visits:
        if v.term not in range(TERMS):
            problems.append(f"The visit to {name(v.school)} is in no term of the year.")
        if v.school in v.reviewers:
            problems.append(f"{name(v.school)} would review itself.")
        if not v.reviewers:
            problems.append(f"The visit to {name(v.school)} has no reviewing school.")
        home = group_of.get(v.school)
        outsiders = [r for r in v.reviewers if r != v.school and group_of.get(r) != home]
        for r in outsiders:
            problems.append(f"{name(r)} reviews {name(v.school)} but is not in its triad.")
    return list(dict.fromkeys(problems))
