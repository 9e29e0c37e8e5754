"""Raw file access for the readers: bytes -> text (BOM / UTF-16 aware) -> sheets of string cells.

Text exports (CSV, TSV, vendor ``.txt``) become one sheet; XLSX workbooks one sheet per worksheet.
Cells are stripped strings ("" for empty), so every reader parses the same representation.
:func:`decode`, :func:`sniff_delimiter`, :func:`read_text` and :func:`text_table` are the one
text-table reader of ``tallrx.io``: the plate, layout, qPCR, co-IP, blot and SynergyFinder readers
all decode and split text through them.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from tallrx.errors import DegenerateDataWarning, InputError

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive


def is_workbook(path: Path) -> bool:
    """True when ``path`` starts like an .xlsx workbook (a zip archive), whatever its name."""
    with Path(path).open("rb") as fh:
        return fh.read(4) == XLSX_MAGIC


def first_sheet_frame(path: Path, hint: str, **read_excel: object) -> pd.DataFrame:
    """The first sheet of the workbook ``path`` (``pandas.read_excel`` options passed on); an
    InputError naming the file and ``hint`` (what to do instead) when it cannot be read."""
    try:
        return pd.read_excel(path, sheet_name=0, **read_excel)
    except Exception as exc:  # noqa: BLE001 - openpyxl / zip errors: a damaged or foreign workbook
        raise InputError(f"{path}: not a readable Excel workbook ({exc}); {hint}") from None


@dataclass(frozen=True)
class Sheet:
    """One table of string cells: a text file, or one worksheet of a workbook."""

    name: str
    rows: list[list[str]]


def read_bytes(path: Path) -> bytes:
    """File content; InputError when it is missing, a folder or empty."""
    if not path.exists():
        raise InputError(f"{path}: file not found; check the path")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; expected a file")
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"{path}: the file is empty; expected a plate-reader export or table")
    return data


#: how much of a file's start the encoding and delimiter are judged from (characters / bytes)
SNIFF_CHARS = 65_536
#: the delimiters a text table may use, in the order the counting fallback prefers them
DELIMITERS = "\t;,|"


def decode(data: bytes, where: str, *, what: str = "a text export or XLSX workbook") -> str:
    """Bytes -> text with ``\n`` line ends; the one decoder of every text reader in ``tallrx.io``.

    UTF-16 (with a BOM, or without one when every other byte is NUL), UTF-8 (with or without a
    BOM), else Windows-1252 (legacy exports: a 'µM' unit). Bytes that are none of these (NUL
    bytes in the text) raise an :class:`InputError` "``where``: is a binary file, not ``what``".
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16", errors="replace")
    elif data[:3] == b"\xef\xbb\xbf":
        text = data[3:].decode("utf-8", errors="replace")
    elif b"\x00" in data[:SNIFF_CHARS]:
        encoding = _bomless_utf16(data)
        text = data.decode(encoding, errors="replace") if encoding else "\x00"
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise InputError(f"{where}: is a binary file, not {what}")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when ``data`` reads as UTF-16 text without a BOM (an even
    length, and nearly every high byte NUL: ASCII and Latin-1 text), else None (binary)."""
    head = data[: SNIFF_CHARS - SNIFF_CHARS % 2]
    if len(data) % 2 or not head:
        return None
    even, odd = head[0::2].count(0) / len(head[0::2]), head[1::2].count(0) / len(head[1::2])
    if odd >= 0.9 and even <= 0.1:
        return "utf-16-le"
    if even >= 0.9 and odd <= 0.1:
        return "utf-16-be"
    return None


def sniff_delimiter(text: str) -> str:
    """Tab, semicolon, comma or pipe: the one delimiter guess of every text reader in ``tallrx.io``.

    :class:`csv.Sniffer` judges the first 20 lines (the delimiter that splits every line into the
    same number of fields: a European '1,5;2,5' row is semicolon-delimited); when it cannot tell
    (vendor exports open with metadata lines), the delimiter that occurs most in the first 60
    lines wins, a tab winning ties with a comma.
    """
    lines = text[:SNIFF_CHARS].split("\n")[:60]
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    head = "\n".join(lines)
    counts = {d: head.count(d) for d in DELIMITERS}
    if counts["\t"] and counts["\t"] >= counts[","]:
        return "\t"
    if counts[";"] > counts[","]:
        return ";"
    return ","


def read_text(path: Path, *, what: str) -> str:
    """A text file's content (see :func:`decode`); InputError when it is missing, a folder or
    binary (``what`` says what was expected)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file; expected {what}")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; expected {what}")
    return decode(path.read_bytes(), str(path), what=what)


def text_table(text: str, *, where: str, what: str, **options) -> pd.DataFrame:
    """A delimited text table: delimiter sniffed (:func:`sniff_delimiter`), read by pandas' C
    parser (no limit on a field's length) with ``options`` for :func:`pandas.read_csv`.

    The delimiter is kept in ``attrs['delimiter']`` (a ';' table is a European export: see
    :func:`tallrx.io.assays._tables.to_number`). An empty or unparsable text is an InputError
    naming ``where`` and ``what`` was expected.
    """
    if not text.strip():
        raise InputError(f"{where}: the file is empty; expected {what}")
    delimiter = sniff_delimiter(text)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, engine="c", **options)
    except pd.errors.EmptyDataError:
        raise InputError(f"{where}: the file is empty; expected {what}") from None
    except (pd.errors.ParserError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(
            f"{where}: cannot be read as a CSV/TSV table ({first}); expected {what}"
        ) from None
    frame.attrs["delimiter"] = delimiter
    return frame


def text_rows(text: str, delimiter: str | None = None) -> list[list[str]]:
    """Split text into rows of stripped cells (quotes handled by the csv module; a field may
    be as long as the text, not only the csv module's default 128 KB)."""
    delimiter = delimiter or sniff_delimiter(text)
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        return [[cell.strip() for cell in row] for row in reader]
    except csv.Error as exc:
        raise InputError(f"not readable as delimited text ({exc})") from None
    finally:
        csv.field_size_limit(limit)


def cell_text(value) -> str:
    """A cell as stripped text: None / NaN / NA -> '', whole floats as written (1.0 -> '1')."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def excel_sheets(path: Path, data: bytes | None = None) -> list[Sheet]:
    """All worksheets of an XLSX workbook as sheets of string cells (read from ``data`` when
    given, so a workbook renamed ``.csv`` is read by its content)."""
    source = io.BytesIO(data) if data is not None else path
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException) as exc:
        raise InputError(
            f"{path}: cannot be opened as an XLSX workbook ({exc}); "
            "save it again as .xlsx or export CSV"
        ) from None
    try:
        return [
            Sheet(ws.title, [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)])
            for ws in book
        ]
    finally:
        book.close()


def _space_aligned(rows: list[list[str]]) -> list[list[str]]:
    """Rows of a text with no delimiter at all (every line one cell), split on runs of spaces
    when most lines hold several space-separated fields (a plate printed as aligned columns);
    else unchanged."""
    if any(len(row) > 1 for row in rows):
        return rows
    lines = [row[0] for row in rows if row and row[0]]
    if not lines or sum(len(line.split()) >= 3 for line in lines) < len(lines) / 2:
        return rows
    return [row[0].split() if row else row for row in rows]


def read_sheets(path: Path) -> list[Sheet]:
    """The cells of a text export or workbook; InputError when empty or unreadable."""
    path = Path(path)
    data = read_bytes(path)
    if path.suffix.lower() in EXCEL_SUFFIXES or data[:4] == XLSX_MAGIC:
        sheets = excel_sheets(path, data)
    elif path.suffix.lower() == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(
            f"{path}: old binary Excel (.xls) files are not supported; "
            "save the sheet as .xlsx or CSV"
        )
    else:
        text = decode(data, str(path), what="a plate-reader export (text or XLSX)")
        try:
            sheets = [Sheet(path.stem, _space_aligned(text_rows(text)))]
        except InputError as exc:
            raise InputError(f"{path}: {exc}") from None
    if not any(any(cell for cell in row) for sheet in sheets for row in sheet.rows):
        raise InputError(f"{path}: the file holds no values; expected a plate-reader export")
    return sheets


def without_repeated_headers(df: pd.DataFrame, where: str) -> pd.DataFrame:
    """``df`` without the rows that only repeat its header (tables concatenated with ``cat``)
    and without rows whose every cell is empty (',,,' lines a spreadsheet leaves at the end);
    a warning counts them. Columns left all-numeric are read as numbers again."""
    names = [str(c).strip() for c in df.columns]
    text = df.astype(str).apply(lambda col: col.str.strip())
    header = (text == names).all(axis=1) if len(names) > 1 else pd.Series(False, index=df.index)
    empty = df.isna().all(axis=1)
    if not (header.any() or empty.any()):
        return df
    parts = []
    if header.any():
        rows = ", ".join(str(i + 1) for i in list(df.index[header])[:5])
        parts.append(f"{int(header.sum())} repeated header row(s) (data row {rows})")
    if empty.any():
        parts.append(f"{int(empty.sum())} empty row(s)")
    warnings.warn(f"{where}: {' and '.join(parts)} left out; later row numbers count the rows "
                  "that remain", DegenerateDataWarning, stacklevel=3)
    return renumber(df[~(header | empty)].reset_index(drop=True))


def renumber(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each text column whose every value is a plain number read as numbers (after
    rows that made pandas read it as text were taken out)."""
    df = df.copy()
    for column in df.columns:
        if df[column].dtype == object:
            numbers = pd.to_numeric(df[column], errors="coerce")
            if numbers.notna().sum() == df[column].notna().sum():
                df[column] = numbers
    return df
