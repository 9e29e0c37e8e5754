"""The canonical tidy tables that flow between tallrx layers, and every table a command writes.

Columns are snake_case and carry no units in their names; every column's dtype, unit, whether it
is required and a one-line meaning live here (:data:`TABLES`; the entries are in
:mod:`~tallrx.schema.screen`, :mod:`~tallrx.schema.assays` and :mod:`~tallrx.schema.model`).
Condition columns (``il7``, ``dox``, ``genotype``, drug doses, ...) are free-form and carried
through every step. Every measured or simulated table carries ``source`` = ``measured`` |
``simulated``. :data:`~tallrx.schema.outputs.OUTPUTS` says which table each command's files hold.

Two checks:

- :func:`validate` at every layer boundary (lenient, for inputs in memory): the required columns
  are there and the float columns hold numbers; it raises a :class:`~tallrx.errors.SchemaError`
  naming the missing column (with a "did you mean") or the first bad row.
- :func:`validate_table` / :func:`validate_outputs` for written tables (strict): also every
  documented column has its dtype, and a table without condition columns has no unknown column;
  :func:`validate_outputs` also fails on a file no schema describes.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

import numpy as np
import pandas as pd

from tallrx.errors import SchemaError, did_you_mean
from tallrx.schema import assays as _assays
from tallrx.schema import model as _model
from tallrx.schema import screen as _screen
from tallrx.schema._spec import DTYPES, Column, TableSpec
from tallrx.schema.outputs import OTHER_FILES, OUTPUTS, SINGLE

__all__ = [
    "DTYPES", "OUTPUTS", "ROLES", "SOURCES", "TABLES", "UNITS", "Column", "TableSpec",
    "condition_columns", "empty", "markdown", "validate", "validate_file", "validate_outputs", "validate_table",
]

SOURCES = ("measured", "simulated")
ROLES = ("treated", "vehicle", "blank", "positive")

TABLES: dict[str, TableSpec] = {**_screen.TABLES, **_assays.TABLES, **_model.TABLES}

UNITS: dict[str, dict[str, str]] = {name: spec.units for name, spec in TABLES.items()}


def _spec(kind: str) -> TableSpec:
    if kind not in TABLES:
        raise SchemaError(f"unknown table kind '{kind}'.{did_you_mean(kind, TABLES)}")
    return TABLES[kind]


def validate(df: pd.DataFrame, kind: str, *, where: str = "table") -> pd.DataFrame:
    """Check that ``df`` is a valid ``kind`` table; return it unchanged.

    ``where`` names the input (a file path or step) in error messages.

    >>> import pandas as pd
    >>> validate(pd.DataFrame({"sim_id": [1], "time_h": [0.0], "observable": ["pERK"],
    ...                        "value": [0.1]}), "timecourse").shape
    (1, 4)
    """
    spec = _spec(kind)
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"{where}: expected a pandas DataFrame for a '{kind}' table, "
                          f"got {type(df).__name__}")
    missing = [c for c in spec.required if c not in df.columns]
    if missing:
        hint = did_you_mean(missing[0], df.columns)
        raise SchemaError(
            f"{where}: a '{kind}' table needs column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, df.columns))}).{hint}"
        )
    for col in spec.numeric:
        if col in df.columns and not _is_float(df[col]):
            _bad_row(df[col], col, "must be numeric", where,
                     pd.to_numeric(df[col], errors="coerce").isna() & df[col].notna())
    if "source" in df.columns:
        bad = ~df["source"].isin(SOURCES)
        if bad.any():
            raise SchemaError(f"{where}: column 'source' must be one of {SOURCES}, "
                              f"got {df['source'][bad].iloc[0]!r}")
    return df


def validate_table(df: pd.DataFrame, kind: str, *, where: str = "table") -> pd.DataFrame:
    """Strict check of a written ``kind`` table: :func:`validate`, then every documented column
    has its dtype (int: whole numbers; bool: True/False; empty columns pass) and, for a table
    without condition columns, no column is unknown. Returns ``df`` unchanged.

    >>> import pandas as pd
    >>> validate_table(pd.DataFrame({"lane": [1], "x0": [0], "x1": ["wide"]}), "lanes")
    Traceback (most recent call last):
    ...
    tallrx.errors.SchemaError: table: column 'x1' must be whole numbers (int); row 1 holds 'wide'
    """
    spec = _spec(kind)
    validate(df, kind, where=where)
    for col in spec.columns:
        if col.name in df.columns:
            _check_dtype(df[col.name], col, where)
    if not spec.conditions:
        unknown = [c for c in df.columns if c not in spec.names]
        if unknown:
            raise SchemaError(
                f"{where}: column(s) {', '.join(map(str, unknown))} are not in the '{kind}' "
                f"schema (tallrx.schema.TABLES['{kind}']).{did_you_mean(unknown[0], spec.names)}"
            )
    return df


def empty(kind: str) -> pd.DataFrame:
    """A table of ``kind`` with no rows and its required columns (so a step that had nothing to
    report still writes a header a script can read, e.g. ``strata.csv`` without IL7 pairs)."""
    return pd.DataFrame(columns=list(_spec(kind).required))


def validate_file(path: str | Path, kind: str) -> pd.DataFrame:
    """Read a written table (CSV, or Parquet by its suffix) and :func:`validate_table` it.

    An empty file (no header: a step that had nothing to report, e.g. ``strata.csv`` of a
    screen without IL7 pairs) is an empty table and passes."""
    path = Path(path)
    if path.suffix in (".parquet", ".pq"):
        df = pd.read_parquet(path)
    elif path.stat().st_size == 0 or not path.read_bytes().strip():
        return pd.DataFrame()
    else:
        df = pd.read_csv(path)
    return validate_table(df, kind, where=str(path))


def validate_outputs(out: str | Path, command: str) -> dict[str, str]:
    """Validate every file a ``command`` wrote into ``out`` (a folder, or the CSV of a
    one-table command); a table file no schema describes, or any other unexpected file, is a
    :class:`~tallrx.errors.SchemaError`. Returns {relative path: table kind}."""
    if command not in OUTPUTS:
        raise SchemaError(f"unknown command '{command}'.{did_you_mean(command, OUTPUTS)}")
    out = Path(out)
    if out.is_file():
        validate_file(out, SINGLE[command])
        return {out.name: SINGLE[command]}
    found: dict[str, str] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        if any(fnmatch.fnmatch(rel, pat) for pat in OTHER_FILES.get(command, ())):
            continue
        as_csv = rel.removesuffix(path.suffix) + ".csv" if path.suffix in (".parquet", ".pq") \
            else rel
        kind = next((k for pat, k in OUTPUTS[command].items() if fnmatch.fnmatch(as_csv, pat)),
                    None)
        if kind is None:
            raise SchemaError(f"{path}: `tallrx {command}` wrote a file no schema describes; add "
                              "it to tallrx.schema.outputs.OUTPUTS (and its table to TABLES)")
        validate_file(path, kind)
        found[rel] = kind
    return found


def markdown(kind: str) -> str:
    """The ``kind`` table's entry as Markdown (for the docs): what a row is, then one line per
    column (name, dtype, unit, required, meaning).

    >>> print(markdown("lanes").splitlines()[0])
    **lanes** (one row per lane): lane boxes found in a blot image
    """
    spec = _spec(kind)
    lines = [f"**{spec.name}** (one row per {spec.one_row_per}): {spec.meaning}", "",
             "| column | dtype | unit | required | meaning |", "|---|---|---|---|---|"]
    lines += [f"| `{c.name}` | {c.dtype} | {c.unit} | {'yes' if c.required else 'no'} | "
              f"{c.meaning.replace('|', '/')} |" for c in spec.columns]
    if spec.conditions:
        lines += ["", "Plus the free-form condition columns (il7, dox, genotype, doses, ...)."]
    return "\n".join(lines)


def condition_columns(df: pd.DataFrame, kind: str) -> list[str]:
    """Columns of ``df`` that the ``kind`` schema does not document (or marks as
    condition-like): the conditions."""
    spec = TABLES[kind]
    known = set(spec.required) | set(spec.optional) | {"source"}
    return [c for c in df.columns if c not in known]


# ------------------------------------------------------------------------------ dtype checks
def _is_float(col: pd.Series) -> bool:
    return (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)) \
        or bool(col.isna().all())


def _check_dtype(col: pd.Series, spec: Column, where: str) -> None:
    values = col.dropna()
    if values.empty or spec.dtype == "str":
        return
    if spec.dtype == "float":
        bad = pd.to_numeric(col, errors="coerce").isna() & col.notna()
        if not _is_float(col):
            _bad_row(col, spec.name, "must be numeric (float)", where, bad)
    elif spec.dtype == "int":
        num = pd.to_numeric(col, errors="coerce")
        bad = col.notna() & (num.isna() | (num != np.round(num)))
        if pd.api.types.is_bool_dtype(col) or bad.any():
            _bad_row(col, spec.name, "must be whole numbers (int)", where, bad)
    elif spec.dtype == "bool":
        bad = col.notna() & ~col.isin([True, False, "True", "False"])
        if bad.any() or (not pd.api.types.is_bool_dtype(col)
                         and pd.api.types.is_numeric_dtype(col)):
            _bad_row(col, spec.name, "must be True/False (bool)", where, bad)


def _bad_row(col: pd.Series, name: str, what: str, where: str, bad: pd.Series) -> None:
    row = int(np.flatnonzero(bad.to_numpy())[0]) if bad.any() else 0
    raise SchemaError(f"{where}: column '{name}' {what}; row {row + 1} holds {col.iloc[row]!r}")
