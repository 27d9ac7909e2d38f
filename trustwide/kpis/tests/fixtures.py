"""A small hand-built store whose answers the tests work out by hand.

Trust 7, academic year 2025/26. School A (100001, hub H1) and school B (100002, hub H1)
send session marks; school C (100003, no hub) sends only attendance summaries. School A
also has summaries, which must be ignored because it has marks.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from trustwide.data.store import AnalyticsStore

TRUST = 7
YEAR = 2025
A, B, C = 100001, 100002, 100003
SCHOOL_HUBS = {A: "H1", B: "H1", C: None}
TERMS = [
    ("autumn", date(2025, 9, 1), date(2025, 12, 19)),
    ("spring", date(2026, 1, 5), date(2026, 3, 27)),
    ("summer", date(2026, 4, 13), date(2026, 7, 22)),
]
AS_OF = date(2026, 1, 9)  # a Friday: ytd = autumn, the 22 Dec mark and spring week 1

AUTUMN_START = date(2025, 9, 8)
SPRING_WEEK1 = date(2026, 1, 5)
SPRING_WEEK2 = date(2026, 1, 12)

P20 = ["/", "\\"] * 10  # 20 present sessions

# School A autumn marks: code list per pupil; sessions run AM, PM on consecutive weekdays.
A_AUTUMN = {
    "a01": P20,
    "a02": ["/", "\\"] * 9 + ["I", "I"],  # 2/20 = exactly 10%
    "a03": ["/"] * 19 + ["O", "O"],  # 2/21 = 9.52%: just below
    "a04": ["I"] * 10 + ["/"] * 10,  # 10/20 = exactly 50%
    "a05": ["M"] * 4 + ["G"] * 5 + ["/"] * 10,  # 9/19 = 47.4%: just below 50
    "a06": ["K", "V", "P", "W", "B"] + ["/"] * 15,  # approved activity = attending
    "a07": ["L"] * 3 + ["U"] + ["/"] * 16,  # late before / after the register closed
    "a08": ["X", "Y1", "Q", "Z", "#", "-", "D", "D"] + P20,  # not possible sessions
    "a09": ["C1", "C2", "C", "J1", "S", "T", "R", "E"] + ["/"] * 12,
    "a10": ["N", "N"] + ["/"] * 18,
}
A_JOINER = ("a11", date(2025, 11, 3), ["/"] * 9 + ["I"])  # joins mid-term: 1/10 = 10%
A_LEAVER = ("a12", AUTUMN_START, ["O"] * 6)  # leaves after three days: 100%
A01_SPRING_W1 = ["/"] * 8 + ["I", "I"]
A01_SPRING_W2 = ["I", "I"] + ["/"] * 8
A01_OUTSIDE_TERM = (date(2025, 12, 22), "I")  # after autumn ends: only ytd and year

B_PUPILS = [f"b{i:02d}" for i in range(1, 11)]
B_AUTUMN = {p: (["I", "I"] + ["/"] * 18 if p in ("b01", "b02", "b03") else P20) for p in B_PUPILS}

# School C summaries: (pupil, start, end, possible, present, authorised, unauthorised, nc)
C_SUMMARIES = [
    ("c01", date(2025, 9, 1), date(2025, 12, 19), 100, 90, 6, 4, 2),
    ("c01", date(2026, 1, 5), date(2026, 3, 27), 100, 100, 0, 0, 0),
    ("c02", date(2025, 9, 1), date(2025, 12, 19), 50, 40, 10, 0, 0),
    ("c03", date(2025, 9, 1), date(2025, 12, 19), 100, 100, 0, 0, 0),
    ("c04", date(2025, 9, 1), date(2025, 12, 19), 100, 100, 0, 0, 0),
    ("c05", date(2025, 9, 1), date(2025, 12, 19), 100, 95, 0, 5, 0),
]

# Teacher assessment (reading; writing identical; maths identical except a02 summer WTS)
READING = {
    "a01": {"autumn": "WTS", "spring": "EXS", "summer": "EXS"},
    "a02": {"autumn": "EXS", "spring": "EXS", "summer": "EXS"},
    "a03": {"autumn": "EXS", "spring": "WTS", "summer": "WTS"},
    "a04": {"autumn": "GDS", "spring": "GDS", "summer": "GDS"},
    "a05": {"autumn": "PRE", "spring": "WTS", "summer": "EXS"},
    "a06": {"summer": "EXS"},
    "a07": {"spring": "WTS", "summer": "GDS"},
    "a08": {"autumn": "EXS", "spring": "EXS", "summer": "GDS"},
    "a09": {"autumn": "EXS", "spring": "EXS", "summer": "GDS"},
    "a10": {"autumn": "EXS", "spring": "EXS", "summer": "GDS"},
    "a11": {"autumn": "EXS"},
    "a12": {"autumn": "WTS", "spring": "WTS", "summer": "WTS"},
}

PHONICS = {
    "a01": 32,
    "a02": 31,
    "a03": 40,
    "a04": 35,
    "a05": 20,
    "a06": 32,
    "a07": 33,
    "a08": None,
    "a09": 39,
    "a10": 10,
}
GLD = {f"a{i:02d}": ("Y" if i <= 7 else "N") for i in range(1, 11)}
# KS2: pupil -> (reading score or text code, maths score, writing TA or None)
KS2 = {
    "b01": (105, 110, "EXS"),
    "b02": (112, 115, "GDS"),
    "b03": (99, 104, "EXS"),
    "b04": ("A", 100, "EXS"),
    "b05": (100, 100, "WTS"),
    "b06": (100, 100, "GDS"),
    "b07": (110, 110, "GDS"),
    "b08": (101, 101, None),
    "b09": (108, 108, "EXS"),
    "b10": (120, 99, "GDS"),
}
A8 = {"b01": 40.0, "b02": 50.5, "b03": 60.0, "b04": 30.0, "b05": 45.0}
SUSTAINED = {
    "b01": True,
    "b02": True,
    "b03": True,
    "b04": True,
    "b05": True,
    "b06": True,
    "b07": True,
    "b08": False,
    "b09": False,
    "b10": None,
}


def weekdays(start: date):
    d = start
    while True:
        if d.weekday() < 5:
            yield d
        d += timedelta(days=1)


def sessions(start: date, codes: list[str]):
    """(date, session, code) for consecutive AM/PM sessions on weekdays from start."""
    days = weekdays(start)
    out = []
    for i, code in enumerate(codes):
        if i % 2 == 0:
            day = next(days)
        out.append((day, "AM" if i % 2 == 0 else "PM", code))
    return out


def characteristics():
    rows = []
    for i in range(1, 13):
        p = f"a{i:02d}"
        rows.append(
            dict(
                school_urn=A,
                pupil_key=p,
                year_group=4,
                sex="F" if i % 2 else "M",
                disadvantaged=i <= 6,
                fsm=i <= 3,
                sen="E" if i == 1 else ("K" if i <= 4 else "N"),
                eal=i <= 2,
                prior_band=None,
                joined_on=date(2025, 11, 3) if p == "a11" else date(2021, 9, 1),
                left_on=date(2025, 9, 10) if p == "a12" else None,
            )
        )
    for i, p in enumerate(B_PUPILS, start=1):
        rows.append(
            dict(
                school_urn=B,
                pupil_key=p,
                year_group=6 if i <= 5 else 11,
                sex="F" if i % 2 else "M",
                disadvantaged=i <= 3,
                fsm=False,
                sen="N",
                eal=False,
                prior_band="middle",
                joined_on=date(2020, 9, 1),
                left_on=None,
            )
        )
    for i in range(1, 6):
        rows.append(
            dict(
                school_urn=C,
                pupil_key=f"c{i:02d}",
                year_group=2,
                sex="F",
                disadvantaged=i == 1,
                fsm=False,
                sen="N",
                eal=False,
                prior_band=None,
                joined_on=date(2020, 9, 1),
                left_on=None,
            )
        )
    return rows


def marks():
    rows = []

    def add(school, pupil, start, codes):
        for day, sess, code in sessions(start, codes):
            rows.append(dict(school_urn=school, pupil_key=pupil, date=day, session=sess, code=code))

    for p, codes in A_AUTUMN.items():
        add(A, p, AUTUMN_START, codes)
    add(A, A_JOINER[0], A_JOINER[1], A_JOINER[2])
    add(A, A_LEAVER[0], A_LEAVER[1], A_LEAVER[2])
    add(A, "a01", SPRING_WEEK1, A01_SPRING_W1)
    add(A, "a01", SPRING_WEEK2, A01_SPRING_W2)
    rows.append(
        dict(
            school_urn=A,
            pupil_key="a01",
            date=A01_OUTSIDE_TERM[0],
            session="AM",
            code=A01_OUTSIDE_TERM[1],
        )
    )
    for p, codes in B_AUTUMN.items():
        add(B, p, AUTUMN_START, codes)
    return rows


def summaries():
    rows = [
        dict(
            school_urn=C,
            pupil_key=p,
            period_start=s,
            period_end=e,
            possible=pos,
            present=pre,
            authorised=au,
            unauthorised=un,
            not_counted=nc,
        )
        for p, s, e, pos, pre, au, un, nc in C_SUMMARIES
    ]
    # Must be ignored: school A has marks.
    rows.append(
        dict(
            school_urn=A,
            pupil_key="a01",
            period_start=date(2025, 9, 1),
            period_end=date(2025, 12, 19),
            possible=999,
            present=0,
            authorised=999,
            unauthorised=0,
            not_counted=0,
        )
    )
    return rows


def assessments():
    rows = []
    for p, by_term in READING.items():
        for subject in ("reading", "writing", "maths"):
            for term, j in by_term.items():
                if subject == "maths" and p == "a02" and term == "summer":
                    j = "WTS"
                rows.append(
                    dict(
                        school_urn=A,
                        pupil_key=p,
                        term=term,
                        subject=subject,
                        judgement=j,
                        score=None,
                    )
                )
    # A score-only row is not a judgement and is ignored.
    rows.append(
        dict(
            school_urn=A,
            pupil_key="a01",
            term="summer",
            subject="reading",
            judgement=None,
            score=104.0,
        )
    )
    return rows


def statutory():
    rows = []

    def add(school, p, measure, num=None, text=None):
        rows.append(
            dict(school_urn=school, pupil_key=p, measure=measure, value_num=num, value_text=text)
        )

    for p, mark in PHONICS.items():
        add(
            A, p, "PHONICS_Y1", None if mark is None else float(mark), "A" if mark is None else None
        )
    for p, g in GLD.items():
        add(A, p, "EYFS_GLD", text=g)
    for p, (r, m, w) in KS2.items():
        if isinstance(r, str):
            add(B, p, "KS2_READ", text=r)
        else:
            add(B, p, "KS2_READ", num=float(r))
        add(B, p, "KS2_MAT", num=float(m))
        if w is not None:
            add(B, p, "KS2_WRIT_TA", text=w)
    for p, a8 in A8.items():
        add(B, p, "KS4_ATT8", num=a8)
    return rows


def transitions():
    return [
        dict(
            school_urn=B,
            pupil_key=p,
            from_phase="secondary",
            destination="sixth form",
            destination_urn=None,
            sustained=s,
        )
        for p, s in SUSTAINED.items()
    ]


SCHEMAS = {
    "characteristics": [
        ("pupil_key", pa.string()),
        ("year_group", pa.int8()),
        ("sex", pa.string()),
        ("disadvantaged", pa.bool_()),
        ("fsm", pa.bool_()),
        ("sen", pa.string()),
        ("eal", pa.bool_()),
        ("prior_band", pa.string()),
        ("joined_on", pa.date32()),
        ("left_on", pa.date32()),
    ],
    "attendance_marks": [
        ("pupil_key", pa.string()),
        ("date", pa.date32()),
        ("session", pa.string()),
        ("code", pa.string()),
    ],
    "attendance_summaries": [
        ("pupil_key", pa.string()),
        ("period_start", pa.date32()),
        ("period_end", pa.date32()),
        ("possible", pa.int32()),
        ("present", pa.int32()),
        ("authorised", pa.int32()),
        ("unauthorised", pa.int32()),
        ("not_counted", pa.int32()),
    ],
    "assessments": [
        ("pupil_key", pa.string()),
        ("term", pa.string()),
        ("subject", pa.string()),
        ("judgement", pa.string()),
        ("score", pa.float64()),
    ],
    "statutory": [
        ("pupil_key", pa.string()),
        ("measure", pa.string()),
        ("value_num", pa.float64()),
        ("value_text", pa.string()),
    ],
    "transitions": [
        ("pupil_key", pa.string()),
        ("from_phase", pa.string()),
        ("destination", pa.string()),
        ("destination_urn", pa.int32()),
        ("sustained", pa.bool_()),
    ],
}


def write_dataset(root: Path, dataset: str, rows: list[dict], *, trust=TRUST, year=YEAR):
    """Write rows as the store does: one file per school partition, contract columns."""
    schema = pa.schema(
        [
            ("school_urn", pa.int32()),
            ("academic_year", pa.int16()),
            ("batch_id", pa.string()),
            *SCHEMAS[dataset],
        ]
    )
    by_school: dict[int, list[dict]] = {}
    for r in rows:
        by_school.setdefault(r["school_urn"], []).append(r)
    for urn, rs in by_school.items():
        cols = {name: [r.get(name) for r in rs] for name in schema.names}
        cols["academic_year"] = [year] * len(rs)
        cols["batch_id"] = ["test-batch"] * len(rs)
        out = root / dataset / f"trust={trust}" / f"school={urn}" / f"year={year}"
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(cols, schema=schema), out / "part-0.parquet")


def build_store(root: Path) -> Path:
    write_dataset(root, "characteristics", characteristics())
    write_dataset(root, "attendance_marks", marks())
    write_dataset(root, "attendance_summaries", summaries())
    write_dataset(root, "assessments", assessments())
    write_dataset(root, "statutory", statutory())
    write_dataset(root, "transitions", transitions())
    # Another trust's data in the same store must never be read.
    write_dataset(
        root,
        "attendance_marks",
        [dict(school_urn=A, pupil_key="zz", date=date(2025, 9, 8), session="AM", code="O")],
        trust=8,
    )
    # The marks were written around the store: derive its weekly counts as an import would.
    for trust in (TRUST, 8):
        AnalyticsStore(root).ensure_derived(trust, YEAR)
    return root
