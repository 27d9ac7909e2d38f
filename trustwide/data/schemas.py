"""Import formats (default headers per dataset) and the Parquet schema of each stored dataset.

docs/DATA.md is the human version of this module; keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class Field:
    """One column of an import file.

    `kind` names the parser in validation.py. `required` means the column must be in the file;
    `blank_ok` means a cell may be empty.
    """

    name: str
    header: str
    kind: str
    required: bool = True
    blank_ok: bool = False


@dataclass(frozen=True)
class Dataset:
    name: str
    fields: tuple[Field, ...]
    # Columns that identify a row within one school and academic year: a newer batch replaces
    # older rows with the same key, and a file may not hold the same key twice.
    natural_key: tuple[str, ...]
    schema: pa.Schema
    # Optional columns of which a file must hold at least one (e.g. Judgement or Score).
    one_of: tuple[str, ...] = ()

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def default_headers(self) -> list[str]:
        return [f.header for f in self.fields]


_URN = Field("school_urn", "URN", "urn")
_UPN = Field("upn", "UPN", "upn")

# Every stored row carries these, so readers need not parse hive partition names.
COMMON_COLUMNS = [
    pa.field("school_urn", pa.int32(), nullable=False),
    pa.field("academic_year", pa.int16(), nullable=False),
    pa.field("batch_id", pa.string(), nullable=False),
]


def _schema(*fields: pa.Field) -> pa.Schema:
    return pa.schema([pa.field("pupil_key", pa.string(), nullable=False), *fields, *COMMON_COLUMNS])


DATASETS: dict[str, Dataset] = {}


def _register(ds: Dataset) -> Dataset:
    DATASETS[ds.name] = ds
    return ds


PUPILS = _register(Dataset("pupils", (), ("pupil_key",), _schema()))

CHARACTERISTICS = _register(
    Dataset(
        "characteristics",
        (
            _URN,
            _UPN,
            Field("surname", "Surname", "name"),
            Field("forename", "Forename", "name"),
            Field("dob", "DOB", "dob"),
            Field("year_group", "Year group", "year_group"),
            Field("sex", "Sex", "sex"),
            Field("disadvantaged", "Disadvantaged", "bool"),
            Field("fsm", "FSM", "bool"),
            Field("sen", "SEN", "sen"),
            Field("eal", "EAL", "bool"),
            Field("prior_band", "Prior attainment", "prior_band", required=False, blank_ok=True),
            Field("joined_on", "Date joined", "any_date", required=False, blank_ok=True),
            Field("left_on", "Date left", "any_date", required=False, blank_ok=True),
        ),
        ("pupil_key",),
        _schema(
            pa.field("year_group", pa.int8()),
            pa.field("sex", pa.string()),
            pa.field("disadvantaged", pa.bool_()),
            pa.field("fsm", pa.bool_()),
            pa.field("sen", pa.string()),
            pa.field("eal", pa.bool_()),
            pa.field("prior_band", pa.string()),
            pa.field("joined_on", pa.date32()),
            pa.field("left_on", pa.date32()),
        ),
    )
)

ATTENDANCE_MARKS = _register(
    Dataset(
        "attendance_marks",
        (
            _URN,
            _UPN,
            Field("date", "Date", "year_date"),
            Field("session", "Session", "session"),
            Field("code", "Code", "attendance_code"),
        ),
        ("pupil_key", "date", "session"),
        _schema(
            pa.field("date", pa.date32(), nullable=False),
            pa.field("session", pa.string(), nullable=False),
            pa.field("code", pa.string(), nullable=False),
        ),
    )
)

ATTENDANCE_SUMMARIES = _register(
    Dataset(
        "attendance_summaries",
        (
            _URN,
            _UPN,
            Field("period_start", "Period start", "year_date"),
            Field("period_end", "Period end", "year_date"),
            Field("possible", "Possible", "count"),
            Field("present", "Present", "count"),
            Field("authorised", "Authorised", "count"),
            Field("unauthorised", "Unauthorised", "count"),
            Field("not_counted", "Not counted", "count", required=False, blank_ok=True),
        ),
        ("pupil_key", "period_start", "period_end"),
        _schema(
            pa.field("period_start", pa.date32()),
            pa.field("period_end", pa.date32()),
            pa.field("possible", pa.int32()),
            pa.field("present", pa.int32()),
            pa.field("authorised", pa.int32()),
            pa.field("unauthorised", pa.int32()),
            pa.field("not_counted", pa.int32()),
        ),
    )
)

ASSESSMENTS = _register(
    Dataset(
        "assessments",
        (
            _URN,
            _UPN,
            Field("term", "Term", "term"),
            Field("subject", "Subject", "subject"),
            Field("judgement", "Judgement", "judgement", required=False, blank_ok=True),
            Field("score", "Score", "assessment_score", required=False, blank_ok=True),
        ),
        ("pupil_key", "term", "subject"),
        _schema(
            pa.field("term", pa.string()),
            pa.field("subject", pa.string()),
            pa.field("judgement", pa.string()),
            pa.field("score", pa.float64()),
        ),
        one_of=("judgement", "score"),
    )
)

STATUTORY = _register(
    Dataset(
        "statutory",
        (
            _URN,
            _UPN,
            Field("measure", "Measure", "measure"),
            Field("result", "Result", "result"),
        ),
        ("pupil_key", "measure"),
        _schema(
            pa.field("measure", pa.string()),
            pa.field("value_num", pa.float64()),
            pa.field("value_text", pa.string()),
        ),
    )
)

TRANSITIONS = _register(
    Dataset(
        "transitions",
        (
            _URN,
            _UPN,
            Field("from_phase", "From phase", "from_phase"),
            Field("destination", "Destination", "destination"),
            Field("destination_urn", "Destination URN", "opt_urn", required=False, blank_ok=True),
            Field("sustained", "Sustained", "bool", required=False, blank_ok=True),
        ),
        ("pupil_key",),
        _schema(
            pa.field("from_phase", pa.string()),
            pa.field("destination", pa.string()),
            pa.field("destination_urn", pa.int32()),
            pa.field("sustained", pa.bool_()),
        ),
    )
)

# Datasets a school uploads (pupils is derived from characteristics by the store).
IMPORT_DATASETS = (
    "characteristics",
    "attendance_marks",
    "attendance_summaries",
    "assessments",
    "statutory",
    "transitions",
)

TERMS = ("autumn", "spring", "summer")
JUDGEMENTS = ("PRE", "WTS", "EXS", "GDS")
SUBJECTS = (
    "reading",
    "writing",
    "maths",
    "science",
    "gps",
    "english",
    "phonics",
    "history",
    "geography",
    "languages",
    "computing",
)
PHASES = ("early years", "primary", "secondary", "16-plus", "special", "alternative provision")
DESTINATIONS = (
    "secondary school",
    "sixth form",
    "further education",
    "apprenticeship",
    "employment",
    "higher education",
    "NEET",
    "unknown",
)
ASSESSMENT_SCORE_RANGE = (0.0, 200.0)


@dataclass(frozen=True)
class Measure:
    """A statutory result: numeric in [low, high] (`integer` if whole marks only), or one of
    `texts` (outcome codes such as 'A' absent, 'B' working below the test)."""

    name: str
    low: float | None
    high: float | None
    integer: bool
    texts: tuple[str, ...]
    label: str


# KS1 teacher assessment outcomes, as DfE's "Key stage 1 and phonics screening check
# attainment" statistics count them (explore-education-statistics data guidance, 2021/22:
# met expected / higher standard, working towards, pre-key stage standards 1-4, foundations of
# the expected standard, engagement model or below the pre-key stage standards, absent,
# disapplied): GDS greater depth, EXS expected, WTS working towards, PK1-PK4 pre-key stage
# standards (2018/19 on), PKF foundations (interim standards 2016-2018), BLW below the
# pre-key stage standards, EM engagement model (2021 on), A absent, D disapplied.
KS1_TA_CODES = ("GDS", "EXS", "WTS", "PK4", "PK3", "PK2", "PK1", "PKF", "BLW", "EM", "A", "D")
# Science: has not met (HNM) or working at (EXS) the expected standard, absent, disapplied.
KS1_SCI_CODES = ("EXS", "HNM", "A", "D")
KS1_MEASURES = ("KS1_READ_TA", "KS1_WRIT_TA", "KS1_MAT_TA", "KS1_SCI_TA")

MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("EYFS_GLD", None, None, False, ("Y", "N"), "EYFS good level of development"),
        Measure("PHONICS_Y1", 0, 40, True, ("A", "D", "L", "Q"), "phonics check mark"),
        Measure("MTC", 0, 25, True, ("A", "D", "J", "X"), "multiplication tables check score"),
        Measure(
            "KS2_READ",
            80,
            120,
            True,
            ("A", "B", "T", "U", "M", "J", "P"),
            "KS2 reading scaled score",
        ),
        Measure(
            "KS2_MAT", 80, 120, True, ("A", "B", "T", "U", "M", "J", "P"), "KS2 maths scaled score"
        ),
        Measure(
            "KS2_GPS", 80, 120, True, ("A", "B", "T", "U", "M", "J", "P"), "KS2 GPS scaled score"
        ),
        Measure(
            "KS2_WRIT_TA",
            None,
            None,
            False,
            ("PKF", "WTS", "EXS", "GDS", "A", "D"),
            "KS2 writing teacher assessment",
        ),
        Measure(
            "KS2_SCI_TA",
            None,
            None,
            False,
            ("HNM", "EXS", "A", "D"),
            "KS2 science teacher assessment",
        ),
        # Key stage 1 teacher assessment (Year 2; statutory 2016-2023, optional since 2023/24):
        # every outcome DfE's KS1 statistics report (KS1_TA_CODES).
        *(
            Measure(name, None, None, False, KS1_TA_CODES, f"KS1 {label} teacher assessment")
            for name, label in (
                ("KS1_READ_TA", "reading"),
                ("KS1_WRIT_TA", "writing"),
                ("KS1_MAT_TA", "maths"),
            )
        ),
        Measure("KS1_SCI_TA", None, None, False, KS1_SCI_CODES, "KS1 science teacher assessment"),
        Measure("KS4_ATT8", 0, 90, False, (), "Attainment 8 score"),
        Measure(
            "KS4_KS2_PRIOR",
            80,
            120,
            False,
            (),
            "KS2 prior attainment (mean of the KS2 reading and maths scaled scores)",
        ),
    )
}

# Key stage 4 results by subject: one statutory measure "KS4_<code>" per pupil and subject,
# the grade's Attainment 8 points (GCSE 9-1; U = 0 points but entered; X = no result).
# element: where the subject can count in Attainment 8 and the EBacc (DfE secondary
# accountability measures): english, maths, science (EBacc sciences, with computer science),
# humanities (history, geography), language, or open (any other approved qualification).
KS4_ELEMENTS = ("english", "maths", "science", "humanities", "language", "open")
KS4_SUBJECTS: dict[str, tuple[str, str]] = {
    # code: (label, element)
    "ENG_LANG": ("English language", "english"),
    "ENG_LIT": ("English literature", "english"),
    "MATHS": ("Mathematics", "maths"),
    # Combined science (double award) fills two EBacc slots with the mean of its two grades
    # (6-5 = 5.5 points in each slot).
    "COMB_SCI": ("Combined science (double award)", "science"),
    "BIOLOGY": ("Biology", "science"),
    "CHEMISTRY": ("Chemistry", "science"),
    "PHYSICS": ("Physics", "science"),
    "COMP_SCI": ("Computer science", "science"),
    "HISTORY": ("History", "humanities"),
    "GEOGRAPHY": ("Geography", "humanities"),
    "FRENCH": ("French", "language"),
    "SPANISH": ("Spanish", "language"),
    "GERMAN": ("German", "language"),
    "OTHER_LANG": ("Another modern or ancient language", "language"),
    "ART": ("Art and design", "open"),
    "BUSINESS": ("Business", "open"),
    "DT": ("Design and technology", "open"),
    "DRAMA": ("Drama", "open"),
    "FOOD": ("Food preparation and nutrition", "open"),
    "MEDIA": ("Media studies", "open"),
    "MUSIC": ("Music", "open"),
    "PE": ("Physical education", "open"),
    "RS": ("Religious studies", "open"),
    "SOCIOLOGY": ("Sociology", "open"),
    "STATISTICS": ("Statistics", "open"),
    # Approved non-GCSE qualifications, with their DfE Attainment 8 points (e.g. 8.5).
    "OTHER_1": ("Approved qualification 1 (non-GCSE)", "open"),
    "OTHER_2": ("Approved qualification 2 (non-GCSE)", "open"),
    "OTHER_3": ("Approved qualification 3 (non-GCSE)", "open"),
}
KS4_SUBJECT_PREFIX = "KS4_"
for _code, (_label, _element) in KS4_SUBJECTS.items():
    if _element not in KS4_ELEMENTS:
        raise ImportError(f"KS4 subject {_code}: unknown element {_element!r}")
    MEASURES[KS4_SUBJECT_PREFIX + _code] = Measure(
        KS4_SUBJECT_PREFIX + _code,
        0 if _code.startswith("OTHER_") else 1,
        9,
        # Whole grades, except combined science (mean of two) and other qualifications.
        not (_code == "COMB_SCI" or _code.startswith("OTHER_")),
        ("U", "X"),
        f"KS4 {_label} grade",
    )
