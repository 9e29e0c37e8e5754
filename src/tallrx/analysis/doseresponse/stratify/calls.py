"""The IL7 call: pair -IL7 and +IL7 curves and call responsiveness (paper Fig. 1D, Fig. 5B).

The thresholds are the paper's (:mod:`tallrx.paper`): AUC(+IL7) / AUC(-IL7) above
:data:`IL7_RESPONSIVE_FOLD` is IL7-responsive; responsive with AUC(+IL7) >= :data:`IL7_DEPENDENT_MIN_AUC`
is IL7-dependent steroid resistant.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tallrx._result import Result, checksum
from tallrx.analysis.doseresponse.stratify._inputs import (
    MAX_AUC,
    _check_unique,
    _doses,
    _drug_mask,
    _numeric,
    _pairing_columns,
    _require,
)
from tallrx.analysis.doseresponse.stratify.uncertainty import _bootstrap_calls
from tallrx.errors import AnalysisError
from tallrx.paper import IL7_DEPENDENT_MIN_AUC, IL7_NG_ML, IL7_RESPONSIVE_FOLD

__all__ = [
    "IL7_DEPENDENT_MIN_AUC",
    "IL7_DOSE",
    "IL7_RESPONSIVE_FOLD",
    "MAX_AUC",
    "stratify_il7",
]

#: IL7 dose of the PDX screens in ng/ml (Methods: "presence or absence of 25 ng/ml IL7").
IL7_DOSE = IL7_NG_ML


def stratify_il7(
    curves: pd.DataFrame,
    *,
    condition: str = "il7",
    drug: str | None = "prednisolone",
    fold: float = IL7_RESPONSIVE_FOLD,
    min_auc: float = IL7_DEPENDENT_MIN_AUC,
    viability: pd.DataFrame | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    by: Sequence[str] | None = None,
) -> Result:
    """Pair -IL7 and +IL7 curves per sample x drug and call IL7 responsiveness.

    Rows are paired on sample, drug_a and the other condition columns (``by``; by default the
    curve table's condition-like columns). Each dose > 0 is paired with the dose-0 row.
    Unpaired or undefined rows are kept with NA calls and a message; they never raise. An AUC
    that is not a finite number (inf, or beyond ``MAX_AUC``: an overflow) is never used for a
    call: the pair gets NA calls and a message saying so.

    With replicate-level ``viability`` and ``n_boot`` > 0, replicate wells are resampled with
    replacement within each concentration, the paper's trapezoid AUC is recomputed per draw,
    and each p_* is the fraction of draws in which the call holds.

    Parameters
    ----------
    curves
        Needs sample, drug_a, auc (% x log10 uM) and the ``condition`` column holding the IL7
        dose (ng/ml, 0 = without); e.g. the table of
        :func:`~tallrx.analysis.doseresponse.batch.fit_dose_response`.
    condition
        The IL7 dose column.
    drug
        Keep this drug_a only; None (or "all") keeps every drug.
    fold
        IL7-responsive when auc_fold is above this (paper: 1.5).
    min_auc
        IL7-dependent resistant also needs auc_with at least this (paper: 175).
    viability
        Replicate-level viability (sample, drug_a, conc_a in uM, viability in %, the condition
        column; ``exclude`` and ``role`` honoured) for the bootstrap.
    n_boot
        Bootstrap draws (0 = none).
    seed
        Seed of the bootstrap.
    by
        Pairing columns besides sample and drug_a (default: the condition-like columns).

    Returns
    -------
    Result
        Kind ``"strata"``; ``table`` (strata.csv) has one row per pair, columns: ``sample``,
        ``drug_a``, the pairing columns, ``condition`` (the +IL7 dose, ng/ml), ``auc_without``,
        ``auc_with``, ``auc_fold`` (auc_with / auc_without), ``il7_responsive``,
        ``il7_dependent_resistant`` (nullable booleans), ``above_auc_max`` (auc_with > auc_max,
        only when the curves carry auc_max), ``p_il7_responsive``,
        ``p_il7_dependent_resistant`` (bootstrap fractions), ``auc_fold_low`` /
        ``auc_fold_high`` (95 % bootstrap interval), ``n_boot`` and ``message``.
    """
    what = "curves"
    _require(curves, ["sample", "drug_a", "auc", condition], what)
    if not (np.isfinite(fold) and fold > 0):
        raise AnalysisError(
            f"fold = {fold!r}: expected a positive number such as "
            f"{IL7_RESPONSIVE_FOLD} (AUC(+IL7) / AUC(-IL7))"
        )
    if not np.isfinite(min_auc):
        raise AnalysisError(
            f"min_auc = {min_auc!r}: expected a number such as "
            f"{IL7_DEPENDENT_MIN_AUC:g} (AUC units, % x log10 uM)"
        )
    if int(n_boot) != n_boot or n_boot < 0:
        raise AnalysisError(f"n_boot = {n_boot!r}: expected a whole number >= 0 (0 = no bootstrap)")

    df = curves.reset_index(drop=True)
    auc = _numeric(df, "auc", what, "a number")
    df = df.assign(
        _dose=_doses(df, condition, what),
        _auc=auc.where(auc.abs() <= MAX_AUC),
        _note=np.where(auc.abs() > MAX_AUC, auc.map("{:g}".format), ""),
    )
    df = df[_drug_mask(df, drug, what)]
    extra = _pairing_columns(df, condition, by)
    keys = ["sample", "drug_a", *extra]
    _check_unique(df, keys, condition, what)

    has_max = "auc_max" in df.columns
    if has_max:
        df["auc_max"] = _numeric(df, "auc_max", what, "a number (the AUC of 100 % viability)")
    without = df.loc[df["_dose"] == 0, [*keys, "_auc", "_note"]].rename(
        columns={"_auc": "auc_without", "_note": "_note_without"}
    )
    cols = [*keys, "_dose", "_auc", "_note", *(["auc_max"] if has_max else [])]
    with_ = df.loc[df["_dose"] > 0, cols].rename(
        columns={"_auc": "auc_with", "_dose": condition, "_note": "_note_with"}
    )
    if has_max:
        with_ = with_.rename(columns={"auc_max": "_auc_max"})
    table = without.merge(with_, on=keys, how="outer", sort=False)
    table = _calls(table, condition, fold, min_auc, has_max)

    if viability is not None and n_boot > 0:
        table = _bootstrap_calls(
            table, viability, keys, condition, drug, fold, min_auc, int(n_boot), seed
        )
    else:
        for c in ("p_il7_responsive", "p_il7_dependent_resistant", "auc_fold_low", "auc_fold_high"):
            table[c] = np.nan
        table["n_boot"] = 0
    first = [*keys, condition, "auc_without", "auc_with", "auc_fold"]
    table = table[
        [*first, *(c for c in table.columns if c not in first and c != "message"), "message"]
    ]
    meta = {
        "method": "IL7 stratification: AUC fold +IL7/-IL7 (van der Zwet et al. 2021, Fig. 1D/5B)",
        "condition": condition,
        "drug": drug,
        "fold": float(fold),
        "min_auc": float(min_auc),
        "pairing_columns": keys,
        "n_boot": int(n_boot) if viability is not None else 0,
        "seed": seed,
        "input_checksum": checksum(curves),
        "n_pairs": int(table["auc_fold"].notna().sum()),
        "n_il7_responsive": int(table["il7_responsive"].fillna(False).sum()),
        "n_il7_dependent_resistant": int(table["il7_dependent_resistant"].fillna(False).sum()),
        "units": {"auc": "% x log10(uM)", condition: "ng/ml"},
    }
    return Result(kind="strata", table=table.reset_index(drop=True), meta=meta)


def _calls(
    table: pd.DataFrame, condition: str, fold: float, min_auc: float, has_max: bool
) -> pd.DataFrame:
    """auc_fold, the two calls (nullable booleans) and a message per pair."""
    a0 = table["auc_without"].to_numpy(dtype=float)
    a1 = table["auc_with"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(a0 > 0, a1 / a0, np.nan)
    table["auc_fold"] = ratio
    ok = np.isfinite(ratio)
    resp = pd.array(ratio > fold, dtype="boolean")
    dep = pd.array((ratio > fold) & (a1 >= min_auc), dtype="boolean")
    resp[~ok] = pd.NA
    dep[~ok] = pd.NA
    table["il7_responsive"] = resp
    table["il7_dependent_resistant"] = dep
    if has_max:
        above = pd.array(a1 > table.pop("_auc_max").to_numpy(dtype=float), dtype="boolean")
        above[~np.isfinite(a1)] = pd.NA
        table["above_auc_max"] = above
    msgs = []
    notes = zip(
        table.pop("_note_without").fillna(""), table.pop("_note_with").fillna(""), strict=True
    )
    for w0, w1, dose, (n0, n1) in zip(
        table["auc_without"].isna(), table["auc_with"].isna(), table[condition], notes, strict=True
    ):
        if n0 or n1:
            side = f"without IL7 is {n0}" if n0 else f"with IL7 is {n1}"
            msgs.append(f"AUC {side}, not a finite area (overflow?): no call")
        elif pd.isna(dose):
            msgs.append(f"no +IL7 curve ({condition} > 0) for this sample and drug")
        elif w0:
            msgs.append(f"no -IL7 curve ({condition} = 0) or its AUC is missing")
        elif w1:
            msgs.append("AUC with IL7 is missing (failed fit?)")
        else:
            msgs.append("")
    msgs = np.asarray(msgs, dtype=object)
    zero = np.isfinite(a0) & (a0 <= 0) & (msgs == "")
    msgs[zero] = "AUC without IL7 <= 0: fold undefined"
    table["message"] = msgs
    return table
