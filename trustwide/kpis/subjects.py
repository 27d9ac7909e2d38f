"""Results by subject for subject leaders (issue 18 item 6; seeds 002 and 004): key stage 4
subjects from the statutory store (entries, average grade, % grade 4+, 5+, 7+) and key stage 2
subjects from the stored KPI values, per school and for the trust, with last year, the trust
average and the national figure where one is loaded, and flags for what is below either.

Key stage 4 counts come from data.selectors.ks4_subject_totals (counts only, no pupil);
suppression follows the KPI definitions: an average needs SESSION_RATE_MIN entries, a share
PUPIL_SHARE_MIN (docs/KPIS.md, "Results by subject").
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from trustwide.access import Perm, school_ids
from trustwide.data.schemas import KS4_SUBJECTS
from trustwide.data.selectors import SubjectTotals, ks4_subject_totals
from trustwide.trusts.models import School

from . import definitions as d
from . import selectors
from .national import BenchmarkMatch, lookup

AVERAGE_MIN = d.SESSION_RATE_MIN  # an average of grades, like the KPIs' averages
SHARE_MIN = d.PUPIL_SHARE_MIN  # a share of entries, like the KPIs' shares
KS4_FIGURES = (
    ("grade4", "% grade 4+"),
    ("grade5", "% grade 5+"),
    ("grade7", "% grade 7+"),
    ("average", "Average grade"),
    ("entries", "Entries"),
)
_FIGURE_NAMES = dict(KS4_FIGURES)
# Key stage 2: (label, KPI code) rows, read as stored KPI values.
KS2_ROWS = (
    ("Reading: expected standard", "ks2_reading_expected"),
    ("Reading: higher standard", "ks2_reading_higher"),
    ("Writing: expected standard", "ks2_writing_expected"),
    ("Writing: greater depth", "ks2_writing_higher"),
    ("Maths: expected standard", "ks2_maths_expected"),
    ("Maths: higher standard", "ks2_maths_higher"),
    ("Grammar, punctuation and spelling: expected standard", "ks2_gps_expected"),
    ("Grammar, punctuation and spelling: higher standard", "ks2_gps_higher"),
    ("Reading, writing and maths: expected standard", "ks2_rwm_expected"),
    ("Reading, writing and maths: higher standard", "ks2_rwm_higher"),
    ("Reading: average scaled score", "ks2_average_reading"),
    ("Maths: average scaled score", "ks2_average_maths"),
)
KS2_CODES = tuple(code for _label, code in KS2_ROWS)
NO_NATIONAL = "no national figure loaded"


def national_measure(subject: str, figure: str) -> str:
    """The national benchmarks' measure name for a KS4 subject figure: ks4_subject_history_grade4."""
    return f"ks4_subject_{subject.lower()}_{figure}"


@dataclass
class SubjectResult:
    """One KS4 subject's figures for a school or the trust in one year."""

    entries: int = 0
    average: float | None = None  # None: no entries, or fewer than AVERAGE_MIN
    grade4: float | None = None  # percentages; None: fewer than SHARE_MIN entries
    grade5: float | None = None
    grade7: float | None = None

    @property
    def average_suppressed(self) -> bool:
        return 0 < self.entries < AVERAGE_MIN

    @property
    def shares_suppressed(self) -> bool:
        return 0 < self.entries < SHARE_MIN

    def figure(self, name: str) -> float | None:
        return self.entries if name == "entries" else getattr(self, name)

    def suppressed(self, name: str) -> bool:
        if name == "entries":
            return False
        return self.average_suppressed if name == "average" else self.shares_suppressed

    @classmethod
    def from_totals(cls, t: SubjectTotals | None) -> SubjectResult:
        if t is None or t.entries == 0:
            return cls()
        result = cls(entries=t.entries)
        if t.entries >= AVERAGE_MIN:
            result.average = t.points / t.entries
        if t.entries >= SHARE_MIN:
            result.grade4 = 100.0 * t.grade4 / t.entries
            result.grade5 = 100.0 * t.grade5 / t.entries
            result.grade7 = 100.0 * t.grade7 / t.entries
        return result


@dataclass
class SubjectLine:
    """A KS4 subject at a school (or the trust): this year, last year, the trust's figures and
    the national ones, and which figures are below the trust's or the national."""

    subject: str
    label: str
    now: SubjectResult
    last: SubjectResult
    trust: SubjectResult | None  # None on the trust's own line, or when not shown
    national: dict[str, BenchmarkMatch | None] = field(default_factory=dict)
    below_trust: list[str] = field(default_factory=list)  # figure names
    below_national: list[str] = field(default_factory=list)

    @property
    def has_national(self) -> bool:
        return any(self.national.values())

    @property
    def texts(self) -> dict[str, str]:
        return {f: figure_text(self.now, f) for f, _n in KS4_FIGURES}

    @property
    def last_texts(self) -> dict[str, str]:
        return {f: figure_text(self.last, f) for f, _n in KS4_FIGURES}

    @property
    def trust_texts(self) -> dict[str, str]:
        return {f: figure_text(self.trust, f) for f, _n in KS4_FIGURES} if self.trust else {}

    @property
    def national_texts(self) -> dict[str, str]:
        return {f: national_text(self, f) for f in _COMPARED}

    @property
    def flags(self) -> list[str]:
        return [f"{_FIGURE_NAMES[f]} below the trust" for f in self.below_trust] + [
            f"{_FIGURE_NAMES[f]} below national" for f in self.below_national
        ]


_COMPARED = ("average", "grade4", "grade5", "grade7")


def _national(subject: str, academic_year: int) -> dict[str, BenchmarkMatch | None]:
    return {
        f: lookup(measure=national_measure(subject, f), academic_year=academic_year)
        for f in _COMPARED
    }


def _line(subject, now, last, trust, national) -> SubjectLine:
    line = SubjectLine(subject, KS4_SUBJECTS[subject][0], now, last, trust, national)
    for f in _COMPARED:
        value = now.figure(f)
        if value is None:
            continue
        reference = trust.figure(f) if trust is not None else None
        if reference is not None and value < reference:
            line.below_trust.append(f)
        match = national.get(f)
        if match is not None and value < match.value:
            line.below_national.append(f)
    return line


def _by_key(totals: list[SubjectTotals]) -> dict[tuple, SubjectTotals]:
    return {(t.urn, t.academic_year, t.subject): t for t in totals}


def _subject_order(subjects) -> list[str]:
    order = list(KS4_SUBJECTS)
    return sorted(subjects, key=order.index)


def visible_schools(*, user, trust, academic_year: int, hub_id: int | None = None) -> list[School]:
    """The trust's schools in the year whose results the user reads (KPI_VIEW), by name."""
    schools = (
        School.objects.filter(trust=trust, pk__in=school_ids(user, Perm.KPI_VIEW))
        .open_between(datetime.date(academic_year, 9, 1), datetime.date(academic_year + 1, 8, 31))
        .select_related("hub")
        .order_by("name")
    )
    if hub_id:
        schools = schools.filter(hub_id=hub_id)
    return list(schools)


# --------------------------------------------------------------------------- key stage 4


def figure_text(result: SubjectResult, figure: str) -> str:
    """'62.5%', '5.4', '27' (entries), 'fewer than 10 entries' or '–' (no entries)."""
    if result.entries == 0:
        return "–"
    if result.suppressed(figure):
        return f"fewer than {AVERAGE_MIN if figure == 'average' else SHARE_MIN} entries"
    value = result.figure(figure)
    if figure == "entries":
        return str(value)
    return f"{value:.1f}" if figure == "average" else f"{value:.1f}%"


@dataclass
class Cell:
    text: str
    last: str  # last year's figure ("" when none)
    entries: int
    flags: list[str]


def cell(line: SubjectLine | None, figure: str) -> Cell | None:
    if line is None:
        return None
    last = figure_text(line.last, figure) if line.last.entries else ""
    flags = []
    if figure in line.below_trust:
        flags.append("below the trust")
    if figure in line.below_national:
        flags.append("below national")
    return Cell(figure_text(line.now, figure), last, line.now.entries, flags)


def national_text(line: SubjectLine, figure: str) -> str:
    match = line.national.get(figure)
    if match is None:
        return NO_NATIONAL
    unit = "" if figure == "average" else "%"
    verified = "" if match.row.verified else ", unverified"
    return f"{match.value:.1f}{unit} ({match.row.year_label}{verified})"


@dataclass
class Ks4Grid:
    schools: list[School]  # those with KS4 entries this year or last
    subjects: list[str]
    labels: dict[str, str]
    cells: dict[tuple[int, str], SubjectLine]  # (school pk, subject)
    trust: dict[str, SubjectLine]  # subject -> the trust's line
    without_results: list[School]

    def rows(self, figure: str) -> list[tuple[str, list[Cell | None], Cell, str]]:
        """(subject label, a cell per school, the trust's cell, the national figure's text)."""
        return [
            (
                self.labels[subject],
                [cell(self.cells.get((school.pk, subject)), figure) for school in self.schools],
                cell(self.trust[subject], figure),
                national_text(self.trust[subject], figure) if figure != "entries" else "",
            )
            for subject in self.subjects
        ]


def ks4_trust_grid(*, schools: list[School], trust, academic_year: int) -> Ks4Grid:
    """A school x subject grid for the schools given (the caller's visible ones) and the
    trust's own line per subject (every school of the trust counted): one store read."""
    keyed = _by_key(ks4_subject_totals(trust_id=trust.pk, years=[academic_year - 1, academic_year]))
    subjects = _subject_order({s for (urn, y, s) in keyed if urn is None and y == academic_year})
    trust_lines, cells = {}, {}
    for subject in subjects:
        national = _national(subject, academic_year)
        trust_now = SubjectResult.from_totals(keyed.get((None, academic_year, subject)))
        trust_lines[subject] = _line(
            subject,
            trust_now,
            SubjectResult.from_totals(keyed.get((None, academic_year - 1, subject))),
            None,
            national,
        )
        for school in schools:
            now = keyed.get((school.urn, academic_year, subject))
            last = keyed.get((school.urn, academic_year - 1, subject))
            if now is None and last is None:
                continue
            cells[(school.pk, subject)] = _line(
                subject,
                SubjectResult.from_totals(now),
                SubjectResult.from_totals(last),
                trust_now,
                national,
            )
    with_results = {pk for pk, _s in cells}
    return Ks4Grid(
        schools=[s for s in schools if s.pk in with_results],
        subjects=subjects,
        labels={s: KS4_SUBJECTS[s][0] for s in subjects},
        cells=cells,
        trust=trust_lines,
        without_results=[s for s in schools if s.pk not in with_results],
    )


def ks4_school_subjects(
    *, school: School, academic_year: int, with_trust: bool
) -> list[SubjectLine]:
    """Every KS4 subject the school entered pupils for this year or last, with the trust's
    figures (when with_trust: rules.sees_trust_subject_averages) and the national ones."""
    keyed = _by_key(
        ks4_subject_totals(trust_id=school.trust_id, years=[academic_year - 1, academic_year])
    )
    subjects = _subject_order({s for (urn, _y, s) in keyed if urn == school.urn})
    return [
        _line(
            subject,
            SubjectResult.from_totals(keyed.get((school.urn, academic_year, subject))),
            SubjectResult.from_totals(keyed.get((school.urn, academic_year - 1, subject))),
            SubjectResult.from_totals(keyed.get((None, academic_year, subject)))
            if with_trust
            else None,
            _national(subject, academic_year),
        )
        for subject in subjects
    ]


# --------------------------------------------------------------------------- key stage 2


@dataclass
class Ks2Line:
    label: str
    reading: selectors.Reading
    trust: selectors.Reading | None

    @property
    def below_trust(self) -> bool:
        mine, theirs = self.reading, self.trust
        return (
            theirs is not None
            and not mine.from_period
            and not theirs.from_period
            and mine.value is not None
            and theirs.value is not None
            and _worse(mine.kpi, mine.value, theirs.value)
        )

    @property
    def below_national(self) -> bool:
        mine = self.reading
        return (
            mine.national is not None
            and not mine.from_period
            and mine.value is not None
            and _worse(mine.kpi, mine.value, mine.national.value)
        )


def _worse(kpi: d.KPI, value: float, reference: float) -> bool:
    return value < reference if kpi.better == "higher" else value > reference


def ks2_trust_grid(*, user, trust, academic_year: int):
    """(schools with any KS2 figure, rows, schools without): each row (label, a Ks2Line per
    school, the trust's Reading), from the stored KPI values read through kpis.selectors (the
    schools the user reads KPIs for); a fixed number of queries."""
    rows, trust_readings = selectors.trust_school_table(
        user=user, trust=trust, academic_year=academic_year, codes=KS2_CODES
    )
    if not trust_readings:  # not a trust-level reader: the average beside their schools
        trust_readings = selectors.trust_level_readings(
            trust=trust, academic_year=academic_year, codes=KS2_CODES
        )
    kept, without, cells = [], [], {}
    for row in rows:
        if not any(r.computed for r in row.readings.values()):
            without.append(row.school)
            continue
        kept.append(row.school)
        for label, code in KS2_ROWS:
            cells[(row.school.pk, code)] = Ks2Line(label, row.readings[code], trust_readings[code])
    rows_out = [
        (label, [cells[(school.pk, code)] for school in kept], trust_readings[code])
        for label, code in KS2_ROWS
    ]
    return kept, rows_out, without


def ks2_school_subjects(*, school: School, academic_year: int, with_trust: bool) -> list[Ks2Line]:
    readings = selectors.school_readings(
        school=school, academic_year=academic_year, codes=KS2_CODES, with_percentiles=False
    )
    trust = (
        selectors.trust_level_readings(
            trust=school.trust, academic_year=academic_year, codes=KS2_CODES
        )
        if with_trust
        else {}
    )
    return [
        Ks2Line(label, reading, trust.get(code))
        for (label, code), reading in zip(KS2_ROWS, readings, strict=True)
    ]
