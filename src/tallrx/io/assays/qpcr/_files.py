"""File access for the qPCR readers: existence, Excel workbooks by content, text cells."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from tallrx.errors import InputError
from tallrx.io.assays._tables import PathLike, exc_text, read_table, require_file, table_or_file
from tallrx.io.assays.qpcr._common import ACCEPTED


# --------------------------------------------------------------------------- Excel and tables
def _is_excel_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return any(n.startswith("xl/") for n in zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def is_excel(path: Path) -> bool:
    """An Excel workbook by name or by content (a zip with xl/ inside, whatever its name)."""
    return path.suffix.lower() in _EXCEL_SUFFIXES or (
        zipfile.is_zipfile(path) and _is_excel_zip(path)
    )


def excel_engine(path: Path) -> str | None:
    """pandas' choice for an Excel name; openpyxl for a workbook renamed to something else."""
    return None if path.suffix.lower() in _EXCEL_SUFFIXES else "openpyxl"


def text_cells(source: PathLike | pd.DataFrame, *, what: str) -> tuple[pd.DataFrame, str]:
    """``(text cells, where)`` of a DataFrame, an Excel workbook (by content, whatever its name)
    or a delimited text table."""
    if isinstance(source, pd.DataFrame):
        return table_or_file(source, name="qPCR table", what=what)
    path = require_qpcr_file(source)
    if is_excel(path):
        return first_sheet(path), str(path)
    if zipfile.is_zipfile(path):
        raise not_qpcr(path, "a zip archive that is not an Excel workbook")
    return read_table(path, what=what), str(path)


def first_sheet(path: Path) -> pd.DataFrame:
    """The first sheet of a workbook as text cells (empty rows and unnamed empty columns dropped)."""
    try:
        df = pd.read_excel(path, sheet_name=0, dtype=str, engine=excel_engine(path))
    except Exception as exc:  # openpyxl / xlrd raise many kinds: all mean "unreadable workbook"
        raise not_qpcr(path, f"an Excel workbook that cannot be read ({exc_text(exc)})") from exc
    df = df.dropna(how="all")
    df = df.loc[:, [not str(c).startswith("Unnamed") or df[c].notna().any() for c in df.columns]]
    if df.empty:
        raise not_qpcr(path, "an empty Excel sheet")
    return df.fillna("").astype(str).reset_index(drop=True)


def not_qpcr(path: Path, what: str) -> InputError:
    return InputError(
        f"{path}: {what}; {ACCEPTED}. Save the sheet as .xlsx or CSV with a header row "
        "(sample, target, ct) and try --format table, or --format wide for one column per target"
    )


def require_qpcr_file(path: PathLike) -> Path:
    """``path`` as a Path: missing or a folder is an InputError saying what to pass."""
    p = require_file(path, f"a qPCR export ({ACCEPTED})")
    if p.is_dir():
        inside = sorted(q.name for q in p.iterdir())[:5]
        listing = f" (it holds: {', '.join(inside)})" if inside else " (it is empty)"
        raise InputError(f"{p}: is a folder; pass the qPCR export file inside it{listing}")
    return p
