"""Proteins and samples of a co-IP table: bait names, control IPs and the protein x sample matrix.

A bait is named as users say it (``BIM``) or as MaxQuant writes it (HGNC ``BCL2L11``);
:func:`resolve_protein` maps one to the other. Control IPs (bait IgG / beads / mock) are told
apart from bait IPs by their bait name (:data:`CONTROL_BAITS`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tallrx.errors import AnalysisError, did_you_mean
from tallrx.schema import TABLES, condition_columns

__all__ = ["BAIT_ALIASES", "CONTROL_BAITS", "resolve_protein"]

#: Common protein names -> HGNC symbols used in MaxQuant gene names.
BAIT_ALIASES = {
    "BIM": "BCL2L11",
    "BCLXL": "BCL2L1",
    "BCL-XL": "BCL2L1",
    "BCL-2": "BCL2",
    "MCL-1": "MCL1",
    "BCLW": "BCL2L2",
    "BCL-W": "BCL2L2",
    "BMF": "BMF",
}

#: Bait names that mark control IPs (case-insensitive).
CONTROL_BAITS = ("igg", "beads", "bead", "mock", "control", "empty", "isotype")

#: Columns of a coip table that are not conditions.
_KNOWN = TABLES["coip"].names


def _conditions(df: pd.DataFrame) -> list[str]:
    """The condition columns of a coip table (dox, prednisolone, ...)."""
    return [c for c in condition_columns(df, "coip") if c not in _KNOWN]


def resolve_protein(
    name: str, proteins: Sequence[str], *, where: str = "co-IP table", what: str = "bait"
) -> str:
    """Find ``name`` among ``proteins`` (exact, case-insensitive, or via BAIT_ALIASES).

    Parameters
    ----------
    name
        The protein as typed, e.g. ``"BIM"`` or ``"bcl2l11"``.
    proteins
        The protein names of the table (HGNC symbols).
    where, what
        The table and the role of ``name``, for the error message.

    Returns
    -------
    str
        The matching entry of ``proteins``, e.g. ``"BCL2L11"`` for ``"BIM"``.

    Raises
    ------
    AnalysisError
        No match; the message suggests the closest names.
    """
    proteins = list(proteins)
    if name in proteins:
        return name
    lower = {p.lower(): p for p in proteins}
    if name.lower() in lower:
        return lower[name.lower()]
    alias = BAIT_ALIASES.get(name.upper())
    if alias and alias in proteins:
        return alias
    hint = did_you_mean(name, proteins)
    if alias and not hint:
        hint = f" (the HGNC symbol of {name} is {alias}, which is not in the table either)"
    raise AnalysisError(
        f"{where}: {what} '{name}' is not among the {len(proteins)} proteins; "
        f"expected an HGNC symbol such as BCL2L11 (BIM).{hint}"
    )


def _is_control(baits: pd.Series, control_bait: str | None) -> pd.Series:
    """True for rows whose bait names a control IP (CONTROL_BAITS or ``control_bait``)."""
    names = set(CONTROL_BAITS) | ({control_bait.lower()} if control_bait else set())
    codes, uniques = pd.factorize(baits.fillna(""), use_na_sentinel=False)
    flags = np.array([str(u).strip().lower() in names for u in uniques], dtype=bool)
    return pd.Series(flags[codes], index=baits.index)


def _sample_table(df: pd.DataFrame, conds: list[str], where: str) -> pd.DataFrame:
    """One row per sample (IP): sample, experiment, bait, conditions, replicate."""
    cols = ["sample", "experiment", "bait", *conds, "replicate"]
    samples = df[cols].drop_duplicates()
    dup = samples["sample"].duplicated()
    if dup.any():
        s = samples["sample"][dup].iloc[0]
        raise AnalysisError(
            f"{where}: sample '{s}' has more than one bait / condition / "
            "replicate; each sample must be one IP with one set of conditions"
        )
    return samples.reset_index(drop=True)


def _matrix(df: pd.DataFrame, samples: pd.DataFrame, where: str) -> pd.DataFrame:
    """iBAQ as a protein x sample matrix, columns in the order of ``samples``."""
    dup = df.duplicated(["sample", "protein"])
    if dup.any():
        row = df[dup].iloc[0]
        raise AnalysisError(
            f"{where}: protein '{row['protein']}' appears twice in sample "
            f"'{row['sample']}'; expected one row per sample x protein"
        )
    mat = df.pivot(index="protein", columns="sample", values="ibaq")
    mat = mat.reindex(columns=samples["sample"])
    return mat.astype(float)


def _bait_rows(
    samples: pd.DataFrame, proteins: Sequence[str], bait: str | None, where: str
) -> np.ndarray:
    """Row index (into ``proteins``) of each sample's bait."""
    index = {p: i for i, p in enumerate(proteins)}
    names = samples["bait"] if bait is None else pd.Series(bait, index=samples.index)
    if names.isna().any() or (names.astype(str).str.strip() == "").any():
        s = samples["sample"][names.isna() | (names.astype(str).str.strip() == "")].iloc[0]
        raise AnalysisError(
            f"{where}: sample '{s}' has no bait; fill the bait column of the "
            "sample sheet or pass bait= (--bait BCL2L11)"
        )
    resolved = {n: resolve_protein(str(n), proteins, where=where) for n in names.unique()}
    return np.array([index[resolved[n]] for n in names])
