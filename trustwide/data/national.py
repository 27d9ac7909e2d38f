"""National figures the synthetic generator is calibrated to (England, state-funded schools).

Each figure names its line in /work/shared/design/DOMAIN.md (the project's domain notes).
ASSUMPTION marks a number that DOMAIN.md does not give; it was chosen so that the national
figures it does give come out right, and should be replaced when the source is verified.
"""

from __future__ import annotations

# Pupils in primary schools as a share of primary + secondary pupils (ASSUMPTION: about
# 4.6 million primary and 3.5 million secondary pupils in England).
PRIMARY_PUPIL_SHARE = 0.57

# -- attendance, 2023/24 (DOMAIN.md 1.4) ---------------------------------------------------
# Overall absence 7.2% and PA 20.7%: "2023/24 daily, full year". Severe 2.3%: "2023/24
# census full year" [UNVERIFIED there].
ABSENCE_2023_24 = {"overall": 7.2, "persistent": 20.7, "severe": 2.3}
# Autumn 6.7, spring 7.3, summer 7.7: "2023/24 daily, full year".
ABSENCE_BY_TERM_2023_24 = {"autumn": 6.7, "spring": 7.3, "summer": 7.7}

# By phase. ASSUMPTION: DOMAIN.md has phase figures only for 2018/19 (primary 4.0%,
# secondary 5.5%: secondary about 1.4x primary before COVID; the gap widened since). These
# give the national 7.2 / 20.7 / 2.3 at PRIMARY_PUPIL_SHARE.
ABSENCE_BY_PHASE = {
    "primary": {"overall": 5.7, "persistent": 15.5, "severe": 1.0},
    "secondary": {"overall": 9.2, "persistent": 27.6, "severe": 4.0},
}

# Ratios between groups (DOMAIN.md 1.4 "By characteristic", 2023/24 autumn):
# FSM 10.4% vs non-FSM 5.5% overall, PA 33.0% vs 15.6%; EHC plan 12.4%, SEN support 10.3%,
# no SEN 6.1% overall; PA EHC 34.6%, SEN support 29.0% / no SEN 17.0% (2024/25 autumn).
# Severe absence: FSM 3% vs 1.7% all pupils (2021/22, Children's Commissioner).
ABSENCE_RATIO = {
    "fsm": {"overall": 10.4 / 5.5, "persistent": 33.0 / 15.6, "severe": 2.2},
    "sen_support": {"overall": 10.3 / 6.1, "persistent": 29.0 / 17.0, "severe": 2.0},
    "ehc_plan": {"overall": 12.4 / 6.1, "persistent": 34.6 / 17.0, "severe": 2.5},
}

# Code mix of absence sessions. ASSUMPTION: DOMAIN.md gives no breakdown; illness is the
# largest reason nationally, and about a third of absence is unauthorised.
AUTHORISED_MIX = {
    "I": 0.84,
    "M": 0.05,
    "C": 0.03,
    "E": 0.02,
    "R": 0.02,
    "C2": 0.02,
    "T": 0.01,
    "J1": 0.01,
}
UNAUTHORISED_MIX = {"O": 0.62, "G": 0.25, "N": 0.07, "U": 0.06}
UNAUTHORISED_SHARE = 0.32
# Share of attending sessions on an approved educational activity. FFT (DOMAIN.md 1.2):
# these codes added 1.4 pp to primary and 3.2 pp to secondary attendance in Sept 2024;
# ASSUMPTION: a lower steady-state share over a whole year.
APPROVED_ACTIVITY_SHARE = {"primary": 0.004, "secondary": 0.01}
APPROVED_MIX = {"V": 0.5, "P": 0.3, "B": 0.15, "K": 0.05}
LATE_SHARE = 0.02  # ASSUMPTION: 'L' (late before the register closed) on 2% of mornings

# -- characteristics ----------------------------------------------------------------------
# ASSUMPTION (brief for issue 5, close to the national census): disadvantaged ~25%,
# SEN support ~13%, EHC plan ~2.5% in mainstream schools, EAL ~20%, sex 50/50.
DISADVANTAGED = 0.25
FSM_GIVEN_DISADVANTAGED = 0.85
SEN_SUPPORT = 0.13
EHC_PLAN = 0.025
EAL = 0.20

# -- attainment, 2024 (DOMAIN.md section 2) ------------------------------------------------
KS2_2024 = {  # % meeting the expected standard (2.1)
    "reading": 74.0,
    "writing": 72.0,
    "maths": 73.0,
    "gps": 72.0,
    "science": 81.0,
    "rwm": 61.0,
    "rwm_disadvantaged": 45.0,
    "rwm_other": 67.0,
    "avg_scaled_reading": 105.0,
    "avg_scaled_maths": 104.0,
    "high_reading": 28.0,
    "high_maths": 23.0,
    "gds_writing": 12.0,  # secondary source
}
PHONICS_Y1_2024 = {"meeting": 80.0, "disadvantaged": 68.0, "other": 84.0}  # 2.4
EYFS_GLD_2024 = 67.7  # 2.3, 2023/24
# ASSUMPTION: MTC is not in DOMAIN.md; national average about 20.6 of 25 in 2024.
MTC_AVERAGE = 20.6
KS4_2024 = {"attainment8": 45.9, "gap_disadvantaged": 15.5}  # 2.2 [UNVERIFIED A8]
# 2022/23, all state-funded (DOMAIN.md 2.2; EES permalink af178607-099c-4aa0-a00a-08dbd1466a44).
KS4_2023 = {"em_grade4": 64.8, "em_grade5": 45.0, "ebacc_entry": 39.3}

TARGETS_2023_24 = {
    "absence": ABSENCE_2023_24,
    "absence_by_term": ABSENCE_BY_TERM_2023_24,
    "absence_by_phase": ABSENCE_BY_PHASE,
    "ks2": KS2_2024,
    "phonics": PHONICS_Y1_2024,
    "eyfs_gld": EYFS_GLD_2024,
    "mtc_average": MTC_AVERAGE,
    "ks4": KS4_2024,
}


def expected_absence(primary_share: float) -> dict[str, float]:
    """National-style absence targets for a trust with this share of primary pupils."""
    p, s = ABSENCE_BY_PHASE["primary"], ABSENCE_BY_PHASE["secondary"]
    return {
        k: primary_share * p[k] + (1 - primary_share) * s[k]
        for k in ("overall", "persistent", "severe")
    }
