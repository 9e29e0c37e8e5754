"""Co-IP mass-spectrometry input: MaxQuant proteinGroups.txt, generic long tables, sample sheets.

Everything becomes the tidy ``coip`` table (one row per sample x protein): experiment, bait, sample,
condition columns, protein (HGNC symbol), ibaq, replicate, source. Missing values are NaN (MaxQuant
writes 0 for "not quantified"; that 0 becomes NaN here). A negative intensity (impossible) is kept
as read, so that the analysis can flag it by sample and protein instead of hiding it.

Sample sheet (CSV/TSV/XLSX), one row per MaxQuant experiment::

    experiment,sample,bait,dox,prednisolone,replicate
    NRAS_1,NRAS -dox -pred r1,BCL2L11,-,0,1
    IgG_1,IgG control r1,IgG,-,0,1

``experiment`` is the name after "iBAQ " in proteinGroups.txt. ``sample`` (default: experiment),
``bait`` (default: the ``bait`` argument; IgG / beads / mock mark control IPs), ``replicate``
(default: numbered within each condition group) and ``exclude`` (yes = leave that experiment out,
recorded) are optional; every other column is a condition.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from tallrx.errors import InputError, did_you_mean
from tallrx.io._cells import first_sheet_frame, is_workbook, read_text, text_table
from tallrx.io._columns import check_names_match
from tallrx.io.assays._tables import (
    PathLike,
    extra_columns,
    find_column,
    norm_name,
    numeric_if_possible,
    read_table,
    require_column,
    require_file,
    to_bool,
    to_number,
)
from tallrx.schema import TABLES, validate

__all__ = [
    "FLAG_COLUMNS",
    "QUANTITY_PREFIXES",
    "protein_annotation",
    "read_coip",
    "read_coip_table",
    "read_proteingroups",
    "read_sample_sheet",
]

#: MaxQuant flag columns; a '+' in any of them removes the protein group (decoys, contaminants,
#: groups identified only by a modification site). Older versions call the second "Contaminant".
FLAG_COLUMNS = ("Reverse", "Potential contaminant", "Contaminant", "Only identified by site")
#: Per-experiment quantity columns: "<prefix><experiment>".
QUANTITY_PREFIXES = {"ibaq": "iBAQ ", "lfq": "LFQ intensity ", "intensity": "Intensity "}
SHEET_RESERVED = ("experiment", "sample", "bait", "replicate", "exclude")

_GN_SWISSPROT = r"(?:^|;)sp\|[^;]*?\bGN=([^\s;]+)"
_GN_ANY = r"\bGN=([^\s;]+)"


# --------------------------------------------------------------------------- proteinGroups.txt
def _require_table_file(path: PathLike, what: str) -> None:
    """A missing path or a folder is an :class:`InputError` naming it and what was expected."""
    if require_file(path, what).is_dir():
        hint = " (e.g. combined/txt/proteinGroups.txt)" if "MaxQuant" in what else ""
        raise InputError(f"{path}: is a folder; expected {what}: give the file inside it{hint}")


def _read_proteingroups_raw(path: PathLike) -> pd.DataFrame:
    """proteinGroups.txt as text cells: tab-separated as MaxQuant writes it, or re-saved by a
    spreadsheet (';' or ',' with a decimal comma, UTF-16 'Unicode text', BOM, trailing empty
    columns); the delimiter is kept in ``attrs['delimiter']`` for the number parser."""
    _require_table_file(path, "a MaxQuant proteinGroups.txt")
    what = "a MaxQuant proteinGroups.txt"
    if is_workbook(path):  # proteinGroups opened in Excel and saved as .xlsx (first sheet)
        df = first_sheet_frame(path, f"expected {what}", dtype=str, keep_default_na=False)
        df = df.apply(lambda col: col.str.strip())
    else:
        df = text_table(read_text(path, what=what), where=str(path), what=what, dtype=str,
                        keep_default_na=False, low_memory=False)
    delimiter = df.attrs.get("delimiter")
    df = df.loc[:, [not (str(c).startswith("Unnamed: ") and not df[c].str.strip().any())
                    for c in df.columns]]
    first = df.iloc[:, 0].astype(str) if df.shape[1] else pd.Series(dtype=str)
    df = df.loc[~first.str.startswith("#!{")]  # Perseus' annotation rows (#!{Type}E E T ...)
    df = df.rename(columns=_quantity_names(df.columns)).replace("", np.nan)
    df.attrs["delimiter"] = delimiter
    if "Protein IDs" not in df.columns and "Majority protein IDs" not in df.columns:
        raise InputError(
            f"{path}: not a MaxQuant proteinGroups.txt (no 'Protein IDs' / 'Majority protein "
            f"IDs' column; first columns: {', '.join(map(str, df.columns[:5]))}). For a long "
            "table (sample, protein, ibaq) use read_coip_table."
        )
    return df


_QUANTITY_NAME = re.compile(r"^(ibaq|lfq[ _.]intensity|intensity)[ _.]+(\S.*)$", re.IGNORECASE)


def _quantity_names(columns: pd.Index) -> dict[object, str]:
    """Renames of per-experiment quantity columns spelled another way to MaxQuant's own:
    'iBAQ_IP1', 'iBAQ.IP_1' (R), 'IBAQ IP_1', 'LFQ.intensity.IP_1' -> 'iBAQ IP1', 'iBAQ IP_1',
    'LFQ intensity IP_1'. Names already in MaxQuant's spelling are kept."""
    canonical = {"ibaq": QUANTITY_PREFIXES["ibaq"], "intensity": QUANTITY_PREFIXES["intensity"]}
    renames: dict[object, str] = {}
    for c in columns:
        m = _QUANTITY_NAME.match(str(c))
        if not m:
            continue
        kind = m.group(1).lower()
        prefix = canonical.get(kind, QUANTITY_PREFIXES["lfq"])
        name = prefix + m.group(2)
        if name != str(c) and name not in columns:
            renames[c] = name
    return renames


def protein_annotation(raw: pd.DataFrame, *, where: str = "proteinGroups.txt") -> pd.DataFrame:
    """Per protein group: the label used as ``protein``, and where it came from.

    The label is the first entry of "Gene names" when present, else the GN= field of the FASTA
    headers (a Swiss-Prot entry preferred), else the accession of the first majority protein ID.
    Duplicate labels (isoform groups) keep the plain symbol on the most abundant group; the others
    get " (ACCESSION)" appended so that each row stays one protein group.

    Returns
    -------
    pandas.DataFrame
        One row per row of ``raw``: ``protein`` (label), ``protein_ids`` (the group's IDs) and
        ``name_source`` ("gene names", "fasta header" or "id").
    """
    ids_col = "Majority protein IDs" if "Majority protein IDs" in raw.columns else "Protein IDs"
    ids = raw[ids_col].fillna("").astype(str)
    first_id = ids.str.split(";").str[0].str.replace(r"^(CON__|REV__)", "", regex=True)
    accession = first_id.where(
        ~first_id.str.contains("|", regex=False), first_id.str.split("|").str[1]
    )
    label = pd.Series(pd.NA, index=raw.index, dtype="object")
    source = pd.Series("id", index=raw.index, dtype="object")
    if "Gene names" in raw.columns:
        gn = raw["Gene names"].fillna("").astype(str).str.split(";").str[0].str.strip()
        has = gn != ""
        label = label.mask(has, gn)
        source = source.mask(has, "gene names")
    if "Fasta headers" in raw.columns:
        headers = raw["Fasta headers"].fillna("").astype(str)
        gn = headers.str.extract(_GN_SWISSPROT)[0].fillna(headers.str.extract(_GN_ANY)[0])
        fill = label.isna() & gn.notna()
        label = label.mask(fill, gn)
        source = source.mask(fill, "fasta header")
    label = label.fillna(accession).astype(str)
    dup = label.duplicated(keep=False)
    if dup.any():
        abundance = (
            _quantity_block(raw, "ibaq", where=where).sum(axis=1)
            if _has_prefix(raw, "ibaq")
            else pd.Series(0.0, index=raw.index)
        )
        order = abundance.sort_values(ascending=False, kind="stable").index
        later = label.loc[order].duplicated(keep="first").reindex(raw.index)
        label = label.mask(later, label + " (" + accession + ")")
    return pd.DataFrame({"protein": label, "protein_ids": ids, "name_source": source})


def _has_prefix(raw: pd.DataFrame, quantity: str) -> bool:
    prefix = QUANTITY_PREFIXES[quantity]
    return any(str(c).startswith(prefix) for c in raw.columns)


def _experiments(raw: pd.DataFrame, quantity: str, where: str) -> list[str]:
    prefix = QUANTITY_PREFIXES[quantity]
    exps = [
        str(c)[len(prefix) :]
        for c in raw.columns
        if str(c).startswith(prefix)
        and str(c) != prefix.strip()
        and not str(c).startswith(prefix + "peptides")
    ]
    if not exps:
        present = [q for q in QUANTITY_PREFIXES if _has_prefix(raw, q)]
        alt = (
            f" It has {', '.join(present)} columns: pass quantity="
            f"'{present[0]}' (--quantity {present[0]})."
            if present
            else ""
        )
        raise InputError(
            f"{where}: no '{prefix}<experiment>' columns; expected per-experiment "
            f"{quantity} values (enable iBAQ in MaxQuant's global parameters).{alt}"
        )
    return exps


def _quantity_block(raw: pd.DataFrame, quantity: str, *, where: str) -> pd.DataFrame:
    prefix = QUANTITY_PREFIXES[quantity]
    exps = _experiments(raw, quantity, where)
    block = raw[[prefix + e for e in exps]]
    delimiter = raw.attrs.get("delimiter")
    block = block.apply(lambda s: to_number(s, where=where, column=s.name, delimiter=delimiter))
    block.columns = exps
    return block.where(block != 0)  # 0 = not quantified; a negative value is kept and flagged


def read_proteingroups(
    path: PathLike,
    samples: PathLike | pd.DataFrame | None = None,
    *,
    bait: str | None = None,
    quantity: str = "ibaq",
    keep_flagged: bool = False,
) -> pd.DataFrame:
    """MaxQuant proteinGroups.txt -> tidy ``coip`` table (one row per experiment x protein).

    ``samples`` is a sample sheet (path or DataFrame, see the module docstring); without it each
    experiment is its own sample with no conditions. ``bait`` fills the bait column where the sheet
    has none. Rows flagged '+' in Reverse / Potential contaminant / Only identified by site are
    removed unless ``keep_flagged``; the counts are in ``df.attrs['removed']``. Zero intensities
    become NaN (not quantified). ``quantity`` is 'ibaq' (default), 'lfq' or 'intensity'; the
    value column is called ``ibaq`` whatever the quantity (``df.attrs['quantity']`` says which).

    Returns
    -------
    pandas.DataFrame
        The ``coip`` table, one row per experiment x protein: ``experiment``, ``bait``,
        ``sample``, condition columns, ``protein`` (HGNC symbol), ``ibaq`` (NaN = not
        quantified), ``replicate``, ``source`` ('measured').
        ``attrs``: ``removed`` (flagged rows per flag column), ``quantity``, ``file``,
        ``excluded_experiments``.
    """
    where = str(path)
    if quantity not in QUANTITY_PREFIXES:
        raise InputError(
            f"quantity '{quantity}' is not known; expected one of "
            f"{', '.join(QUANTITY_PREFIXES)}.{did_you_mean(quantity, QUANTITY_PREFIXES)}"
        )
    raw = _read_proteingroups_raw(path)
    removed: dict[str, int] = {}
    keep = pd.Series(True, index=raw.index)
    for col in FLAG_COLUMNS:
        if col in raw.columns:
            flagged = raw[col].fillna("").astype(str).str.strip() == "+"
            removed[col] = int((flagged & keep).sum())
            if not keep_flagged:
                keep &= ~flagged
    raw = raw.loc[keep].reset_index(drop=True)
    if raw.empty:
        raise InputError(
            f"{where}: no protein groups left after removing flagged rows "
            f"({removed}); pass keep_flagged=True to inspect them"
        )
    ann = protein_annotation(raw, where=where)
    block = _quantity_block(raw, quantity, where=where)
    block.index = ann["protein"].to_numpy()
    exps = list(block.columns)
    sheet = _sheet_for(samples, exps, where=where, bait=bait)
    long = (
        block.rename_axis("protein")
        .reset_index()
        .melt(id_vars="protein", var_name="experiment", value_name="ibaq")
    )
    out = sheet.merge(long, on="experiment", how="inner", validate="one_to_many")
    out = _order_columns(out)
    out.attrs.update(
        {
            "removed": removed,
            "quantity": quantity,
            "file": where,
            "excluded_experiments": sheet.attrs.get("excluded", []),
        }
    )
    return validate(out, "coip", where=where)


def _order_columns(df: pd.DataFrame) -> pd.DataFrame:
    conds = [
        c
        for c in df.columns
        if c not in TABLES["coip"].names
    ]
    df = df.assign(source="measured")
    return df[
        ["experiment", "bait", "sample", *conds, "protein", "ibaq", "replicate", "source"]
    ].reset_index(drop=True)


# --------------------------------------------------------------------------- sample sheets
def read_sample_sheet(
    sheet: PathLike | pd.DataFrame, *, bait: str | None = None, where: str | None = None
) -> pd.DataFrame:
    """Read and check a co-IP sample sheet.

    ``bait`` fills empty / missing bait cells. Rows with exclude=yes are dropped and listed in
    ``attrs['excluded']``. Condition columns holding only numbers become numeric.

    Returns
    -------
    pandas.DataFrame
        One row per experiment: ``experiment``, ``sample``, ``bait``, ``replicate`` and the
        condition columns.
    """
    if isinstance(sheet, pd.DataFrame):
        df = sheet.astype(object).where(sheet.notna(), None).astype(str).replace("None", "")
        where = where or "sample sheet"
    else:
        where = where or str(sheet)
        df = read_table(
            sheet, what="a co-IP sample sheet (experiment, condition columns, replicate)"
        ).fillna("")
    exp_col = require_column(
        df,
        ("experiment", "experiment_name", "raw_file", "name"),
        where=where,
        what="the MaxQuant experiment name of each row",
    )
    cols = {"experiment": exp_col}
    for key in ("sample", "bait", "replicate", "exclude"):
        found = find_column(df.columns, (key,))
        if found is not None:
            cols[key] = found
    out = pd.DataFrame({"experiment": df[exp_col].astype(str).str.strip()})
    dup = out["experiment"].duplicated()
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{where} row {i + 2}: experiment '{out['experiment'].iloc[i]}' is "
            "listed twice; each MaxQuant experiment needs exactly one row"
        )
    excluded: list[str] = []
    if "exclude" in cols:
        ex = to_bool(df[cols["exclude"]], where=where, column=cols["exclude"])
        excluded = out["experiment"][ex].tolist()
    out["sample"] = df[cols["sample"]].astype(str).str.strip() if "sample" in cols else ""
    out["sample"] = out["sample"].mask(out["sample"] == "", out["experiment"])
    baits = (
        df[cols["bait"]].astype(str).str.strip()
        if "bait" in cols
        else pd.Series("", index=df.index)
    )
    if bait is not None:
        baits = baits.mask(baits == "", bait)
    out["bait"] = baits.replace("", pd.NA)
    conds = [c for c in df.columns if c not in cols.values()]
    for c in conds:
        name = norm_name(c)
        out[name] = numeric_if_possible(df[c].astype(str).str.strip())
    cond_names = [norm_name(c) for c in conds]
    if "replicate" in cols:
        out["replicate"] = numeric_if_possible(df[cols["replicate"]].astype(str).str.strip())
    elif cond_names:
        out["replicate"] = out.groupby(cond_names, dropna=False, sort=False).cumcount() + 1
    else:
        out["replicate"] = 1
    dup = out.duplicated(["sample"])
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{where} row {i + 2}: sample '{out['sample'].iloc[i]}' is used for two "
            "experiments; give each experiment its own sample name"
        )
    keep = ~out["experiment"].isin(excluded)
    result = out.loc[keep].reset_index(drop=True)
    result.attrs["excluded"] = excluded
    return result


def _sheet_for(
    samples: PathLike | pd.DataFrame | None, exps: list[str], *, where: str, bait: str | None
) -> pd.DataFrame:
    if samples is None:
        sheet = pd.DataFrame(
            {
                "experiment": exps,
                "sample": exps,
                "bait": bait if bait is not None else pd.NA,
                "replicate": 1,
            }
        )
        sheet.attrs["excluded"] = []
        return sheet
    sheet = read_sample_sheet(samples, bait=bait)
    sheet_where = "sample sheet" if isinstance(samples, pd.DataFrame) else str(samples)
    check_names_match(
        sheet["experiment"],
        exps,
        also=sheet.attrs.get("excluded", []),
        stray=lambda i, exp: (
            f"{sheet_where} row {i + 2}: experiment '{exp}' is not in {where} (its "
            f"experiments: {', '.join(exps)})."
        ),
        unmatched=lambda missing: (
            f"{sheet_where}: experiment(s) {', '.join(missing)} of {where} have no row in the "
            "sample sheet; add a row for each (exclude=yes leaves one out on purpose)."
        ),
    )
    return sheet


# --------------------------------------------------------------------------- generic long table
def read_coip_table(
    path: PathLike, samples: PathLike | pd.DataFrame | None = None, *, bait: str | None = None
) -> pd.DataFrame:
    """A long table (sample, protein, ibaq [+ experiment, bait, replicate, conditions]) -> coip.

    Zero ibaq values become NaN. With ``samples`` the sheet's experiment names are matched to the
    table's ``experiment`` column (or to ``sample`` when the table has no experiment column) and
    its conditions / replicate / bait are joined in.

    Returns
    -------
    pandas.DataFrame
        The ``coip`` table (columns: see :func:`read_proteingroups`); ``attrs['file']``.
    """
    where = str(path)
    df = read_table(path, what="a co-IP long table with columns sample, protein, ibaq")
    sample_col = require_column(
        df, ("sample", "sample_name"), where=where, what="the IP sample of each row"
    )
    prot_col = require_column(
        df,
        ("protein", "gene", "gene_name", "gene_names", "symbol"),
        where=where,
        what="the protein (HGNC symbol) of each row",
    )
    val_col = require_column(
        df,
        ("ibaq", "intensity", "abundance", "lfq"),
        where=where,
        what="the iBAQ value of each row",
    )
    out = pd.DataFrame(
        {
            "sample": df[sample_col].astype(str).str.strip(),
            "protein": df[prot_col].astype(str).str.strip(),
        }
    )
    out["ibaq"] = to_number(df[val_col], where=where, column=val_col)
    out["ibaq"] = out["ibaq"].where(out["ibaq"] != 0)  # negatives kept: flagged by the analysis
    used = {sample_col, prot_col, val_col}
    exp_col = find_column(df.columns, ("experiment",))
    out["experiment"] = df[exp_col].astype(str).str.strip() if exp_col else out["sample"]
    used |= {exp_col} if exp_col else set()
    if samples is not None:
        exps = list(dict.fromkeys(out["experiment"]))
        sheet = _sheet_for(samples, exps, where=where, bait=bait)
        out = sheet.merge(out.drop(columns="sample"), on="experiment", how="inner")
    else:
        for key in ("bait", "replicate"):
            col = find_column(df.columns, (key,))
            out[key] = (
                numeric_if_possible(df[col].astype(str).str.strip())
                if col
                else (bait if key == "bait" else 1)
            )
            used |= {col} if col else set()
        if bait is not None:
            out["bait"] = out["bait"].replace("", np.nan).fillna(bait)
        for name, values in extra_columns(df, used).items():
            out[name] = values
    dup = out.duplicated(["sample", "protein"])
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise InputError(
            f"{where} row {i + 2}: protein '{out['protein'].iloc[i]}' appears twice "
            f"in sample '{out['sample'].iloc[i]}'; expected one row per sample x "
            "protein"
        )
    out = _order_columns(out)
    out.attrs.update({"removed": {}, "quantity": "ibaq", "file": where})
    return validate(out, "coip", where=where)


def read_coip(
    path: PathLike,
    samples: PathLike | pd.DataFrame | None = None,
    *,
    bait: str | None = None,
    **kwargs,
) -> pd.DataFrame:
    """Read proteinGroups.txt or a long co-IP table, telling them apart by their header.

    Parameters
    ----------
    path
        MaxQuant ``proteinGroups.txt`` or a long table (sample, protein, ibaq).
    samples
        Sample sheet (path or table; see the module docstring) naming each experiment's
        sample, bait, replicate and conditions.
    bait
        Fills the bait where the sheet has none.
    **kwargs
        Passed to :func:`read_proteingroups` (``quantity``, ``keep_flagged``).

    Returns
    -------
    pandas.DataFrame
        The ``coip`` table of :func:`read_proteingroups` / :func:`read_coip_table`
        (experiment, bait, sample, conditions, protein, ibaq, replicate, source).
    """
    _require_table_file(path, "a MaxQuant proteinGroups.txt or a long co-IP table")
    header = read_text(path, what="a MaxQuant proteinGroups.txt or a long co-IP table")
    header = header.split("\n", 1)[0]
    if re.search(r"(^|[\t;,])\"?(Majority )?[Pp]rotein IDs\"?([\t;,]|$)", header):
        return read_proteingroups(path, samples, bait=bait, **kwargs)
    return read_coip_table(path, samples, bait=bait)
