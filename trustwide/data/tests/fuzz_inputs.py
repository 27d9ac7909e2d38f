"""Malformed import files for fuzzing validate_file: valid seed files of every dataset, in
every encoding and as .xlsx, and mutations of their bytes (and of the XML inside an .xlsx).

Shared by the property-based test (test_fuzz_validation.py, a bounded number of examples) and
bench/fuzz_imports.py (tens of thousands of files). `check` holds what both assert.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile

URN = 137001
TRUST_KEY = b"fuzz-trust-key"
ACADEMIC_YEAR = 2023
TODAY = dt.date(2024, 9, 30)


def _upn(i: int) -> str:
    return f"A{201200000000 + i:012d}"


SEEDS: dict[str, tuple[list[str], list[list[str]]]] = {
    "characteristics": (
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
        [
            [
                str(URN),
                _upn(0),
                "Jones",
                "Zoë",
                "12/03/2013",
                "5",
                "F",
                "Y",
                "Y",
                "N",
                "N",
                "",
                "01/09/2019",
                "",
            ],
            [
                str(URN),
                _upn(1),
                "Pryce",
                "Siân",
                "2012-11-30",
                "Y6",
                "F",
                "N",
                "N",
                "K",
                "Y",
                "middle",
                "",
                "",
            ],
            [
                str(URN),
                _upn(2),
                "Brontë",
                "Noël",
                "01-10-2016",
                "R",
                "M",
                "No",
                "No",
                "EHCP",
                "No",
                "",
                "",
                "",
            ],
        ],
    ),
    "attendance_marks": (
        ["URN", "UPN", "Date", "Session", "Code"],
        [
            [str(URN), _upn(p), d, s, "/" if s == "AM" else "\\"]
            for p in range(3)
            for d in ("04/09/2023", "05/09/2023")
            for s in ("AM", "PM")
        ],
    ),
    "attendance_summaries": (
        [
            "URN",
            "UPN",
            "Period start",
            "Period end",
            "Possible",
            "Present",
            "Authorised",
            "Unauthorised",
            "Not counted",
        ],
        [
            [str(URN), _upn(0), "01/09/2023", "20/12/2023", "140", "130", "6", "4", "0"],
            [str(URN), _upn(1), "01/09/2023", "20/12/2023", "140", "120", "12", "8", ""],
        ],
    ),
    "assessments": (
        ["URN", "UPN", "Term", "Subject", "Judgement", "Score"],
        [
            [str(URN), _upn(0), "Autumn", "Reading", "EXS", ""],
            [str(URN), _upn(0), "Aut", "Mathematics", "", "104"],
            [str(URN), _upn(1), "summer", "maths", "GDS", "110.5"],
        ],
    ),
    "statutory": (
        ["URN", "UPN", "Measure", "Result"],
        [
            [str(URN), _upn(0), "KS2_READ", "104"],
            [str(URN), _upn(1), "KS2_MAT", "A"],
            [str(URN), _upn(2), "KS4_ATT8", "45.5"],
        ],
    ),
    "transitions": (
        ["URN", "UPN", "From phase", "Destination", "Destination URN", "Sustained"],
        [[str(URN), _upn(0), "primary", "secondary", "137002", "Y"]],
    ),
}
DATASETS = tuple(SEEDS)
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "utf-16-be", "utf-32")

# Text that broke or could break a reader: odd digits, huge numbers, quotes, line breaks,
# byte-order marks, NUL, Excel formula text, cell references past column XFD.
TOKENS = (
    "²",
    "٣",
    "1_000",
    "nan",
    "inf",
    "-0",
    "1e309",
    "9" * 5000,
    '"',
    '""',
    "\n",
    "\r",
    "\r\n",
    "\x00",
    "\ufeff",
    "\u2028",
    ",",
    ";",
    "\t",
    "=1+1",
    "ZZZZ1",
    "A1048577",
    " " * 300,
    "X" * 70_000,
    "31/02/2023",
    "00/00/0000",
    "9999-12-31",
    "-",
    "é",
)
RAW_TOKENS = (
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\x80\x81",
    b"\xc3",
    b"\x00\x00\xfe\xff",
    b"PK\x03\x04",
    b"%PDF",
    b"\xd0\xcf\x11\xe0",
)
XML_TOKENS = (
    b"<",
    b">",
    b"</row>",
    b'<c r="ZZZZ2"><v>1</v></c>',
    b'<c r="A99999999"><v>1</v></c>',
    b'<row r="2000000">',
    b"&amp;",
    b"&#0;",
    b"<v>1e999</v>",
    b't="s"',
    b"<v>99999999</v>",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
    b"\x00",
    b's="999"',
    b't="d"><v>not a date</v>',
)


def csv_bytes(
    dataset: str,
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    newline: str = "\n",
    rows: list[list[str]] | None = None,
) -> bytes:
    header, seed_rows = SEEDS[dataset]
    lines = [delimiter.join(header)] + [
        delimiter.join(r) for r in (seed_rows if rows is None else rows)
    ]
    return (newline.join(lines) + newline).encode(encoding, errors="replace")


def xlsx_bytes(dataset: str, rows: list[list[str]] | None = None) -> bytes:
    import openpyxl

    header, seed_rows = SEEDS[dataset]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in seed_rows if rows is None else rows:
        sheet.append([int(c) if c.isdigit() and len(c) == 6 else c for c in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


_XLSX_CACHE: dict[str, bytes] = {}


def seed_file(rng: random.Random) -> tuple[str, str, bytes]:
    """(dataset, file name, bytes) of a valid file."""
    dataset = rng.choice(DATASETS)
    if rng.random() < 0.3:
        if dataset not in _XLSX_CACHE:
            _XLSX_CACHE[dataset] = xlsx_bytes(dataset)
        return dataset, f"{dataset}.xlsx", _XLSX_CACHE[dataset]
    data = csv_bytes(
        dataset,
        encoding=rng.choice(ENCODINGS),
        delimiter=rng.choice(",;\t"),
        newline=rng.choice(("\n", "\r\n")),
    )
    return dataset, f"{dataset}.csv", data


def _token(rng: random.Random) -> bytes:
    if rng.random() < 0.15:
        return rng.choice(RAW_TOKENS)
    return rng.choice(TOKENS).encode(
        rng.choice(("utf-8", "utf-16-le", "latin-1")), errors="replace"
    )


def mutate_bytes(rng: random.Random, data: bytes, *, tokens=None) -> bytes:
    """One to four random edits of `data`."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        at = rng.randrange(len(data) + 1)
        if op == 0 and data:  # flip a byte
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif op == 1:  # insert a token
            data[at:at] = rng.choice(tokens) if tokens else _token(rng)
        elif op == 2:  # delete a range
            del data[at : at + rng.randint(1, 64)]
        elif op == 3:  # truncate
            del data[at:]
        elif op == 4:  # duplicate a range (more rows, or a row twice)
            end = min(len(data), at + rng.randint(1, 400))
            data[end:end] = data[at:end] * rng.randint(1, 20)
        elif op == 5:  # random bytes
            data[at:at] = rng.randbytes(rng.randint(1, 64))
        elif op == 6:  # replace a digit run with a huge or odd number
            digits = [m.span() for m in re.finditer(rb"[0-9]+", bytes(data))]
            if digits:
                a, b = rng.choice(digits)
                data[a:b] = rng.choice(
                    (b"9" * 5000, "99000²".encode(), b"-1", b"0", b"1.5", b"1e5")
                )
        else:  # swap two lines
            lines = bytes(data).split(b"\n")
            if len(lines) > 2:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                data = bytearray(b"\n".join(lines))
    return bytes(data)


def mutate_xlsx(rng: random.Random, data: bytes) -> bytes:
    """Edit one part inside the ZIP (usually the sheet XML), or drop a part."""
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = source.infolist()
    target = rng.choice([p for p in parts if p.filename.startswith("xl/worksheets/")] * 4 + parts)
    drop = rng.random() < 0.05
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for part in parts:
            body = source.read(part.filename)
            if part.filename == target.filename:
                if drop:
                    continue
                body = mutate_bytes(rng, body, tokens=XML_TOKENS)
            dest.writestr(part.filename, body)
    return out.getvalue()


def mutated_file(rng: random.Random) -> tuple[str, str, bytes]:
    dataset, name, data = seed_file(rng)
    roll = rng.random()
    if roll < 0.05:
        return dataset, name, data  # valid files too: success is an allowed outcome
    if name.endswith(".xlsx"):
        data = mutate_xlsx(rng, data) if roll < 0.75 else mutate_bytes(rng, data)
    else:
        data = mutate_bytes(rng, data)
    if rng.random() < 0.03:
        name = rng.choice(("data.xlsx", "data.txt", "data.tsv", "DATA.CSV"))
    return dataset, name, data


# What no message may contain: the text of a library, or undecoded bytes (mojibake).
RAW_MARKERS = (
    "pyarrow",
    "arrow",
    "csv parse error",
    "skip initial",
    "straddl",
    "block size",
    "lxml",
    "openpyxl",
    "extra content",
    "unclosed token",
    "junk after",
    "xml",
    "zipfile",
    "bad magic",
    "errno",
    "traceback",
    "invalid literal",
    "int_max_str_digits",
    "is not a valid column name",
    "\x00",
    "keyerror",
    "valueerror",
    "exception",
)
# A byte-order mark read as Windows-1252 text: the sign of a UTF-16/UTF-8 file misread. Only
# looked for when the file starts with one (a mark in mid-file is the file's own odd text).
MOJIBAKE = {b"\xff\xfe": "ÿþ", b"\xfe\xff": "þÿ", b"\xef\xbb\xbf": "ï»¿", b"\x00\x00\xfe\xff": "þÿ"}
MAX_MESSAGE_CHARS = 1_400  # file name + row + column + 80-character value + problem + expected


def validate(data: bytes, dataset: str, file_name: str):
    from trustwide.data.validation import validate_file

    return validate_file(
        data,
        dataset=dataset,
        file_name=file_name,
        academic_year=ACADEMIC_YEAR,
        allowed_school_urns=[URN],
        trust_key=TRUST_KEY,
        today=TODAY,
        max_errors=50,
    )


def check(result, file_name: str, data: bytes = b"") -> list[str]:
    """Problems with a validation result as the user would see it ([] when it is sound)."""
    problems = []
    markers = RAW_MARKERS + tuple(text for bom, text in MOJIBAKE.items() if data.startswith(bom))
    if not result.ok and not result.errors:
        problems.append("refused without a message")
    for error in result.errors:
        message = error.message
        lowered = message.lower()
        raw = [m for m in markers if m in lowered]
        if raw:
            problems.append(f"raw text {raw}: {message[:300]!r}")
        if len(message) > MAX_MESSAGE_CHARS:
            problems.append(f"message of {len(message):,} characters: {message[:200]!r}")
        if not message.startswith(file_name):
            problems.append(f"message does not name the file: {message[:200]!r}")
    return problems
