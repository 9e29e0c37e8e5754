"""Raw file access for the readers: bytes -> text (BOM / UTF-16 aware) -> sheets of string cells.

Text exports (CSV, TSV, vendor ``.txt``) become one sheet; XLSX workbooks one sheet per worksheet.
Cells are stripped strings ("" for empty), so every reader parses the same representation.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from tallrx.errors import InputError

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


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


def decode(data: bytes, where: str) -> str:
    """Decode bytes: UTF-16 (BOM or NUL-interleaved), UTF-8 (with or without BOM), else cp1252."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = data.decode("utf-16")
    elif data[:3] == b"\xef\xbb\xbf":
        text = data[3:].decode("utf-8", errors="replace")
    elif b"\x00" in data[:200]:
        # UTF-16 without BOM: ASCII text has a NUL in every other byte
        odd_nuls = data[1:200:2].count(0)
        text = data.decode(
            "utf-16-le" if odd_nuls > data[0:200:2].count(0) else "utf-16-be", errors="replace"
        )
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise InputError(f"{where}: looks like a binary file, not a text export or XLSX workbook")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sniff_delimiter(text: str) -> str:
    """Tab, semicolon or comma: whichever separates the first lines best."""
    head = "\n".join(text.split("\n")[:60])
    counts = {d: head.count(d) for d in ("\t", ";", ",")}
    if counts["\t"] and counts["\t"] >= counts[","]:
        return "\t"
    if counts[";"] > counts[","]:
        return ";"
    return ","


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


def read_sheets(path: Path) -> list[Sheet]:
    """The cells of a text export or workbook; InputError when empty or unreadable."""
    path = Path(path)
    data = read_bytes(path)
    if path.suffix.lower() in EXCEL_SUFFIXES or data[:4] == b"PK\x03\x04":
        sheets = excel_sheets(path, data)
    elif path.suffix.lower() == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(
            f"{path}: old binary Excel (.xls) files are not supported; "
            "save the sheet as .xlsx or CSV"
        )
    else:
        try:
            sheets = [Sheet(path.stem, text_rows(decode(data, str(path))))]
        except InputError as exc:
            raise InputError(f"{path}: {exc}") from None
    if not any(any(cell for cell in row) for sheet in sheets for row in sheet.rows):
        raise InputError(f"{path}: the file holds no values; expected a plate-reader export")
    return sheets
