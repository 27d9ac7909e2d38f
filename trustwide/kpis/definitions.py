"""The one module of KPI definitions.

Every KPI is a :class:`KPI` object: what it means in plain English (shown to users and copied
into docs/KPIS.md), how it is counted, which way is better, when it is suppressed, where the
definition comes from, and the Ibis expression that turns a family's per-pupil fact table
into a (numerator, denominator) pair.

Every KPI is a ratio of sums over pupils: value = sum(numerator) / sum(denominator) x scale,
where scale is 100 for '%' and 1 for 'points'. A pupil is in a KPI's population when its
denominator expression is not null; ``pupils`` (the n used for suppression) counts those
pupils. Because numerators and denominators are sums over pupils, school, hub and trust
values all come from the same pupil-level facts and always agree.

The facts are built in engine/plan.py, one row per school_urn and pupil_key; a measure sees the
facts of one period at a time (``f.possible`` is that period's count) and a pupil counts in a
period only if it has facts there (attendance: possible > 0; assessment: a judgement in the
period):

- attendance: possible, authorised, unauthorised (session counts);
- assessment: for each subject in SUBJECTS, ``<s>_latest`` (band of the latest judgement in
  the period: PRE 0, WTS 1, EXS 2, GDS 3), ``<s>_latest_order`` (1 autumn, 2 spring,
  3 summer), ``<s>_first`` and ``<s>_first_order`` (the first judgement in the academic year);
- statutory (period 'year' only): gld, phonics, phonics_n, ks2_read, ks2_mat, ks2_gps,
  ks2_writ, ks2_n (any KS2 result), ks2_read_n, ks2_mat_n, ks2_gps_n, ks2_writ_n (a result in
  that subject, score or code), mtc (numeric multiplication tables check score), ks1_read,
  ks1_writ, ks1_mat, ks1_sci (KS1 teacher assessment codes), ks1_n (KS1 reading, writing or
  maths results);
- ks4 (period 'year' only; built from the KS4_<subject> grades, engine/ks4.py): a8, a8_english,
  a8_maths, a8_ebacc, a8_open, subjects (KS4 subject results), eng_best, maths, ebacc_entered,
  ebacc_points, p8_points (A8 minus its estimate, raised to 10 x DfE's minimum pupil score for
  the range when below it; null without KS2 prior attainment or an estimate for it);
- transition (period 'year' only): leavers, sustained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import ibis
import ibis.expr.types as ir

from trustwide.data import codes

# Attendance code classes come from the data package's codes module (single owner).
ATTENDING_CODES = tuple(sorted(codes.ATTENDING))
AUTHORISED_CODES = tuple(sorted(codes.AUTHORISED))
UNAUTHORISED_CODES = tuple(sorted(codes.UNAUTHORISED))
# A possible session is listed positively (attending or absent), so 'D', not-counted codes,
# '-' and anything unexpected are never possible sessions.
POSSIBLE_CODES = tuple(sorted(codes.ATTENDING | codes.ABSENT))

# Every code's class is decided by its first character ('C', 'C1', 'C2' are all authorised,
# 'Y1'..'Y7' all not counted), so the engine classifies a mark with an integer lookup on
# ascii(first character) instead of string IN-lists over millions of marks. Anything not
# listed (D, not-counted codes, '-', a character the store validator would have refused)
# is class 3: not a possible session.
CLASS_ATTENDING, CLASS_AUTHORISED, CLASS_UNAUTHORISED, CLASS_NOT_POSSIBLE = 0, 1, 2, 3


def _class_by_first_char() -> tuple[int, ...]:
    table = [CLASS_NOT_POSSIBLE] * 128
    seen: dict[str, int] = {}
    for group, cls in (
        (codes.ATTENDING, CLASS_ATTENDING),
        (codes.AUTHORISED, CLASS_AUTHORISED),
        (codes.UNAUTHORISED, CLASS_UNAUTHORISED),
        (codes.NOT_POSSIBLE, CLASS_NOT_POSSIBLE),
    ):
        for code in group:
            if seen.setdefault(code[0], cls) != cls:
                raise AssertionError(f"first character of {code!r} does not decide its class")
            table[ord(code[0])] = cls
    return tuple(table)


CODE_CLASS_BY_ASCII = _class_by_first_char()

SUBJECTS = ("reading", "writing", "maths")
BANDS = {"PRE": 0, "WTS": 1, "EXS": 2, "GDS": 3}
EXPECTED_BAND = BANDS["EXS"]
GREATER_DEPTH_BAND = BANDS["GDS"]

ALL_PERIODS = ("autumn", "spring", "summer", "ytd", "year")
YEAR_ONLY = ("year",)

DFE_ABSENCE = "https://explore-education-statistics.service.gov.uk/methodology/pupil-absence-in-schools-in-england"
DFE_ABSENCE_RELEASE = (
    "https://explore-education-statistics.service.gov.uk/find-statistics/"
    "pupil-absence-in-schools-in-england/2023-24-autumn-term"
)
DFE_PA = (
    "https://explore-education-statistics.service.gov.uk/find-statistics/"
    "pupil-attendance-in-schools/2024-week-6"
)
DFE_SA = "https://www.childrenscommissioner.gov.uk/blog/new-attendance-figures-for-academic-year-2021-22/"
DFE_KS2 = (
    "https://explore-education-statistics.service.gov.uk/find-statistics/key-stage-2-attainment"
)
DFE_PHONICS = (
    "https://explore-education-statistics.service.gov.uk/find-statistics/"
    "phonics-screening-check-attainment/2023-24"
)
GLD_SOURCE = "https://www.lancashire.gov.uk/lancashire-insight/education/early-years-foundation-stage-and-key-stage-1"
A8_SOURCE = "http://lancashire.gov.uk/lancashire-insight/education/key-stage-4.aspx"
TRUSTWIDE = "docs/KPIS.md (Trustwide definition)"

# Why the two thresholds: a rate over sessions (absence %) of 5 pupils still averages
# hundreds of sessions, but a share of pupils (persistent absence, % at expected) in a group
# under 10 moves by more than 10 points per pupil and can single out individuals. DfE's own
# 2018/19 performance tables show the same split: the absence rate is published for small
# schools whose persistent-absence figure is 'SUPP'.
SESSION_RATE_MIN = 5
PUPIL_SHARE_MIN = 10
WHY_SESSION = "5: a rate over all sessions of a group; below 5 pupils it describes individuals."
WHY_SHARE = (
    "10: a share of pupils; below 10 each pupil moves it by more than 10 points and can be "
    "identified (DfE's tables also suppress persistent absence for small schools)."
)

Measure = Callable[[ir.Table], tuple[ir.Value, ir.Value]]


@dataclass(frozen=True)
class KPI:
    code: str
    name: str
    definition: str
    numerator: str
    denominator: str
    unit: str  # '%' or 'points'; gaps are in 'pp' for '%' KPIs
    better: str  # 'higher' or 'lower'
    min_group_size: int
    min_group_reason: str
    source: str
    family: str  # attendance | assessment | statutory | ks4 | transition | teaching
    periods: tuple[str, ...] = ALL_PERIODS
    measure: Measure | None = field(default=None, compare=False, repr=False)
    # What n counts (KpiValue.pupils holds it): 'pupils', or 'observations' for teaching quality.
    count_unit: str = "pupils"
    # Decimals shown: DfE publishes Progress 8 to 2 (-0.03 is not "-0.0"); the rest to 1.
    decimals: int = 1

    def number(self, value: float | None) -> str:
        """The figure to this KPI's decimals, without its unit; "" for no value."""
        if value is None:
            return ""
        # Half away from zero, as DfE rounds and Django's floatformat does (not Python's
        # half-to-even on the binary float): 1.25 -> "1.3".
        step = Decimal(1).scaleb(-self.decimals)
        rounded = Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP)
        return str(abs(rounded) if rounded == 0 else rounded)  # never "-0.00"

    def signed(self, value: float) -> str:
        """A change or gap with its sign: "+0.04", "-1.3", "0.0"."""
        text = self.number(value)
        return f"+{text}" if Decimal(text) > 0 else text

    def format(self, value: float | None) -> str:
        """The figure with its unit: "62.5%", "46.1", "-0.03"; "" for no value."""
        return "" if value is None else f"{self.number(value)}{'%' if self.unit == '%' else ''}"

    @property
    def too_few(self) -> str:
        """The suppression label: "fewer than 5 pupils" / "fewer than 5 observations"."""
        return f"fewer than {self.min_group_size} {self.count_unit}"

    @property
    def scale(self) -> float:
        return 100.0 if self.unit == "%" else 1.0

    @property
    def gap_unit(self) -> str:
        return "pp" if self.unit == "%" else self.unit


def _one() -> ir.Value:
    return ibis.literal(1, type="int64")


def _flag(cond: ir.BooleanValue) -> ir.Value:
    return cond.fill_null(False).cast("int64")


def _when(cond: ir.BooleanValue, value: ir.Value) -> ir.Value:
    # A null denominator takes the pupil out of the KPI's population.
    return ibis.ifelse(cond, value, ibis.null("int64"))


# ----------------------------------------------------------------------------------------
# Attendance
# ----------------------------------------------------------------------------------------


def _absent(f: ir.Table) -> ir.Value:
    return f.authorised + f.unauthorised


def _m_overall(f):
    return _absent(f), f.possible


def _m_authorised(f):
    return f.authorised, f.possible


def _m_unauthorised(f):
    return f.unauthorised, f.possible


def _m_persistent(f):
    # Integer arithmetic so that exactly 10% is counted (no float rounding at the boundary).
    return _flag(_absent(f) * 10 >= f.possible), _one()


def _m_severe(f):
    return _flag(_absent(f) * 2 >= f.possible), _one()


_ATT_COMMON = (
    " Possible sessions are the half-day sessions (AM and PM) the pupil was on roll and "
    "expected to attend: codes / \\ L (present), K V P W B (approved educational activity, "
    "counted as attending), authorised and unauthorised absence codes. Not counted: X, Y1-Y7, "
    "Q, Z, #, - and D (dual registered: the session belongs to the pupil's main school). "
    "Schools that send only attendance summaries use the summary rows whose dates overlap the "
    "period."
)

ATTENDANCE = [
    KPI(
        code="overall_absence",
        name="Overall absence",
        definition="Share of possible sessions missed through authorised or unauthorised "
        "absence." + _ATT_COMMON,
        numerator="sessions of authorised + unauthorised absence",
        denominator="possible sessions",
        unit="%",
        better="lower",
        min_group_size=SESSION_RATE_MIN,
        min_group_reason=WHY_SESSION,
        source=DFE_ABSENCE_RELEASE,
        family="attendance",
        measure=_m_overall,
    ),
    KPI(
        code="authorised_absence",
        name="Authorised absence",
        definition="Share of possible sessions missed through authorised absence (C1, C2, C, "
        "M, J1, S, T, R, I, E)." + _ATT_COMMON,
        numerator="sessions of authorised absence",
        denominator="possible sessions",
        unit="%",
        better="lower",
        min_group_size=SESSION_RATE_MIN,
        min_group_reason=WHY_SESSION,
        source=DFE_ABSENCE,
        family="attendance",
        measure=_m_authorised,
    ),
    KPI(
        code="unauthorised_absence",
        name="Unauthorised absence",
        definition="Share of possible sessions missed through unauthorised absence (G, N, O, "
        "U)." + _ATT_COMMON,
        numerator="sessions of unauthorised absence",
        denominator="possible sessions",
        unit="%",
        better="lower",
        min_group_size=SESSION_RATE_MIN,
        min_group_reason=WHY_SESSION,
        source=DFE_ABSENCE,
        family="attendance",
        measure=_m_unauthorised,
    ),
    KPI(
        code="persistent_absence",
        name="Persistent absence",
        definition="Share of pupils who missed 10% or more of their own possible sessions in "
        "the period (exactly 10% counts). Counted per enrolment, as DfE does: a pupil who "
        "moved between two schools of the trust counts once at each." + _ATT_COMMON,
        numerator="pupils whose absent sessions are at least 10% of their possible sessions",
        denominator="pupils with at least one possible session",
        unit="%",
        better="lower",
        min_group_size=PUPIL_SHARE_MIN,
        min_group_reason=WHY_SHARE,
        source=DFE_PA,
        family="attendance",
        measure=_m_persistent,
    ),
    KPI(
        code="severe_absence",
        name="Severe absence",
        definition="Share of pupils who missed 50% or more of their own possible sessions in "
        "the period (exactly 50% counts). Counted per enrolment." + _ATT_COMMON,
        numerator="pupils whose absent sessions are at least 50% of their possible sessions",
        denominator="pupils with at least one possible session",
        unit="%",
        better="lower",
        min_group_size=PUPIL_SHARE_MIN,
        min_group_reason=WHY_SHARE,
        source=DFE_SA,
        family="attendance",
        measure=_m_severe,
    ),
]

# ----------------------------------------------------------------------------------------
# Termly teacher assessment: attainment and progress
# ----------------------------------------------------------------------------------------

_TA_COMMON = (
    " Uses each pupil's latest teacher-assessment judgement in the period (PRE below, WTS "
    "working towards, EXS expected, GDS greater depth); rows with only a score are ignored."
)

PROGRESS_RULE = (
    " Progress is measured in bands (PRE < WTS < EXS < GDS) from the pupil's starting point, "
    "their first judgement in the subject this academic year, to their latest judgement in "
    "the period. Because the bands are age-related expectations, a pupil who holds their band "
    "has made a year's expected progress; moving up a band is more than expected. Only pupils "
    "with a judgement in a later term than their starting point are counted, so the autumn "
    "period (one judgement) has no value; a pupil starting at GDS cannot make above-expected "
    "progress. We use the in-year start rather than prior_band because prior_band is often "
    "missing and is not on the same scale."
)


def _band(f, subject, which):
    return f[f"{subject}_{which}"]


def _m_ta(subject, band):
    def m(f):
        latest = _band(f, subject, "latest")
        return _flag(latest >= band), _when(latest.notnull(), _one())

    return m


def _m_rwm(band):
    def m(f):
        bands = [_band(f, s, "latest") for s in SUBJECTS]
        has_all = bands[0].notnull() & bands[1].notnull() & bands[2].notnull()
        return _flag(ibis.least(*bands) >= band), _when(has_all, _one())

    return m


def _m_progress(subject, above):
    def m(f):
        latest = _band(f, subject, "latest")
        first = _band(f, subject, "first")
        eligible = (f[f"{subject}_latest_order"] > f[f"{subject}_first_order"]).fill_null(False)
        made = latest > first if above else latest >= first
        return _flag(made), _when(eligible, _one())

    return m


ASSESSMENT: list[KPI] = []
for _s in (*SUBJECTS, "rwm"):
    _label = "reading, writing and maths combined" if _s == "rwm" else _s
    _pop = (
        "pupils with a judgement in all three of reading, writing and maths in the period"
        if _s == "rwm"
        else f"pupils with a {_s} judgement in the period"
    )
    ASSESSMENT += [
        KPI(
            code=f"ta_expected_{_s}",
            name=f"At expected standard or above: {_label}",
            definition=f"Share of pupils whose latest teacher assessment in {_label} is EXS or "
            "GDS"
            + (" in every one of the three subjects" if _s == "rwm" else "")
            + "."
            + _TA_COMMON,
            numerator="pupils at EXS or GDS",
            denominator=_pop,
            unit="%",
            better="higher",
            min_group_size=PUPIL_SHARE_MIN,
            min_group_reason=WHY_SHARE,
            source=TRUSTWIDE,
            family="assessment",
            measure=_m_rwm(EXPECTED_BAND) if _s == "rwm" else _m_ta(_s, EXPECTED_BAND),
        ),
        KPI(
            code=f"ta_greater_depth_{_s}",
            name=f"At greater depth: {_label}",
            definition=f"Share of pupils whose latest teacher assessment in {_label} is GDS"
            + (" in every one of the three subjects" if _s == "rwm" else "")
            + "."
            + _TA_COMMON,
            numerator="pupils at GDS",
            denominator=_pop,
            unit="%",
            better="higher",
            min_group_size=PUPIL_SHARE_MIN,
            min_group_reason=WHY_SHARE,
            source=TRUSTWIDE,
            family="assessment",
            measure=_m_rwm(GREATER_DEPTH_BAND) if _s == "rwm" else _m_ta(_s, GREATER_DEPTH_BAND),
        ),
    ]
for _s in SUBJECTS:
    ASSESSMENT += [
        KPI(
            code=f"progress_expected_{_s}",
            name=f"At least expected progress: {_s}",
            definition=f"Share of pupils whose latest {_s} judgement is at or above their "
            "starting band (held or improved their standard)." + PROGRESS_RULE,
            numerator="pupils whose latest band >= starting band",
            denominator=f"pupils with {_s} judgements in two different terms up to the period",
            unit="%",
            better="higher",
            min_group_size=PUPIL_SHARE_MIN,
            min_group_reason=WHY_SHARE,
            source=TRUSTWIDE,
            family="assessment",
            measure=_m_progress(_s, above=False),
        ),
        KPI(
            code=f"progress_above_{_s}",
            name=f"Above expected progress: {_s}",
            definition=f"Share of pupils whose latest {_s} judgement is at least one band above "
            "their starting band." + PROGRESS_RULE,
            numerator="pupils whose latest band > starting band",
            denominator=f"pupils with {_s} judgements in two different terms up to the period",
            unit="%",
            better="higher",
            min_group_size=PUPIL_SHARE_MIN,
            min_group_reason=WHY_SHARE,
            source=TRUSTWIDE,
            family="assessment",
            measure=_m_progress(_s, above=True),
        ),
    ]

# ----------------------------------------------------------------------------------------
# Statutory assessments and transition (academic year only)
# ----------------------------------------------------------------------------------------


def _m_gld(f):
    return _flag(f.gld == "Y"), _when(f.gld.notnull(), _one())


def _m_phonics(f):
    return _flag(f.phonics >= 32), _when(f.phonics_n > 0, _one())


def _m_ks2(score, writing):
    def m(f):
        met = (f.ks2_read >= score) & (f.ks2_mat >= score) & f.ks2_writ.isin(writing)
        return _flag(met), _when(f.ks2_n > 0, _one())

    return m


def _m_sustained(f):
    return _flag(f.sustained), _when(f.leavers > 0, _one())


STATUTORY = [
    KPI(
        code="eyfs_gld",
        name="Good level of development (EYFS)",
        definition="Share of Reception pupils assessed at the end of the EYFS who reached a "
        "good level of development (expected level in the early learning goals of "
        "communication and language, PSED, physical development, literacy and mathematics).",
        numerator="pupils with EYFS_GLD = 'Y'",
        denominator="pupils with an EYFS_GLD result",
        unit="%",
        better="higher",
        min_group_size=PUPIL_SHARE_MIN,
        min_group_reason=WHY_SHARE,
        source=GLD_SOURCE,
        family="statutory",
        periods=YEAR_ONLY,
        measure=_m_gld,
    ),
    KPI(
        code="phonics_y1",
        name="Phonics screening check (Year 1)",
        definition="Share of pupils taking the Year 1 phonics screening check who scored 32 "
        "or more out of 40. Pupils with a non-score result (e.g. absent) count in the "
        "denominator as not meeting the standard.",
        numerator="pupils with PHONICS_Y1 mark >= 32",
        denominator="pupils with a PHONICS_Y1 result",
        unit="%",
        better="higher",
        min_group_size=PUPIL_SHARE_MIN,
        min_group_reason=WHY_SHARE,
        source=DFE_PHONICS,
        family="statutory",
        periods=YEAR_ONLY,
        measure=_m_phonics,
    ),
    KPI(
        code="ks2_rwm_expected",
        name="KS2 expected standard in reading, writing and maths",
        definition="Share of KS2 pupils with a scaled score of 100 or more in both reading and "
        "maths and a writing teacher assessment of EXS or GDS. A missing subject or a "
        "non-score code (B, A, T ...) counts as not meeting the standard, as in DfE tables.",
        numerator="pupils meeting all three",
        denominator="pupils with any KS2 result",
        unit="%",
        better="higher",
        min_group_size=PUPIL_SHARE_MIN,
        min_group_reason=WHY_SHARE,
        source=DFE_KS2,
        family="statutory",
        periods=YEAR_ONLY,
        measure=_m_ks2(100, ("EXS", "GDS")),
    ),
    KPI(
        code="ks2_rwm_higher",
        name="KS2 higher standard in reading, writing and maths",
        definition="Share of KS2 pupils with a scaled score of 110 or more in both reading and "
        "maths and a writing teacher assessment of GDS (working at greater depth).",
        numerator="pupils meeting all three",
        denominator="pupils with any KS2 result",
        unit="%",
        better="higher",
        min_group_size=PUPIL_SHARE_MIN,
        min_group_reason=WHY_SHARE,
        source=DFE_KS2,
        family="statutory",
        periods=YEAR_ONLY,
        measure=_m_ks2(110, ("GDS",)),
    ),
    KPI(
        code="transition_sustained",
        name="Sustained next phase",
        definition="Share of leavers whose destination in the next phase was recorded as "
        "sustained. Leavers with an unknown or unrecorded outcome count as not sustained.",
        numerator="leavers with sustained = true",
        denominator="leavers with a transition record",
        unit="%",
        better="higher",
        min_group_size=PUPIL_SHARE_MIN,
        min_group_reason=WHY_SHARE,
        source=TRUSTWIDE,
        family="transition",
        periods=YEAR_ONLY,
        measure=_m_sustained,
    ),
]

# Key stage 1 and 2 subjects, the multiplication tables check and key stage 4 are defined in
# trustwide/kpis/key_stages.py, which builds on the helpers above (so it is imported here).
from trustwide.kpis.key_stages import KS1, KS2_AND_MTC, KS4  # noqa: E402

STATUTORY += KS1 + KS2_AND_MTC

TEACHING = KPI(
    code="teaching_at_least_good",
    name="Teaching at least good",
    definition="Share of teaching-quality monitoring judgements (lesson visits, work scrutiny) "
    "recorded in the app that were good or better. Comes from the app database, not the store; "
    "'pupils' holds the number of judgements.",
    numerator="judgements good or better",
    denominator="judgements recorded",
    unit="%",
    better="higher",
    min_group_size=5,
    min_group_reason="5: fewer judgements describe individual teachers.",
    source=TRUSTWIDE,
    family="teaching",
    count_unit="observations",
)

KPIS: tuple[KPI, ...] = (*ATTENDANCE, *ASSESSMENT, *STATUTORY, *KS4, TEACHING)
_BY_CODE = {k.code: k for k in KPIS}
FAMILIES = ("attendance", "assessment", "statutory", "ks4", "transition")

GAPS = {
    # gap group: (group minus, other group); value = first - second
    "disadvantaged_gap": ("disadvantaged", "not_disadvantaged"),
    "sen_gap": ("sen", "no_sen"),
}


def kpi_by_code(code: str) -> KPI:
    return _BY_CODE[code]


def engine_kpis(selection: list[str] | None = None) -> list[KPI]:
    """KPIs computed from the store, optionally restricted to codes or family names."""
    pool = [k for k in KPIS if k.family in FAMILIES]
    if not selection:
        return pool
    wanted = set(selection)
    unknown = wanted - {k.code for k in pool} - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown KPI codes or families: {sorted(unknown)}")
    return [k for k in pool if k.code in wanted or k.family in wanted]
