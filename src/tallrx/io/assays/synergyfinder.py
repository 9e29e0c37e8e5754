"""Reader of the SynergyFinder exchange format -> a tidy viability table (doses in uM).

SynergyFinder's long format has one row per well: ``block_id`` (one drug pair on one sample),
``drug_row`` / ``drug_col`` (or ``drug1`` / ``drug2``), ``conc_r`` / ``conc_c`` (or ``conc1`` /
``conc2``), ``response`` and the concentration units ``conc_r_unit`` / ``conc_c_unit`` (or
``conc_unit1`` / ``conc_unit2``, or one ``conc_unit``). Column names are matched case-insensitively;
``PairIndex``/``Drug1``/``Conc1``/``ConcUnit``/``Response`` (SynergyFinder+) are accepted too.

Files are read by :func:`read_delimited` through the io package's one text-table reader
(:mod:`tallrx.io._cells`): the delimiter is sniffed from the first lines and the fast C parser reads
the rest (no limit on field length); an Excel workbook renamed .csv, an empty
file, UTF-16 text and other unreadable files give an InputError naming the file.

Responses are used as given (no re-normalization, as SynergyFinder does by default):
``response="viability"`` means % viability (100 = untreated), ``"inhibition"`` means % inhibition
(0 = untreated) and is converted with viability = 100 - inhibition. Repeated (block, dose pair)
rows are replicates and are numbered in file order. An empty or non-numeric cell in a numeric
column stays NaN (the analysis leaves such a well out, or flags its block, naming the row); a
column that is mostly text is an InputError. Extra columns are carried through as
conditions; a ``sample`` / ``cell_line_name`` column becomes ``sample`` (else the block id does).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from tallrx.errors import InputError, UnitError, did_you_mean
from tallrx.io._cells import (
    SNIFF_CHARS,
    decode,
    sniff_delimiter,
    text_table,
    without_repeated_headers,
)
from tallrx.io._numbers import to_number
from tallrx.units import to_um

__all__ = ["read_synergyfinder", "is_synergyfinder", "read_delimited", "RESPONSES"]

RESPONSES = ("viability", "inhibition")
_ALIASES = {
    "block_id": ("block_id", "blockid", "pairindex", "pair_index", "block"),
    "drug_a": ("drug_row", "drug1", "drugrow"),
    "drug_b": ("drug_col", "drug2", "drugcol"),
    "conc_a": ("conc_r", "conc1", "concrow"),
    "conc_b": ("conc_c", "conc2", "conccol"),
    "response": ("response", "inhibition", "viability"),
    "unit_a": ("conc_r_unit", "conc_unit1", "concunit1", "conc_unit", "concunit"),
    "unit_b": ("conc_c_unit", "conc_unit2", "concunit2", "conc_unit", "concunit"),
}
_REQUIRED = ("block_id", "drug_a", "drug_b", "conc_a", "conc_b", "response")


def _find(columns: list[str]) -> dict[str, str]:
    lower = {c.strip().lower(): c for c in columns}
    found = {}
    for key, names in _ALIASES.items():
        for n in names:
            if n in lower:
                found[key] = lower[n]
                break
    return found


def is_synergyfinder(columns) -> bool:
    """True when ``columns`` look like the SynergyFinder format (a block id and row/col drugs)."""
    found = _find([str(c) for c in columns])
    return all(k in found for k in _REQUIRED)


def read_synergyfinder(
    source: str | os.PathLike | pd.DataFrame,
    *,
    response: str = "viability",
    where: str | None = None,
) -> pd.DataFrame:
    """Read a SynergyFinder table (CSV/TSV/XLSX path or DataFrame) into a tidy viability table.

    Parameters
    ----------
    source
        The table: a path (read by :func:`read_delimited`) or a DataFrame.
    response
        'viability' (% of untreated, as given) or 'inhibition' (% inhibition: viability =
        100 - inhibition).
    where
        Names the source in messages (default: the path, or "table").

    Returns
    -------
    pandas.DataFrame
        One row per well: ``sample`` (the sample / cell line column, else the block id),
        ``block_id`` (only with a sample column), ``drug_a``, ``conc_a`` (uM), ``drug_b``,
        ``conc_b`` (uM), ``viability`` (%), ``replicate`` (numbered in file order per block x
        dose pair), ``exclude`` (False), then the file's other columns as conditions.
    """
    if response not in RESPONSES:
        raise InputError(
            f"--response must be one of {', '.join(RESPONSES)}, got {response!r}."
            f"{did_you_mean(response, RESPONSES)}"
        )
    if where is None:
        where = "table" if isinstance(source, pd.DataFrame) else str(source)
    df = source if isinstance(source, pd.DataFrame) else read_delimited(source)
    delimiter = df.attrs.get("delimiter")
    cols = [str(c) for c in df.columns]
    found = _find(cols)
    missing = [k for k in _REQUIRED if k not in found]
    if missing:
        want = _ALIASES[missing[0]][0]
        raise InputError(
            f"{where}: not a SynergyFinder table: no column for {missing[0]} "
            f"(expected e.g. '{want}'; has: {', '.join(cols)})."
            f"{did_you_mean(want, cols)}"
        )
    out = pd.DataFrame()
    block = df[found["block_id"]].astype("string").str.strip()
    used = set(found.values())
    extra = [c for c in cols if c not in used]
    sample_col = next(
        (c for c in extra if c.lower() in ("sample", "cell_line_name", "cell_line")), None
    )
    out["sample"] = (df[sample_col].astype("string") if sample_col else block).to_numpy()
    if sample_col:
        out["block_id"] = block.to_numpy()
    for side in ("a", "b"):
        drug = df[found[f"drug_{side}"]].astype("string").fillna("").str.strip()
        conc = _numeric(df[found[f"conc_{side}"]], f"conc_{'r' if side == 'a' else 'c'}", where,
                        delimiter)
        unit_col = found.get(f"unit_{side}")
        units = (
            df[unit_col].astype("string").fillna("uM").str.strip()
            if unit_col
            else pd.Series("uM", index=df.index)
        )
        um = np.empty(len(df))
        for (u, d), idx in (
            pd.DataFrame({"u": units, "d": drug}).groupby(["u", "d"]).indices.items()
        ):
            try:
                um[idx] = to_um(conc[idx], u, drug=d or None)
            except UnitError as exc:
                row = int(idx[0]) + 2
                raise UnitError(f"{where}: row {row}: {exc}") from None
        out[f"drug_{side}"] = drug.to_numpy()
        out[f"conc_{side}"] = um
    resp = _numeric(df[found["response"]], "response", where, delimiter)
    if str(found["response"]).strip().lower() == "inhibition":  # DrugComb names its scale
        response = "inhibition"
    out["viability"] = resp if response == "viability" else 100.0 - resp
    key = (
        out["sample"].astype(str)
        + "|"
        + block.astype(str).to_numpy()
        + "|"
        + out["conc_a"].astype(str)
        + "|"
        + out["conc_b"].astype(str)
    )
    out["replicate"] = key.groupby(key).cumcount().to_numpy() + 1
    out["exclude"] = False
    for c in extra:
        if c != sample_col:
            out[c] = df[c].to_numpy()
    return out


def _numeric(s: pd.Series, name: str, where: str, delimiter: str | None = None) -> np.ndarray:
    """Column as floats; empty and non-numeric cells become NaN (flagged downstream by row), but a
    column that is mostly text is an InputError. Decimal commas ('0,5', '1.234,5') are read with
    the mark decided per column (:func:`tallrx.io._numbers.to_number`; ``delimiter`` ';' settles
    an ambiguous '1,234' as 1.234)."""
    num = pd.to_numeric(s, errors="coerce")
    text = s.astype("string").str.strip()
    bad = num.isna() & s.notna() & text.ne("") & text.str.lower().ne("nan")
    european = delimiter == ";" or bad.sum() * 2 > (s.notna() & text.ne("")).sum()
    if european and bad.any() and text[bad].str.contains(",", regex=False).any():  # '0,5'
        num = to_number(text.fillna("").astype(object), where=where, column=name,
                        delimiter=delimiter, invalid="nan")
        bad = num.isna() & s.notna() & text.ne("") & text.str.lower().ne("nan")
    if bad.sum() * 2 > (s.notna() & text.ne("")).sum():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{where}: column '{name}' must be numeric but most values are text; row {row + 2} "
            f"holds {s.iloc[row]!r}"
        )
    return num.to_numpy(dtype=float)


_EXCEL_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # xlsx (zip) and legacy xls
_TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")


def _plain_utf8_table(path: Path) -> pd.DataFrame | None:
    """A plain UTF-8 text table read straight from disk by pandas' C parser (no copy of the whole
    file as bytes and text: bounded peak memory on 10,000-block screens), or None when the file
    needs the general reader (other suffix, BOM, UTF-16, legacy encoding, bare CR line ends)."""
    if path.suffix.lower() not in _TEXT_SUFFIXES:
        return None
    with path.open("rb") as fh:
        head = fh.read(SNIFF_CHARS)
    if (
        head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", *_EXCEL_MAGIC))
        or b"\x00" in head
    ):
        return None
    if head.count(b"\r") != head.count(b"\r\n") or not head.strip():
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:  # a multi-byte character cut at the end, or not UTF-8
        return None
    delimiter = sniff_delimiter(text.replace("\r\n", "\n"))
    try:
        frame = pd.read_csv(path, sep=delimiter, engine="c", encoding="utf-8")
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None  # legacy (Windows-1252) bytes further down, or bad text: the general reader
    frame.attrs["delimiter"] = delimiter
    return frame


def _any_table(path: Path) -> pd.DataFrame:
    """XLSX, or text in any encoding :func:`tallrx.io._cells.decode` knows (whole file in memory)."""
    raw = path.read_bytes()
    if path.suffix.lower() in (".xlsx", ".xls", ".xlsm"):
        return pd.read_excel(io.BytesIO(raw))
    if raw.startswith(_EXCEL_MAGIC):
        raise InputError(
            f"{path}: is an Excel workbook, not CSV text (renamed?); save it as CSV or "
            "give it its .xlsx name"
        )
    return text_table(decode(raw, str(path), what=_WHAT), where=str(path), what=_WHAT)


_WHAT = "a CSV/TSV text table with a header row"


def read_delimited(path: str | os.PathLike) -> pd.DataFrame:
    """Read a CSV/TSV (delimiter sniffed, C parser) or XLSX table; unreadable, empty or
    header-only files raise an InputError naming the file.

    Returns
    -------
    pandas.DataFrame
        The file's columns as written (numbers parsed by pandas); ``attrs['delimiter']`` holds
        the sniffed delimiter of a text table.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; pass the table file (CSV, TSV or XLSX) inside it")
    try:
        df = _plain_utf8_table(path)
        if df is None:
            df = _any_table(path)
    except InputError:
        raise
    except Exception as exc:  # pandas / openpyxl raise many kinds: all mean "not readable"
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(f"{path}: not a readable CSV/TSV/XLSX table ({first})") from None
    if len(df) == 0:
        raise InputError(f"{path}: has a header but no rows; expected one row per well")
    return without_repeated_headers(df, str(path))
