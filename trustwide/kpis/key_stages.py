"""Key stage 1, key stage 2 subjects, the multiplication tables check and key stage 4 KPIs.

Part of the KPI definitions (trustwide.kpis.definitions imports these lists into KPIS); the
key stage 4 per-pupil facts they read are built in engine/ks4.py.
"""

from __future__ import annotations

import functools
import operator

import ibis
import ibis.expr.types as ir

from trustwide.kpis.definitions import (
    A8_SOURCE,
    DFE_KS2,
    KPI,
    PUPIL_SHARE_MIN,
    SESSION_RATE_MIN,
    WHY_SHARE,
    YEAR_ONLY,
    _flag,
    _one,
    _when,
)

# DfE's rules as restated by the exam boards and DfE-derived metadata (the gov.uk guide itself
# was not reachable from here): English double weighted only when both English language and
# literature are taken, the higher grade in the English slot, the other free for the open slots.
A8_ENGLISH_SOURCE = (
    "https://qualifications.pearson.com/en/qualifications/edexcel-gcses/history-2016/"
    "teaching-support/faqs.html ; https://www.ssatuk.co.uk/blog/english-league-tables-counts/"
)
EBACC_APS_SOURCE = "https://standards.esd.org.uk:443/?uri=metricType%2f10751"
EM_SOURCE = "https://www.ssatuk.co.uk/blog/english-league-tables-counts/"
P8_SOURCE = (
    "https://ffteducationdatalab.org.uk/?p=24199 ; no KS2 baseline, no Progress 8: "
    "https://lessonslearned.com/baseline-for-progress-8 ; the cap (DfE's words, quoted): "
    "https://www.naht.org.uk/news-and-opinion/news/structures-inspection-and-accountability-news/"
    "progress-scores-2018-methodology-changed-to-reduce-the-impact-of-outliers/"
)
KS2_SUBJECT_SOURCE = (
    "https://explore-education-statistics.service.gov.uk/data-catalogue/data-set/"
    "b186fcc9-3ec6-4f39-936e-5e0c537db93e"
)
MTC_SOURCE = (
    "https://explore-education-statistics.service.gov.uk/find-statistics/"
    "multiplication-tables-check-attainment"
)


def _literal(n: int) -> ir.Value:
    return ibis.literal(n, type="int64")


def _m_average(value, count_if=None):
    """An average over pupils with a numeric value (count_if: the population, default those
    with a value)."""

    def m(f):
        v = f[value]
        return v, _when(v.notnull() if count_if is None else count_if(f), _one())

    return m


def _m_meets(value, present, cond):
    """Share of pupils with a result (present > 0) whose value meets cond."""

    def m(f):
        return _flag(cond(f[value])), _when(f[present] > 0, _one())

    return m


def _m_ks4_share(cond):
    def m(f):
        return _flag(cond(f)), _when(f.subjects > 0, _one())

    return m


# ----------------------------------------------------------------------------------------
# Key stage 1 teacher assessment (Year 2), where a school still assesses it
# ----------------------------------------------------------------------------------------

# DfE's methodology and the outcomes its KS1 statistics count: each is a share of the
# subject's eligible pupils, absent (A) and disapplied (D) included, so those pupils count in
# the denominator as not meeting the standard (the data guidance gives the percentage of
# pupils absent and disapplied beside the percentage meeting the expected standard).
KS1_SOURCE = (
    "https://explore-education-statistics.service.gov.uk/methodology/"
    "key-stage-1-and-phonics-screening-check-attainment ; "
    "https://explore-education-statistics.service.gov.uk/find-statistics/"
    "key-stage-1-and-phonics-screening-check-attainment/2021-22/data-guidance ; optional since "
    "2023/24: https://www.gov.uk/government/publications/pre-key-stage-1-standards/"
    "pre-key-stage-1-pupils-working-below-the-national-curriculum-assessment-standard"
)
_KS1_CODES = (
    " Every KS1 outcome counts in the denominator: working towards (WTS), the pre-key stage "
    "standards (PK1-PK4, PKF), below them (BLW, EM), absent (A) and disapplied (D) count as "
    "not meeting it, as in DfE's KS1 statistics (a share of eligible pupils). A school or year "
    "with no KS1 results has no figure (KS1 assessment is optional since 2023/24)."
)
_KS1_SUBJECT = {"reading": "ks1_read", "writing": "ks1_writ", "maths": "ks1_mat"}


def _m_ks1(value, levels):
    """Share of pupils with a KS1 teacher assessment in the subject at one of levels."""

    def m(f):
        return _flag(f[value].isin(levels)), _when(f[value].notnull(), _one())

    return m


def _m_ks1_rwm(f):
    met = functools.reduce(
        operator.and_, [f[v].isin(("EXS", "GDS")) for v in _KS1_SUBJECT.values()]
    )
    return _flag(met), _when(f.ks1_n > 0, _one())


def _ks1_kpi(code, name, definition, numerator, denominator, measure) -> KPI:
    return KPI(
        code=code,
        name=name,
        definition=definition + _KS1_CODES,
        numerator=numerator,
        denominator=denominator,
        unit="%",
        better="higher",
        min_group_size=PUPIL_SHARE_MIN,
        min_group_reason=WHY_SHARE,
        source=KS1_SOURCE,
        family="statutory",
        periods=YEAR_ONLY,
        measure=measure,
    )


KS1: list[KPI] = []
for _standard, _word, _levels, _rule in (
    ("expected", "expected standard", ("EXS", "GDS"), "EXS or GDS: greater depth included"),
    ("greater_depth", "greater depth", ("GDS",), "GDS: greater depth within the standard"),
):
    for _name, _value in _KS1_SUBJECT.items():
        KS1.append(
            _ks1_kpi(
                f"ks1_{_name}_{_standard}",
                f"KS1 {_word}: {_name}",
                f"Share of pupils with an end of key stage 1 {_name} teacher assessment who "
                f"are working at the {_word} ({_rule}).",
                f"pupils with KS1 {_name} TA {' or '.join(_levels)}",
                f"pupils with a KS1 {_name} teacher assessment (any outcome)",
                _m_ks1(_value, _levels),
            )
        )
KS1 += [
    _ks1_kpi(
        "ks1_rwm_expected",
        "KS1 expected standard in reading, writing and maths",
        "Share of pupils with an end of key stage 1 teacher assessment who are working at the "
        "expected standard or greater depth (EXS or GDS) in all of reading, writing and maths. "
        "A subject without a result counts as not meeting it.",
        "pupils at EXS or GDS in all three",
        "pupils with a KS1 reading, writing or maths teacher assessment",
        _m_ks1_rwm,
    ),
    _ks1_kpi(
        "ks1_science_expected",
        "KS1 expected standard: science",
        "Share of pupils with an end of key stage 1 science teacher assessment working at the "
        "expected standard (EXS; the other outcome is HNM, has not met it).",
        "pupils with KS1 science TA EXS",
        "pupils with a KS1 science teacher assessment (EXS, HNM, A or D)",
        _m_ks1("ks1_sci", ("EXS",)),
    ),
]

KS2_AND_MTC: list[KPI] = []
# Key stage 2: each subject, average scaled scores and the multiplication tables check.
_WHY_AVERAGE = (
    "5: an average of scores, like DfE's small-cohort rule; below 5 it describes individuals."
)
_KS2_CODES = " A missing result or a non-score code (B, A, T ...) counts as not meeting it."
# Each subject's expected and higher standard (DfE: 100+ expected and 110+ "high score" in the
# tests; EXS or GDS and GDS, working at greater depth, in writing), over the same pupils.
_SUBJECT = {  # code: (name, value column, count column, test or teacher assessment)
    "reading": ("reading", "ks2_read", "ks2_read_n", "test"),
    "maths": ("maths", "ks2_mat", "ks2_mat_n", "test"),
    "writing": ("writing", "ks2_writ", "ks2_writ_n", "ta"),
    "gps": ("grammar, punctuation and spelling", "ks2_gps", "ks2_gps_n", "test"),
}
for _standard, _word, _numerator, _score, _levels in (
    ("expected", "expected", "pupils meeting the standard", 100, ("EXS", "GDS")),
    ("higher", "higher", "pupils at the higher standard", 110, ("GDS",)),
):
    for _code, (_name, _value, _n, _kind) in _SUBJECT.items():
        if _kind == "test":
            _rule = f"a {_name} test scaled score of {_score} or more"
            _cond = lambda v, s=_score: v >= s  # noqa: E731
        else:
            _rule = f"a {_name} teacher assessment of {' or '.join(_levels)}"
            _cond = lambda v, levels=_levels: v.isin(levels)  # noqa: E731
        KS2_AND_MTC.append(
            KPI(
                code=f"ks2_{_code}_{_standard}",
                name=f"KS2 {_word} standard: {_name}",
                definition=f"Share of KS2 pupils with a {_name} result who reached the {_word} "
                f"standard: {_rule}." + _KS2_CODES,
                numerator=_numerator,
                denominator=f"pupils with a KS2 {_name} result (score or code)",
                unit="%",
                better="higher",
                min_group_size=PUPIL_SHARE_MIN,
                min_group_reason=WHY_SHARE,
                source=DFE_KS2,
                family="statutory",
                periods=YEAR_ONLY,
                measure=_m_meets(_value, _n, _cond),
            )
        )
for _code, _name, _value in (("reading", "reading", "ks2_read"), ("maths", "maths", "ks2_mat")):
    KS2_AND_MTC.append(
        KPI(
            code=f"ks2_average_{_code}",
            name=f"KS2 average scaled score: {_name}",
            definition=f"Average KS2 {_name} test scaled score (80-120; 100 is the expected "
            "standard) of pupils who have a scaled score. Pupils without one (working below "
            "the test, absent, ...) are left out, as in DfE's average scaled score (its "
            "'avg_scaled_score_eligible_pupils').",
            numerator="sum of scaled scores",
            denominator=f"pupils with a KS2 {_name} scaled score",
            unit="points",
            better="higher",
            min_group_size=SESSION_RATE_MIN,
            min_group_reason=_WHY_AVERAGE,
            source=KS2_SUBJECT_SOURCE,
            family="statutory",
            periods=YEAR_ONLY,
            measure=_m_average(_value),
        )
    )
KS2_AND_MTC += [
    KPI(
        code="mtc_average",
        name="Multiplication tables check (Year 4): average score",
        definition="Average score out of 25 of pupils who took the multiplication tables check "
        "(a numeric MTC result); absent, disapplied or otherwise not taking it are left out.",
        numerator="sum of MTC scores",
        denominator="pupils with an MTC score",
        unit="points",
        better="higher",
        min_group_size=SESSION_RATE_MIN,
        min_group_reason=_WHY_AVERAGE,
        source=MTC_SOURCE,
        family="statutory",
        periods=YEAR_ONLY,
        measure=_m_average("mtc"),
    ),
    KPI(
        code="mtc_full_marks",
        name="Multiplication tables check (Year 4): scored 25",
        definition="Share of pupils who took the multiplication tables check who scored full "
        "marks (25 out of 25).",
        numerator="pupils scoring 25",
        denominator="pupils with an MTC score",
        unit="%",
        better="higher",
        min_group_size=PUPIL_SHARE_MIN,
        min_group_reason=WHY_SHARE,
        source=MTC_SOURCE,
        family="statutory",
        periods=YEAR_ONLY,
        measure=lambda f: (_flag(f.mtc == 25), _when(f.mtc.notnull(), _one())),
    ),
]

# ----------------------------------------------------------------------------------------
# Key stage 4 (GCSE), from each pupil's subject grades (engine/ks4.py)
# ----------------------------------------------------------------------------------------

A8_RULE = (
    " Attainment 8 adds a pupil's points in 8 slots: English (double weighted when the pupil "
    "took both English language and English literature, with the higher grade; a single "
    "English qualification counts once), maths (always double weighted), the EBacc slots (the "
    "best 3 of sciences, computer science, history, geography and languages; combined science "
    "fills two slots with the mean of its two grades) and the open slots (the best 3 of the "
    "remaining qualifications, including the other English and EBacc subjects not used). "
    "Grades 9-1 are worth 9-1 points, U 0; approved non-GCSE qualifications their DfE points. "
    "A pupil with no subject grades but an Attainment 8 total (KS4_ATT8) counts with that total."
)
_KS4_POP = "pupils with a KS4 subject result"


def _em_kpi(grade: int) -> KPI:
    return KPI(
        code=f"ks4_em_grade{grade}",
        name=f"KS4 grade {grade} or above in English and maths",
        definition=f"Share of pupils at the end of KS4 with grade {grade} or above in GCSE maths "
        "and in English language or English literature (either counts; taking both is not "
        "required).",
        numerator=f"pupils with maths >= {grade} and English language or literature >= {grade}",
        denominator=_KS4_POP,
        unit="%",
        better="higher",
        min_group_size=PUPIL_SHARE_MIN,
        min_group_reason=WHY_SHARE,
        source=EM_SOURCE,
        family="ks4",
        periods=YEAR_ONLY,
        measure=_m_ks4_share(lambda f: (f.maths >= grade) & (f.eng_best >= grade)),
    )


KS4 = [
    KPI(
        code="ks4_attainment8",
        name="KS4 average Attainment 8",
        definition="Average Attainment 8 score (0-90) of pupils at the end of key stage 4."
        + A8_RULE,
        numerator="sum of Attainment 8 scores",
        denominator="pupils with KS4 subject results or a KS4_ATT8 total",
        unit="points",
        better="higher",
        min_group_size=SESSION_RATE_MIN,
        min_group_reason=_WHY_AVERAGE,
        source=f"{A8_SOURCE} ; {A8_ENGLISH_SOURCE}",
        family="ks4",
        periods=YEAR_ONLY,
        measure=_m_average("a8"),
    ),
]
for _element, _label, _max in (
    ("english", "English element (0-18)", 18),
    ("maths", "maths element (0-18)", 18),
    ("ebacc", "EBacc element (0-27)", 27),
    ("open", "open element (0-27)", 27),
):
    KS4.append(
        KPI(
            code=f"ks4_a8_{_element}",
            name=f"KS4 Attainment 8: {_label}",
            definition=f"Average points of pupils in the Attainment 8 {_label}." + A8_RULE,
            numerator=f"sum of {_element} element points",
            denominator=_KS4_POP,
            unit="points",
            better="higher",
            min_group_size=SESSION_RATE_MIN,
            min_group_reason=_WHY_AVERAGE,
            source=f"{A8_SOURCE} ; {A8_ENGLISH_SOURCE}",
            family="ks4",
            periods=YEAR_ONLY,
            measure=_m_average(f"a8_{_element}", lambda f: f.subjects > 0),
        )
    )
KS4 += [
    KPI(
        code="ks4_progress8",
        name="KS4 Progress 8",
        definition="Average Progress 8 score: per pupil, (Attainment 8 minus the national "
        "average Attainment 8 of pupils with the same KS2 prior attainment) / 10. Prior "
        "attainment is the mean of the pupil's KS2 reading and maths scaled scores "
        "(KS4_KS2_PRIOR). Pupils without KS2 results are left out of Progress 8 (they still "
        "count in Attainment 8), as DfE does. The estimates are DfE's table for the KS4 year, "
        "imported with its source and marked verified (trustwide a8estimates import); no row "
        "exists for a year without a verified table (DfE published none for 2024/25 and "
        "2025/26: those cohorts had no KS2 tests). DfE's cap on extreme negative scores (from "
        "2017/18): a pupil's score below the minimum DfE sets for their prior attainment group "
        "counts as that minimum, as in DfE's headline figure; applied only where the imported "
        "table gives the minimum scores. For a year whose table has none, scores are not "
        "capped (DfE's unadjusted figure), and `trustwide a8estimates list` says so.",
        numerator="sum over pupils of Attainment 8 minus their estimate (no less than 10 x "
        "DfE's minimum score, where given)",
        denominator="10 x pupils with Attainment 8, KS2 prior attainment and an estimate",
        unit="points",
        better="higher",
        min_group_size=SESSION_RATE_MIN,
        min_group_reason=_WHY_AVERAGE,
        source=P8_SOURCE,
        family="ks4",
        periods=YEAR_ONLY,
        measure=lambda f: (f.p8_points, _when(f.p8_points.notnull(), _literal(10))),
        decimals=2,
    ),
    _em_kpi(4),
    _em_kpi(5),
    KPI(
        code="ks4_ebacc_entry",
        name="KS4 entering the EBacc",
        definition="Share of pupils at the end of KS4 entered for every EBacc pillar: English "
        "language and English literature, maths, science (combined science, or three of "
        "biology, chemistry, physics and computer science), history or geography, and a "
        "language. An entry is any graded result, U included (X is not an entry).",
        numerator="pupils entered for all five pillars",
        denominator=_KS4_POP,
        unit="%",
        better="higher",
        min_group_size=PUPIL_SHARE_MIN,
        min_group_reason=WHY_SHARE,
        source=EBACC_APS_SOURCE,
        family="ks4",
        periods=YEAR_ONLY,
        measure=_m_ks4_share(lambda f: f.ebacc_entered),
    ),
    KPI(
        code="ks4_ebacc_aps",
        name="KS4 EBacc average point score",
        definition="Average over pupils at the end of KS4 of their EBacc points / 6: the better "
        "of English language and literature (both must be taken, else 0), maths, the best two "
        "science grades (combined science counts as two; single sciences count only when three "
        "of biology, chemistry, physics and computer science are taken), the better of history "
        "and geography, and the best language; 0 for a missing pillar.",
        numerator="sum of pupils' EBacc points",
        denominator="6 x " + _KS4_POP,
        unit="points",
        better="higher",
        min_group_size=SESSION_RATE_MIN,
        min_group_reason=_WHY_AVERAGE,
        source=EBACC_APS_SOURCE,
        family="ks4",
        periods=YEAR_ONLY,
        measure=lambda f: (f.ebacc_points, _when(f.subjects > 0, _literal(6))),
    ),
]
