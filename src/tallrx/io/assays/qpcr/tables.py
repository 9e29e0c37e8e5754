"""Generic long (sample, target, ct) and wide (one column per target or sample) Ct tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tallrx.errors import InputError
from tallrx.io.assays._tables import (
    PathLike,
    extra_columns,
    find_column,
    norm_name,
    normalize_wells,
    numeric_if_possible,
    require_column,
    source_of,
    to_bool,
    to_number,
)
from tallrx.io.assays.qpcr._common import UNDETERMINED, finish, set_ct, task_names
from tallrx.io.assays.qpcr._files import text_cells
from tallrx.schema.assays import QPCR_SAMPLE_ALIASES


def read_qpcr_table(path: PathLike | pd.DataFrame, *, plate: str | None = None) -> pd.DataFrame:
    """A long table: sample, target, ct [+ plate, well, replicate, task, quantity, omit,
    efficiency, condition columns]. Ct 'Undetermined' / empty -> NaN. Efficiency may be a factor
    (1-2.5) or a percentage (> 10), converted to the factor.

    Returns
    -------
    pandas.DataFrame
        The qpcr table (columns: see :func:`~tallrx.io.assays.qpcr.read_qpcr`); without a well column the
        wells are the file's lines (row2, row3, ...).
    """
    raw, where = text_cells(path, what="a qPCR long table with columns sample, target, ct")
    name = plate or ("table" if isinstance(path, pd.DataFrame) else Path(path).stem)
    return _long_table(raw, where=where, plate=name)


def _long_table(
    raw: pd.DataFrame, *, where: str, plate: str, wells: list[str] | None = None
) -> pd.DataFrame:
    """Text cells of a long table -> the qpcr table (see :func:`read_qpcr_table`); ``wells``
    names the rows' wells when the table has no well column (default: row2, row3, ...)."""
    cols = {
        "sample": require_column(
            raw, ("sample", "sample_name", "name"), where=where, what="the sample of each well"
        ),
        "target": require_column(
            raw,
            ("target", "target_name", "gene", "gene_name", "primers", "detector"),
            where=where,
            what="the target gene",
        ),
        "ct": require_column(raw, ("ct", "cq", "cp", "cт"), where=where, what="the Ct / Cq value"),
    }
    for key, aliases in (
        ("plate", ("plate",)),
        ("well", ("well", "well_position", "pos")),
        ("replicate", ("replicate", "biological_replicate", "bio_rep")),
        ("task", ("task", "content", "sample_type")),
        ("quantity", ("quantity", "starting_quantity", "sq")),
        ("omit", ("omit", "exclude", "excluded")),
        ("efficiency", ("efficiency",)),
    ):
        found = find_column(raw.columns, aliases)
        if found is not None:
            cols[key] = found
    out = pd.DataFrame(
        {
            "sample": raw[cols["sample"]].astype(str).str.strip(),
            "target": raw[cols["target"]].astype(str).str.strip(),
        }
    )
    set_ct(out, raw[cols["ct"]], where=where, column=cols["ct"])
    out["well"] = (
        normalize_wells(raw[cols["well"]], where=where)
        if "well" in cols
        else wells or [f"row{i + 2}" for i in range(len(raw))]
    )
    if "plate" in cols:
        out["plate"] = raw[cols["plate"]].astype(str).str.strip()
    if "replicate" in cols:
        out["replicate"] = numeric_if_possible(raw[cols["replicate"]].astype(str).str.strip())
    if "task" in cols:
        out["task"] = task_names(raw[cols["task"]])
    if "quantity" in cols:
        out["quantity"] = to_number(raw[cols["quantity"]], where=where, column=cols["quantity"])
    if "omit" in cols:
        out["omit"] = to_bool(raw[cols["omit"]], where=where, column=cols["omit"])
    if "efficiency" in cols:
        eff = to_number(raw[cols["efficiency"]], where=where, column=cols["efficiency"])
        out["efficiency"] = eff.where(eff <= 10, 1 + eff / 100)
    used = set(cols.values())
    for name, values in extra_columns(raw, used).items():
        out[name] = values
    out["source"] = source_of(raw)
    return finish(out, plate=plate, where=where)


# --------------------------------------------------------------------------- wide tables
_SAMPLE_COLUMNS = ("sample", *QPCR_SAMPLE_ALIASES)
_TARGET_COLUMNS = ("target", "target_name", "gene", "gene_name", "detector", "primers", "assay")
_ANNOTATION_COLUMNS = (
    *_SAMPLE_COLUMNS,
    "plate",
    "well",
    "well_position",
    "replicate",
    "biological_replicate",
    "task",
    "content",
)


def read_qpcr_wide(
    path: PathLike | pd.DataFrame,
    *,
    genes: list[str] | None = None,
    plate: str | None = None,
) -> pd.DataFrame:
    """A wide Ct table -> the qpcr table.

    Two orientations: one column per target and one row per well (the R ``pcr`` package's
    layout: ``c_myc, GAPDH`` columns; a sample / group column names each row's sample, other text
    columns are conditions), or one row per target (first column named target / gene) and one
    column per sample. Target columns are ``genes`` when given, else every column that is not an
    annotation (sample, group, well, replicate, ...) and holds mostly Ct-like numbers. Each row
    is one well (``row2``, ``row3``, ... after the file's line), shared by its targets.

    Returns
    -------
    pandas.DataFrame
        The qpcr table (columns: see :func:`~tallrx.io.assays.qpcr.read_qpcr`); one row per well x target
        column, the other text columns as conditions.
    """
    raw, where = text_cells(path, what="a wide qPCR table (one column per target or per sample)")
    name = plate or ("table" if isinstance(path, pd.DataFrame) else Path(path).stem)
    first = raw.columns[0]
    if norm_name(first) in _TARGET_COLUMNS or (
        genes and any(g in set(raw[first].str.strip()) for g in genes)
    ):
        long = raw.melt(id_vars=[first], var_name="sample", value_name="ct")
        wells = [f"row{r + 2}col{c + 2}" for c in range(raw.shape[1] - 1) for r in range(len(raw))]
        long = long.rename(columns={first: "target"})
        return _long_table(long.astype(str), where=where, plate=name, wells=wells)
    targets = _wide_targets(raw, genes)
    if not targets:
        raise InputError(
            f"{where}: no Ct columns found in the wide table (columns: "
            f"{', '.join(map(str, raw.columns))}); expected one column per target gene holding "
            "Ct values, or pass --format table for a long table with a ct column"
        )
    ids = [c for c in raw.columns if c not in targets]
    sample = find_column(ids, _SAMPLE_COLUMNS)
    cells = raw.assign(_well=[f"row{i + 2}" for i in range(len(raw))])
    if sample is None:
        cells["_sample"] = ""
        sample = "_sample"
    long = cells.melt(
        id_vars=[*ids, "_well"] + ([sample] if sample not in ids else []),
        value_vars=targets,
        var_name="target",
        value_name="ct",
    )
    wells = long.pop("_well").tolist()
    long = long.rename(columns={sample: "sample"})
    return _long_table(long.astype(str), where=where, plate=name, wells=wells)


def _wide_targets(raw: pd.DataFrame, genes: list[str] | None) -> list[str]:
    """The target columns of a wide table: ``genes`` that are columns, else the non-annotation
    columns whose non-empty cells are mostly numbers in (0, 60] cycles or non-detect words."""
    if genes:
        named = [c for c in raw.columns if str(c).strip() in genes]
        if named:
            return named
    out = []
    for c in raw.columns:
        if norm_name(c) in _ANNOTATION_COLUMNS:
            continue
        text = raw[c].astype(str).str.strip()
        text = text[text != ""]
        num = pd.to_numeric(text, errors="coerce")
        likely = ((num > 0) & (num <= 60)) | text.str.lower().isin(UNDETERMINED)
        if len(text) and likely.mean() >= 0.5 and num.notna().any():
            out.append(c)
    return out
