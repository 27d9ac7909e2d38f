"""Pupil lists behind a year group's figures, for staff allowed to see pupils (pupils.view).

The per-pupil facts come from data.selectors.pupil_facts (the analytics store, read under its
lock); names from data.Pupil through data.selectors.pupils_for, which is itself restricted. Governors,
trustees and peer reviewers never hold pupils.view, so they never reach this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LIMIT = 30
_BELOW = ("PRE", "WTS")


@dataclass
class PupilLine:
    pupil_key: str
    name: str
    year_group: int | None
    detail: str
    value: float


@dataclass
class PupilLists:
    persistent_absence: list[PupilLine] = field(default_factory=list)
    attendance_fell: list[PupilLine] = field(default_factory=list)
    not_on_track: list[PupilLine] = field(default_factory=list)
    has_marks: bool = False
    has_assessments: bool = False


def pupil_lists(
    *, user, school, academic_year: int, term, year_group: int | None
) -> PupilLists | None:
    """None when the user may not see pupils of the school (pupils.view, decided by the data app)."""
    from trustwide.data.selectors import pupil_facts, pupils_for

    facts = pupil_facts(user=user, school=school, academic_year=academic_year, term=term)
    if facts is None:
        return None
    out = PupilLists(has_marks=facts.has_marks, has_assessments=facts.has_assessments)
    years, att, below = facts.year_groups, facts.attendance, facts.below_expected
    wanted = (
        (lambda key: years.get(key) == year_group) if year_group is not None else (lambda key: True)
    )
    pa_rows, fell_rows = [], []
    for key, possible, absent, p_term, a_term, p_before, a_before in att:
        if not wanted(key) or not possible:
            continue
        rate = 100.0 * absent / possible
        if rate >= 10:
            pa_rows.append((key, rate, f"{rate:.1f}% of {possible} sessions missed"))
        if p_term and p_before:
            now, before = 100.0 * (1 - a_term / p_term), 100.0 * (1 - a_before / p_before)
            if now < before:
                fell_rows.append(
                    (
                        key,
                        now - before,
                        f"attendance {before:.1f}% before this term, {now:.1f}% this term",
                    )
                )
    pa_rows.sort(key=lambda r: -r[1])
    fell_rows.sort(key=lambda r: r[1])
    below_rows = sorted(
        ((k, float(n), d) for k, d, n in below if wanted(k)), key=lambda r: (-r[1], r[0])
    )
    chosen = {
        r[0] for rows in (pa_rows[:LIMIT], fell_rows[:LIMIT], below_rows[:LIMIT]) for r in rows
    }
    names = {
        p.pupil_key: str(p)
        for p in pupils_for(user=user, school=school).filter(pupil_key__in=chosen)
    }

    def lines(rows):
        return [
            PupilLine(k, names.get(k, "(no name on record)"), years.get(k), detail, value)
            for k, value, detail in rows[:LIMIT]
        ]

    out.persistent_absence, out.attendance_fell = lines(pa_rows), lines(fell_rows)
    out.not_on_track = lines(below_rows)
    return out
