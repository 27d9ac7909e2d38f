"""Rota generation properties on many random trusts."""

import random
from itertools import combinations

import pytest

from trustwide.peer_review.rota import (
    MIX,
    SchoolInfo,
    Visit,
    generate_rota,
    group_sizes,
    propose_triads,
    rota_problems,
)


def random_trust(rng, n):
    hubs = rng.randint(1, 4)
    return [
        SchoolInfo(
            i,
            rng.randint(1, hubs),
            rng.choice(["primary", "primary", "secondary", "special"]),
            rng.uniform(-4, -1),
        )
        for i in range(1, n + 1)
    ]


@pytest.mark.parametrize("seed", range(60))
def test_rota_properties_on_random_trusts(seed):
    rng = random.Random(seed)
    n = rng.randint(2, 26)
    schools = random_trust(rng, n)
    ids = [s.id for s in schools]
    last_year = []
    if n >= 6:
        order = ids[:]
        rng.shuffle(order)
        at = 0
        for size in group_sizes(n):
            last_year.append(order[at : at + size])
            at += size
    groups = propose_triads(
        schools,
        hubs=rng.choice(["mix", "together", "any"]),
        phases="any",
        last_year=last_year,
        seed=seed,
        restarts=3,
    )
    # Every school in exactly one group.
    flat = [s for g in groups for s in g]
    assert sorted(flat) == sorted(ids)
    visits = generate_rota(groups)
    group_of = {s: i for i, g in enumerate(groups) for s in g}
    reviewed = [v.school for v in visits]
    assert sorted(reviewed) == sorted(ids), "every school is reviewed exactly once a year"
    for v in visits:
        assert v.school not in v.reviewers, "never by itself"
        assert v.reviewers, "always by someone"
        assert all(group_of[r] == group_of[v.school] for r in v.reviewers), (
            "reviewers only from its triad"
        )
        assert v.term in (0, 1, 2)
    # Each school reviews every other school of its group during the year.
    for g in groups:
        for a, b in combinations(g, 2):
            assert any(v.school == a and b in v.reviewers for v in visits)
    if n >= 6:
        previous = {frozenset(g) for g in last_year}
        assert not any(frozenset(g) in previous for g in groups), "no repeated triad when avoidable"
    assert rota_problems(groups, visits, ids) == []


def test_group_sizes():
    assert group_sizes(2) == [2]
    assert group_sizes(3) == [3]
    assert group_sizes(4) == [4]
    assert group_sizes(5) == [3, 2]
    assert sorted(group_sizes(8)) == [4, 4]
    assert sorted(group_sizes(12)) == [3, 3, 3, 3]
    with pytest.raises(ValueError):
        group_sizes(1)


def test_mixing_hubs_when_asked():
    schools = [SchoolInfo(i, hub_id=(i - 1) // 3 + 1, phase="primary") for i in range(1, 10)]
    groups = propose_triads(schools, hubs=MIX, phases="any")
    hubs = {s.id: s.hub_id for s in schools}
    for g in groups:
        assert len({hubs[s] for s in g}) == 3


def test_bad_rotas_are_refused_with_the_reason():
    groups = [[1, 2, 3]]
    names = {1: "Ash", 2: "Birch", 3: "Cedar"}
    unreviewed = [Visit(1, 0, (2, 3)), Visit(2, 1, (1, 3))]
    assert "Cedar is not reviewed this year." in rota_problems(groups, unreviewed, [1, 2, 3], names)
    itself = [Visit(1, 0, (1, 2)), Visit(2, 1, (1, 3)), Visit(3, 2, (1, 2))]
    assert "Ash would review itself." in rota_problems(groups, itself, [1, 2, 3], names)
    outsider = rota_problems(
        [[1, 2, 3], [4, 5]],
        [
            Visit(1, 0, (4,)),
            Visit(2, 0, (1,)),
            Visit(3, 0, (1,)),
            Visit(4, 0, (5,)),
            Visit(5, 0, (4,)),
        ],
        [1, 2, 3, 4, 5],
        names,
    )
    assert "school 4 reviews Ash but is not in its triad." in outsider
