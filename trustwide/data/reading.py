"""Reading the files a school's MIS exports (CSV or Excel) into a table of strings, safely.

Every cell stays a string here; validation.py decides what it means. CSV goes through
pyarrow.csv (multi-threaded, no per-row Python), so a million-row register export reads in
well under a second. Excel goes through openpyxl in read-only (streaming) mode.

Whatever the bytes, reading either returns a RawFile or raises FileUnreadable with a sentence
written here: library messages (pyarrow, openpyxl, lxml, zipfile) never reach the user.
Limits are checked before the expensive step: the size of the file, the unpacked size and
compression ratio of an .xlsx (from the ZIP directory, before any XML is parsed), the number
of rows, columns and cells. They bound the time and memory one upload can take.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

DELIMITERS = (",", ";", "\t")
_SNIFF_BYTES = 64 * 1024
_CSV_BLOCK = 16 << 20

MB = 1024 * 1024
MAX_FILE_BYTES = 200 * MB  # the upload form's limit, also applied to `trustwide import`
MAX_COLUMNS = 1_000
MAX_ROWS = 5_000_000  # data rows in a CSV (a year of marks for ~13,000 pupils)
MAX_CELLS = 50_000_000  # rows x columns
XLSX_MAX_ROWS = 1_048_576  # Excel's own sheet limit
MAX_XLSX_UNPACKED = 256 * MB  # sum of the unpacked parts of an .xlsx
MAX_XLSX_SHARED_STRINGS = 64 * MB  # openpyxl holds the shared-strings part in memory whole
MAX_XLSX_RATIO = 100  # unpacked / packed, for parts over 1 MB (Excel writes ~5-20)
MAX_MALFORMED_KEPT = 10_000  # rows with the wrong number of fields kept in detail
_XLSX_CHUNK = 65_536  # rows kept as Python strings before becoming Arrow arrays

# Signatures of files people upload by mistake: named, so the refusal says what was sent.
_SIGNATURES = (
    (
        b"\xd0\xcf\x11\xe0",
        "an old Excel .xls (or other Office 97-2003) file: save it as .xlsx or CSV",
    ),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"{\\rtf", "a Rich Text document"),
)
# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)


class FileUnreadable(Exception):
    """The file cannot be read as a table at all (empty, not CSV/Excel, corrupt, too big)."""


@dataclass
class MalformedRow:
    row: int | None
    text: str
    fields: int
    expected_fields: int


@dataclass
class RawFile:
    headers: list[str]
    # One string column per header, named c0, c1, ...; blank cells are "".
    table: pa.Table
    # File row number of each table row as the user sees it (header = row 1).
    row_numbers: np.ndarray
    malformed: list[MalformedRow] = field(default_factory=list)
    # Malformed rows beyond MAX_MALFORMED_KEPT: counted, not kept.
    malformed_more: int = 0
    encoding: str = "utf-8"
    delimiter: str = ","


def read_file(source: str | os.PathLike | bytes, *, file_name: str) -> RawFile:
    if isinstance(source, str | os.PathLike):
        size = Path(source).stat().st_size
        if size > MAX_FILE_BYTES:
            raise FileUnreadable(_too_big(size))
        data = Path(source).read_bytes()
    else:
        data = bytes(source)
        if len(data) > MAX_FILE_BYTES:
            raise FileUnreadable(_too_big(len(data)))
    if not _CONTENT.search(data):
        raise FileUnreadable("the file is empty")
    refusal = early_refusal(data[:4096], file_name=file_name)
    if refusal:
        raise FileUnreadable(refusal)
    if data[:4] == _ZIP:
        return _read_xlsx(data)
    return _read_csv(data)


_ZIP = b"PK\x03\x04"
# Searches, not bytes.strip(): a strip copies the whole file to find one character.
_CONTENT = re.compile(rb"\S")
_CELL = re.compile(rb"[^ \t\r\n,;]")
_BINARY = "the file is not a CSV or Excel file (it holds binary data)"


def early_refusal(head: bytes, *, file_name: str) -> str | None:
    """Why the file cannot be an import, judged from its first 4 KB (and its name), or None.

    The upload form calls this too, so a PDF or an image is refused before it is queued.
    """
    if head[:4] == _ZIP:
        return None
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        return (
            "the file has an .xlsx name but is not an Excel .xlsx workbook "
            "(a CSV renamed? upload it with a .csv name)"
        )
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            return f"the file is not a CSV or Excel file: it is {what}"
    wide = any(head.startswith(bom) for bom, codec, _ in _BOMS if codec != "utf-8-sig")
    if b"\x00" in head and not wide and not _utf16_without_bom(head):
        return _BINARY
    return None


def _too_big(size: int) -> str:
    return (
        f"the file is {size / MB:,.0f} MB, more than the {MAX_FILE_BYTES // MB} MB limit "
        "(split it, e.g. one file per school or term)"
    )


def _rows_limit(rows: int, limit: int) -> str:
    return f"the file has more than {limit:,} data rows (found {rows:,}): split it, e.g. one file per school or term"


# -- CSV -------------------------------------------------------------------------------------
def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark shows as NUL in every other byte."""
    even, odd = sample[0::2], sample[1::2]
    if len(odd) < 2:
        return None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode(data: bytes) -> tuple[bytes, str]:
    """Return UTF-8 bytes without BOM and the encoding the file was in."""
    codec, label = None, ""
    for bom, name, text in _BOMS:
        if data.startswith(bom):
            data, codec, label = data[len(bom) :], name, text
            break
    else:
        guess = _utf16_without_bom(data[:4096])
        if guess:
            codec, label = guess, "UTF-16"
    if codec and codec != "utf-8-sig":
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            raise FileUnreadable(
                f"the file looks like {label} text but is not valid {label} "
                "(save it again as CSV UTF-8)"
            ) from None
        if "\x00" in text:
            raise FileUnreadable(_BINARY)
        return text.encode("utf-8"), codec.removesuffix("-le").removesuffix("-be")
    if b"\x00" in data:
        raise FileUnreadable(_BINARY)
    try:
        data.decode("utf-8")
        return data, codec or "utf-8"
    except UnicodeDecodeError:
        if codec:  # a UTF-8 byte-order mark on bytes that are not UTF-8
            raise FileUnreadable(
                "the file starts with a UTF-8 mark but is not valid UTF-8 "
                "(save it again as CSV UTF-8)"
            ) from None
    # Excel on Windows saves "CSV" as Windows-1252. Five byte values are undefined there;
    # latin-1 maps every byte, so it is the last resort rather than refusing the file.
    try:
        return data.decode("cp1252").encode("utf-8"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1").encode("utf-8"), "latin-1"


def _sniff_delimiter(sample: str, header_line: str) -> str:
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
        if delimiter in header_line:
            return delimiter
    except csv.Error:
        pass
    # Fallback: the delimiter that splits the header into the most columns.
    return max(DELIMITERS, key=header_line.count)


def _read_csv(data: bytes) -> RawFile:
    data, encoding = _decode(data)
    # pyarrow ends a row at \n, \r\n or a lone \r: so does the header row here.
    ends = [i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0]
    first_end = min(ends) if ends else -1
    header_bytes = data if first_end < 0 else data[:first_end]
    if not header_bytes.strip(b" \t\r,;"):
        raise FileUnreadable("row 1 is blank: the header row must be row 1")
    if len(header_bytes) > _CSV_BLOCK // 2:
        raise FileUnreadable(
            f"the file has a header row of {len(header_bytes) / MB:,.0f} MB: not a header"
        )
    if first_end < 0 or not _CELL.search(data, first_end + 1):
        raise FileUnreadable("the file has a header row but no data rows")
    sample = data[:_SNIFF_BYTES].decode("utf-8", errors="ignore")
    # Split on line ends only: str.splitlines() would also split on form feeds and the like.
    lines = re.split(r"\r\n?|\n", sample)
    # A sample cut mid-line would confuse the sniffer; drop the partial last line.
    if len(data) > _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]
    header_line = lines[0]
    delimiter = _sniff_delimiter("\n".join(lines[:50]), header_line)
    try:
        headers = next(csv.reader([header_line], delimiter=delimiter), [])
    except csv.Error as exc:  # e.g. a header over csv's field limit (128 KB)
        raise FileUnreadable(
            "the file's header row could not be read: a header is too long or badly quoted"
        ) from exc
    if len(headers) > MAX_COLUMNS:
        raise FileUnreadable(
            f"the file has {len(headers):,} columns in its header row (at most {MAX_COLUMNS:,})"
        )
    # A cheap upper bound on the rows before pyarrow allocates anything.
    line_count = max(data.count(b"\n"), data.count(b"\r")) + (not data.endswith((b"\n", b"\r")))
    if line_count - 1 > MAX_ROWS:
        raise FileUnreadable(_rows_limit(line_count - 1, MAX_ROWS))
    if (line_count - 1) * len(headers) > MAX_CELLS:
        raise FileUnreadable(
            f"the file has more than {MAX_CELLS:,} cells ({line_count - 1:,} rows x "
            f"{len(headers)} columns): send only the columns needed, or split it"
        )
    names = [f"c{i}" for i in range(len(headers))]

    blank_chars = " \t\r\n" + delimiter
    more = [0]

    def read(use_threads: bool) -> tuple[pa.Table, list[MalformedRow]]:
        bad: list[MalformedRow] = []
        more[0] = 0

        def on_invalid(row) -> str:
            if len(bad) < MAX_MALFORMED_KEPT:
                bad.append(
                    MalformedRow(
                        row.number, row.text[:200], row.actual_columns, row.expected_columns
                    )
                )
            elif row.text.strip(blank_chars):
                more[0] += 1
            return "skip"

        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(
                skip_rows=1,
                column_names=names,
                use_threads=use_threads,
                block_size=_CSV_BLOCK,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                newlines_in_values=False,
                ignore_empty_lines=True,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        return table, bad

    try:
        table, malformed = read(True)
        if malformed and any(m.row is None for m in malformed):
            # Row numbers of bad rows are only known to a single-threaded read.
            table, malformed = read(False)
    except (pa.ArrowException, ValueError, OverflowError) as exc:
        # pyarrow's wording names its own internals (blocks, skip_rows); say what it means.
        if "straddl" in str(exc) or "block size" in str(exc):
            raise FileUnreadable(
                f"the file has a row longer than {_CSV_BLOCK // MB} MB: not a pupil-data row "
                "(an unclosed quote?)"
            ) from exc
        raise FileUnreadable(
            "the file could not be read as CSV: check it is comma, semicolon or tab "
            "separated text with one row per line"
        ) from exc
    row_numbers = _data_row_numbers(data, table.num_rows, malformed)
    # Whitespace-only lines are blank lines too, not errors.
    malformed_real = [m for m in malformed if m.text.strip(blank_chars)]
    return RawFile(
        headers=headers,
        table=table,
        row_numbers=row_numbers,
        malformed=malformed_real,
        malformed_more=more[0],
        encoding=encoding,
        delimiter=delimiter,
    )


def _data_row_numbers(data: bytes, n_rows: int, malformed: list[MalformedRow]) -> np.ndarray:
    """File row numbers of the parsed rows (header = 1).

    pyarrow skips blank lines and numbers rows among the non-blank ones, so both its row
    numbers and ours need the physical line of each non-blank line. Rewrites the row of each
    malformed row in place.
    """
    if (
        not malformed
        and b"\n\n" not in data
        and b"\n\r\n" not in data
        and not data.startswith(b"\n")
    ):
        return np.arange(2, n_rows + 2, dtype=np.int64)
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == 10)
    if len(buf) and buf[-1] != 10:
        ends = np.append(ends, len(buf))
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    first = buf[np.minimum(starts, len(buf) - 1)]
    blank = (lengths == 0) | ((lengths == 1) & (first == 13))
    lines = np.flatnonzero(~blank) + 1  # physical numbers of the lines pyarrow counts
    dropped = []
    for m in malformed:
        if m.row is not None and 0 < m.row <= len(lines):
            dropped.append(m.row - 1)
            m.row = int(lines[m.row - 1])
    keep = np.ones(len(lines), dtype=bool)
    keep[0] = False  # header
    keep[dropped] = False
    numbers = lines[keep]
    if len(numbers) != n_rows:
        # Quoted values spanning lines: fall back to counting rows.
        return np.arange(2, n_rows + 2, dtype=np.int64)
    return numbers.astype(np.int64)


# -- Excel -----------------------------------------------------------------------------------
def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        # Excel stores URNs and marks as floats; 100001.0 must read as 100001.
        return str(int(value))
    return str(value)


def check_xlsx_parts(data: bytes | BinaryIO) -> None:
    """Refuse a workbook that unpacks too far, from the ZIP directory alone.

    Python's zipfile never returns more than a part's declared size (and checks its CRC), so
    the declared sizes bound what openpyxl can unpack.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as archive:
            parts = archive.infolist()
    except Exception as exc:  # zipfile also raises NotImplementedError, struct.error, ...
        raise FileUnreadable(
            "the file is damaged: it starts like an .xlsx (ZIP) file but cannot be opened "
            "(save it again from Excel, or as CSV)"
        ) from exc
    names = {p.filename for p in parts}
    if "xl/workbook.xml" not in names:
        raise FileUnreadable("the file is a ZIP archive, not an Excel .xlsx workbook")
    unpacked = sum(p.file_size for p in parts)
    if len(parts) > 10_000 or unpacked > MAX_XLSX_UNPACKED:
        raise FileUnreadable(
            f"the file unpacks to {unpacked / MB:,.0f} MB, more than the "
            f"{MAX_XLSX_UNPACKED // MB} MB an Excel upload may hold: send it as CSV"
        )
    for part in parts:
        if part.file_size > MB and part.file_size > MAX_XLSX_RATIO * max(part.compress_size, 1):
            ratio = part.file_size / max(part.compress_size, 1)
            raise FileUnreadable(
                f"the file unpacks to {ratio:,.0f} times its size (at most {MAX_XLSX_RATIO} "
                "times is accepted from Excel): send it as CSV"
            )
        if part.filename == "xl/sharedStrings.xml" and part.file_size > MAX_XLSX_SHARED_STRINGS:
            raise FileUnreadable(
                f"the file holds {part.file_size / MB:,.0f} MB of distinct text, more than "
                f"{MAX_XLSX_SHARED_STRINGS // MB} MB: send it as CSV"
            )


def _read_xlsx(data: bytes) -> RawFile:
    import openpyxl  # imported lazily: only Excel uploads need it

    check_xlsx_parts(data)
    damaged = (
        "the file could not be read as Excel .xlsx: the workbook is damaged or not from Excel "
        "(save it again from Excel, or as CSV)"
    )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl, lxml and zipfile raise many types for a corrupt file
        raise FileUnreadable(damaged) from exc
    try:
        return _xlsx_rows(workbook)
    except FileUnreadable:
        raise
    except Exception as exc:  # the sheet XML is parsed lazily, row by row
        raise FileUnreadable(damaged) from exc
    finally:
        workbook.close()


def _xlsx_rows(workbook) -> RawFile:
    if not workbook.worksheets:
        raise FileUnreadable("the file has no worksheet")
    sheet = workbook.worksheets[0]
    # The <dimension> element is the writer's claim; trusting it could drop rows or pad every
    # row to 16,384 columns. Rows are read as they are and padded to the header's width.
    sheet.reset_dimensions()
    header_row = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
    headers = [_cell(v) for v in header_row or ()]
    while headers and headers[-1] == "":
        headers.pop()
    if not headers:
        raise FileUnreadable("row 1 of the first worksheet is blank: the header row must be row 1")
    if len(headers) > MAX_COLUMNS:
        raise FileUnreadable(
            f"the file has {len(headers):,} columns in its header row (at most {MAX_COLUMNS:,})"
        )
    width = len(headers)
    chunks: list[list[pa.Array]] = [[] for _ in range(width)]
    columns: list[list[str]] = [[] for _ in range(width)]
    numbers: list[int] = []

    def flush() -> None:
        for chunk, column in zip(chunks, columns, strict=True):
            chunk.append(pa.array(column, pa.string()))
            column.clear()

    for number, row in enumerate(
        sheet.iter_rows(min_row=2, max_col=width, values_only=True), start=2
    ):
        if number > XLSX_MAX_ROWS:
            raise FileUnreadable(
                _rows_limit(number - 1, XLSX_MAX_ROWS - 1) + " (Excel's own limit)"
            )
        cells = [_cell(v) for v in row[:width]]
        if not any(cells):
            continue
        cells.extend([""] * (width - len(cells)))
        for column, cell in zip(columns, cells, strict=True):
            column.append(cell)
        numbers.append(number)
        if len(numbers) * width > MAX_CELLS:
            raise FileUnreadable(
                f"the file has more than {MAX_CELLS:,} cells: send only the columns needed, or split it"
            )
        if len(columns[0]) >= _XLSX_CHUNK:
            flush()
    if not numbers:
        raise FileUnreadable("the file has a header row but no data rows")
    flush()
    table = pa.table(
        {f"c{i}": pa.chunked_array(chunk, pa.string()) for i, chunk in enumerate(chunks)}
    )
    return RawFile(
        headers=headers,
        table=table,
        row_numbers=np.array(numbers, dtype=np.int64),
        encoding="xlsx",
        delimiter="",
    )
