"""Small helpers shared by the assay readers (co-IP, qPCR, blots): tables, column aliases, wells.

Only the assay readers use this module; plate-reader code has its own helpers.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from tallrx.errors import InputError, did_you_mean
from tallrx.io._cells import read_text, sniff_delimiter, text_table
from tallrx.io._numbers import numbers_if_all
from tallrx.io._numbers import to_number as to_number  # re-exported: the assay readers use it
from tallrx.plate import WELL_RE, well_name

PathLike = str | os.PathLike

_TRUE = {"true", "yes", "y", "1", "+", "x", "t"}
_FALSE = {"false", "no", "n", "0", "-", "", "f", "nan", "none"}


def norm_name(name: object) -> str:
    """'Sample Name' -> 'sample_name'; 'Cт' (Cyrillic te, QuantStudio) -> 'ct'."""
    text = str(name).replace("\u0442", "t").replace("\u0422", "T").strip().lower()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def require_file(path: PathLike, what: str) -> Path:
    """``path`` as a Path; a missing file is an :class:`InputError` saying what was expected."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file; expected {what}")
    return path


def exc_text(exc: BaseException) -> str:
    """'ValueError: <first line of its message>' for a one-line error message."""
    text = str(exc)
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


def read_table(path: PathLike, *, what: str, sheet: str | int = 0) -> pd.DataFrame:
    """Read a CSV / TSV / TXT / XLSX table with all cells as text.

    Text goes through the io package's one text-table reader (:func:`tallrx.io._cells.text_table`:
    encoding and delimiter sniffed; the delimiter is kept in ``attrs['delimiter']`` for
    :func:`to_number`). Raises an :class:`InputError` naming the file and what was expected when
    it cannot be read.
    """
    path = require_file(path, what)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(path, sheet_name=sheet, dtype=str)
        else:
            df = text_table(
                _without_title_lines(read_text(path, what=what)), where=str(path), what=what,
                dtype=str, skip_blank_lines=True,
            )
    except InputError:
        raise
    except Exception as exc:  # pandas raises many kinds; all mean "not a readable table"
        raise InputError(
            f"{path}: cannot be read as a table ({exc_text(exc)}); expected {what}"
        ) from exc
    delimiter = df.attrs.get("delimiter")
    df = below_title(df)
    df = df.dropna(how="all")
    df = df.loc[:, [not str(c).startswith("Unnamed") or df[c].notna().any() for c in df.columns]]
    if df.empty:
        raise InputError(f"{path}: the table is empty; expected {what}")
    df = df.reset_index(drop=True)
    if delimiter:
        df.attrs["delimiter"] = delimiter
    return df


def _without_title_lines(text: str) -> str:
    """``text`` without the one-cell lines above its table ('File Name: run1.pcrd', 'Created:
    ...', empty lines: run information an instrument writes over its CSV), which would otherwise
    make the parser take a one-column header; up to 10 such lines, and only when a line with two
    or more cells follows."""
    lines = text.splitlines(keepends=True)
    delimiter = sniff_delimiter(text)
    for k, line in enumerate(lines[:11]):
        if sum(bool(c.strip()) for c in line.split(delimiter)) >= 2:
            return "".join(lines[k:]) if k else text
    return text


def below_title(df: pd.DataFrame) -> pd.DataFrame:
    """The table under a spreadsheet title: when the first line holds a single cell ('qPCR run
    12.3.2025;;;'), the header is the first of the next 10 rows with two or more cells; when it
    names fewer columns than most of the next 10 rows fill ('Dose response export, run 3,,,'
    above a 4-column table), the header is the first of them that fills that many with names
    (text, not numbers)."""
    named = [c for c in df.columns if not str(c).startswith("Unnamed")]
    if len(df.columns) < 2:
        return df
    filled = df.iloc[:10].notna().sum(axis=1)
    filled = filled[filled > 0]
    # the width most of the first rows fill (not the widest row: one row with a note in an
    # extra column must not turn a data row into the header)
    need = 2 if len(named) <= 1 else int(filled.median()) if len(filled) else 0
    if len(named) > 1 and need <= len(named):
        return df
    for k in range(min(10, len(df))):
        cells = df.iloc[k]
        names = len(named) <= 1 or pd.to_numeric(cells.dropna(), errors="coerce").isna().all()
        if cells.notna().sum() >= need and names:
            body = df.iloc[k + 1:].copy()
            body.columns = [str(v).strip() if pd.notna(v) else f"Unnamed: {i}"
                            for i, v in enumerate(cells)]
            return body.loc[:, [pd.notna(v) or body.iloc[:, i].notna().any()
                                for i, v in enumerate(cells)]]
    return df


def table_or_file(
    source: PathLike | pd.DataFrame, *, name: str, what: str
) -> tuple[pd.DataFrame, str]:
    """``(cells, where)``: a DataFrame as text cells (missing -> ''), named ``name`` in messages,
    or a file read with :func:`read_table` (expecting ``what``), named by its path."""
    if isinstance(source, pd.DataFrame):
        return source.astype(object).where(source.notna(), "").astype(str), name
    return read_table(source, what=what), str(source)


def find_column(columns: Iterable[object], aliases: Sequence[str]) -> str | None:
    """The first column whose normalized name is one of ``aliases`` (normalized), else None."""
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(norm_name(c), c)
    for alias in aliases:
        if norm_name(alias) in by_norm:
            return by_norm[norm_name(alias)]
    return None


def require_column(df: pd.DataFrame, aliases: Sequence[str], *, where: str, what: str) -> str:
    """Like :func:`find_column` but a missing column is an :class:`InputError` with a hint."""
    col = find_column(df.columns, aliases)
    if col is None:
        cols = ", ".join(map(str, df.columns))
        hint = did_you_mean(aliases[0], [str(c) for c in df.columns])
        raise InputError(
            f"{where}: no '{aliases[0]}' column ({what}); the columns are: {cols}.{hint}"
        )
    return col


def normalize_well(value: object, *, where: str = "table", row: int | None = None) -> str:
    """'A01' / 'a1' / ' B 12 ' -> 'A1' / 'B12'."""
    m = WELL_RE.match(str(value))
    if not m:
        at = f" row {row}" if row is not None else ""
        raise InputError(f"{where}{at}: '{value}' is not a well name; expected e.g. A1 or B12")
    return f"{m.group(1).upper()}{int(m.group(2))}"


def normalize_wells(values: pd.Series, *, where: str) -> pd.Series:
    """Vectorized :func:`normalize_well`; the first bad value raises naming its row."""
    extracted = values.astype(str).str.extract(WELL_RE.pattern)
    bad = extracted[0].isna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        normalize_well(values.iloc[i], where=where, row=i + 2)
    return extracted[0].str.upper() + extracted[1].astype(int).astype(str)


def well_from_index(index: int, columns: int) -> str:
    """1-based well number in row-major order -> 'A1' (row 27 -> 'AA', as :func:`well_name`)."""
    r, c = divmod(int(index) - 1, int(columns))
    return well_name(r + 1, c + 1)


def _reject_first(
    values: pd.Series, bad: pd.Series, where: str, column: str, expected: str
) -> None:
    """InputError naming the first cell of ``values`` flagged in ``bad`` (its file row: the
    header is row 1), what it holds and what was ``expected``; nothing when none is flagged."""
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{where} row {i + 2}: column '{column}' holds {values.iloc[i]!r}; expected {expected}"
        )


def to_bool(values: pd.Series, *, where: str, column: str) -> pd.Series:
    """'yes'/'true'/'+'/1 -> True, 'no'/'false'/'-'/0/empty -> False; anything else is an error."""
    text = values.fillna("").astype(str).str.strip().str.lower()
    out = text.isin(_TRUE)
    _reject_first(values, ~(out | text.isin(_FALSE)), where, column, "yes/no (true/false, 1/0)")
    return out


def numeric_if_possible(values: pd.Series) -> pd.Series:
    """Convert a text column to numbers when every non-empty cell is a number (decimal commas
    read as everywhere in tallrx.io)."""
    return numbers_if_all(values)


def source_of(raw: pd.DataFrame) -> pd.Series | str:
    """The ``source`` of each row of a tidy table: its own ``source`` column when every value is
    'measured' or 'simulated' (a virtual-lab table stays 'simulated' through the analysis),
    else 'measured' (an instrument export)."""
    col = find_column(raw.columns, ("source",))
    if col is None:
        return "measured"
    values = raw[col].astype(str).str.strip().str.lower()
    return values if values.isin(("measured", "simulated")).all() else "measured"


def extra_columns(raw: pd.DataFrame, used: set) -> dict[str, pd.Series]:
    """The columns of ``raw`` not in ``used`` (nor 'source' / unnamed), as condition columns:
    snake_case names, numbers converted when every cell is a number."""
    return {
        norm_name(c): numeric_if_possible(raw[c].astype(str).str.strip())
        for c in raw.columns
        if c not in used and norm_name(c) not in ("source", "") and not str(c).startswith("Unnamed")
    }
