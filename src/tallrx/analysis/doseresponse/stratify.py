"""IL7 stratification of a screen (van der Zwet et al., Leukemia 2021, Fig. 1D and Fig. 5B).

A sample is *IL7-responsive* when its prednisolone AUC rises more than 1.5-fold with IL7:
AUC(+IL7) / AUC(-IL7) > 1.5 (Fig. 1D legend; 12 of 46 PDX samples, 26 %). It is *IL7-dependent
steroid resistant* when, in addition, AUC(+IL7) >= 175 (Fig. 5B legend: "an increase in
prednisolone AUC by >1.5 fold in the presence of IL7 with a minimal AUC of 175 in the presence of
IL7"). AUC = trapezoid area of mean % viability over log10(concentration, uM); 400 is the maximum
for a 4-log window at 100 % viability, and +IL7 curves normalized to the -IL7 vehicle can exceed it.

*Delta AUC* of a drug (Fig. 5B y-axis) = AUC(drug, +IL7) / AUC(drug, -IL7), regressed on
*IL7-enhanced viability* (x-axis; vehicle viability with IL7 as % of the vehicle without IL7,
Supplementary Fig. 5a) with ordinary least squares.

The curves table (``auc`` per sample x drug x condition) comes from
:func:`tallrx.analysis.doseresponse.batch.fit_dose_response`; this module never fits curves.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from tallrx._result import Result, checksum
from tallrx.analysis.doseresponse._bootstrap import bootstrap_trapezoid_auc
from tallrx.errors import AnalysisError, SchemaError, did_you_mean
from tallrx.schema import TABLES, condition_columns

__all__ = [
    "IL7_RESPONSIVE_FOLD",
    "IL7_DEPENDENT_MIN_AUC",
    "IL7_DOSE",
    "stratify_il7",
    "il7_enhanced_viability",
    "delta_auc_regression",
]

#: AUC(+IL7) / AUC(-IL7) above this is "IL7-responsive" (Fig. 1D legend: ">1.5 fold increase").
IL7_RESPONSIVE_FOLD = 1.5
#: minimal AUC(+IL7) of an "IL7-dependent steroid resistant" sample (Fig. 5B legend).
IL7_DEPENDENT_MIN_AUC = 175.0
#: IL7 dose of the PDX screens in ng/ml (Methods: "presence or absence of 25 ng/ml IL7").
IL7_DOSE = 25.0
#: bootstrap AUCs are recomputed from the viability table; a point estimate further than this
#: (relative) from the curves table's ``auc`` is reported in ``message``.
AUC_CHECK_RTOL = 0.05
#: AUCs beyond this in magnitude (and inf) are overflows, not areas: the pair gets no call
MAX_AUC = 1e100

# columns a fitter may add that are results, not conditions to pair on (``by`` overrides)
_RESULT_PREFIXES = (
    "n_",
    "ic50",
    "auc",
    "hill",
    "top",
    "bottom",
    "emax",
    "r2",
    "fit",
    "flat",
    "sse",
    "rmse",
    "aic",
    "bic",
    "se_",
    "p_",
    "at_",
    "message",
)
_RESULT_SUFFIXES = ("_se", "_sd", "_ci", "_low", "_high", "_lo", "_hi", "_p", "_pvalue")


# ------------------------------------------------------------------------------- input checks
def _require(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"{what}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{what}: needs column(s) {', '.join(missing)} (has: "
            f"{', '.join(map(str, df.columns))}).{did_you_mean(missing[0], df.columns)}"
        )


def _show(value) -> str:
    """A cell value for a message: text quoted, numbers plain (no numpy reprs)."""
    return repr(value) if isinstance(value, str) else str(value)


def _numeric(df: pd.DataFrame, col: str, what: str, expected: str) -> pd.Series:
    """``df[col]`` as float; a non-numeric entry is an error naming its row."""
    raw = df[col]
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype(float)
    num = pd.to_numeric(raw, errors="coerce")
    bad = num.isna() & raw.notna() & raw.astype("str").str.strip().ne("")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise SchemaError(
            f"{what}: row {i + 1} (sample {df['sample'].iloc[i]}) has {col} = {_show(raw.iloc[i])}; "
            f"expected {expected}"
        )
    return num.astype(float)


def _doses(df: pd.DataFrame, condition: str, what: str) -> pd.Series:
    """The condition column as an IL7 dose (ng/ml; 0 = without)."""
    expected = f"the IL7 dose in ng/ml (0 = without IL7, e.g. {IL7_DOSE:g} = with)"
    dose = _numeric(df, condition, what, expected)
    bad = ~np.isfinite(dose) | (dose < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise SchemaError(
            f"{what}: row {i + 1} (sample {df['sample'].iloc[i]}) has {condition} = "
            f"{_show(df[condition].iloc[i])}; expected {expected}"
        )
    return dose


def _drug_mask(df: pd.DataFrame, drug: str | None, what: str) -> np.ndarray:
    names = df["drug_a"].astype("str").str.strip()
    if drug is None or str(drug).lower() == "all":
        return np.ones(len(df), dtype=bool)
    mask = (names.str.lower() == str(drug).strip().lower()).to_numpy()
    if not mask.any():
        present = sorted(set(names))
        raise AnalysisError(
            f"{what}: no rows with drug_a '{drug}' (drugs present: {', '.join(present)})."
            f"{did_you_mean(str(drug), present)} Pass drug=None (--drug all) for every drug."
        )
    return mask


def _pairing_columns(curves: pd.DataFrame, condition: str, by: Sequence[str] | None) -> list[str]:
    """Condition columns (besides ``condition``) that must match between -IL7 and +IL7 rows."""
    if by is not None:
        by = [b for b in dict.fromkeys(by) if b not in ("sample", "drug_a", condition)]
        _require(curves, by, "curves (--by)")
        return list(by)
    out = []
    for c in condition_columns(curves, "curves"):
        if _is_result_column(c, condition):
            continue
        col = curves[c]
        if pd.api.types.is_float_dtype(col):
            vals = col.dropna().to_numpy()
            if not np.all(vals == np.round(vals)):
                continue  # a measured quantity, not a condition level
        out.append(c)
    return out


def _is_result_column(column, condition: str) -> bool:
    """True for the condition itself, internal columns and fit results (auc, ic50_se, n_...)."""
    name = str(column).lower()
    return (
        column == condition
        or column in TABLES["curves"].required
        or name.startswith(("_", *_RESULT_PREFIXES))
        or name.endswith(_RESULT_SUFFIXES)
    )


def _check_unique(df: pd.DataFrame, keys: list[str], condition: str, what: str) -> None:
    """One row per pairing key and dose; otherwise name the rows and what differs between them."""
    cols = [*keys, "_dose"]
    dup = df.duplicated(cols, keep=False)
    if not dup.any():
        return
    rows = df[dup]
    first = rows.iloc[0]
    gid = rows.groupby(cols, dropna=False, sort=False).ngroup().to_numpy()
    same = rows[gid == gid[0]]
    differ = [
        c
        for c in df.columns
        if c not in cols and not str(c).startswith("_") and same[c].nunique(dropna=False) > 1
    ]
    label = ", ".join(f"{k} {first[k]}" for k in keys) + f", {condition}={first['_dose']:g}"
    conditions = [c for c in differ if not _is_result_column(c, condition)]
    if conditions:
        hint = (
            f" They differ in {', '.join(map(str, conditions[:5]))}; if that is a condition, "
            "pass by=[...] (--by) naming it."
        )
    else:
        hint = " Remove the duplicate rows (the same curve listed twice?)."
    raise AnalysisError(
        f"{what}: {len(same)} rows for {label}; expected one curve per sample, drug and "
        f"condition.{hint}"
    )


# ------------------------------------------------------------------------------ stratify_il7
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

    ``curves`` needs sample, drug_a, auc and the ``condition`` column holding the IL7 dose
    (ng/ml, 0 = without). Rows are paired on sample, drug_a and the other condition columns
    (``by``; by default the curve table's condition-like columns). Each dose > 0 is paired with
    the dose-0 row. ``drug=None`` (or "all") keeps every drug.

    Returns a Result of kind "strata" with one row per pair: sample, drug_a, pairing columns,
    ``condition`` (the +IL7 dose), auc_without, auc_with, auc_fold = auc_with / auc_without,
    il7_responsive (auc_fold > ``fold``), il7_dependent_resistant (responsive and
    auc_with >= ``min_auc``), above_auc_max (auc_with > auc_max, when the curves carry auc_max),
    p_il7_responsive, p_il7_dependent_resistant, auc_fold_low / auc_fold_high (95 % bootstrap
    interval), n_boot and message. Unpaired or undefined rows are kept with NA calls and a
    message; they never raise. An AUC that is not a finite number (inf, or beyond ``MAX_AUC``:
    an overflow) is never used for a call: the pair gets NA calls and a message saying so.

    With replicate-level ``viability`` (sample, drug_a, conc_a in uM, viability in %, the
    condition column; ``exclude`` and ``role`` honoured) and ``n_boot`` > 0, replicate wells are
    resampled with replacement within each concentration, the paper's trapezoid AUC is recomputed
    per draw, and each p_* is the fraction of draws in which the call holds.
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
    notes = zip(table.pop("_note_without").fillna(""), table.pop("_note_with").fillna(""), strict=True)
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


# ------------------------------------------------------------------------------ bootstrap
def _bootstrap_calls(table, viability, keys, condition, drug, fold, min_auc, n_boot, seed):
    """Add p_il7_responsive, p_il7_dependent_resistant and a 95 % fold interval per pair."""
    what = "viability"
    _require(viability, [*keys, "conc_a", "viability", condition], what)
    v = viability.reset_index(drop=True)
    v = v.assign(
        _dose=_doses(v, condition, what),
        _conc=_numeric(v, "conc_a", what, "a concentration in uM"),
        _viab=_numeric(v, "viability", what, "% viability"),
    )
    with np.errstate(invalid="ignore"):
        v["_viab"] = v["_viab"].where(~(v["_viab"].abs() > MAX_AUC))  # inf: left out, counted
        v["_conc"] = v["_conc"].where(np.isfinite(v["_conc"]))
    lost = v["_viab"].isna() & viability["viability"].notna().to_numpy()
    lost |= v["_conc"].isna() & viability["conc_a"].notna().to_numpy()
    keep = _drug_mask(v, drug, what) & (v["_conc"] > 0).to_numpy() & _usable(v, "treated")
    n_lost = v[lost.to_numpy() & _drug_mask(v, drug, what)].groupby(
        [*keys, "_dose"], dropna=False
    ).size()
    if "conc_b" in v.columns:
        cb = pd.to_numeric(v["conc_b"], errors="coerce")
        keep = keep & (cb.isna() | (cb == 0)).to_numpy()
    v = v.loc[keep, [*keys, "_dose", "_conc", "_viab"]]

    curve_keys = [*keys, "_dose"]
    boot, observed, curve_index = bootstrap_trapezoid_auc(
        v, curve_keys, conc="_conc", value="_viab", n_boot=n_boot, seed=seed
    )
    ids = curve_index.rename(columns={"_curve": "_id_with"})
    t = table.assign(_dose=table[condition]).merge(ids, on=curve_keys, how="left")
    base = curve_index[curve_index["_dose"] == 0].drop(columns="_dose")
    t = t.merge(base.rename(columns={"_curve": "_id_without"}), on=keys, how="left")
    i0 = t["_id_without"].to_numpy(dtype=float)
    i1 = t["_id_with"].to_numpy(dtype=float)
    have = np.isfinite(i0) & np.isfinite(i1)
    p_resp = np.full(len(t), np.nan)
    p_dep = np.full(len(t), np.nan)
    lo = np.full(len(t), np.nan)
    hi = np.full(len(t), np.nan)
    if have.any():
        b0 = boot[:, i0[have].astype(int)]
        b1 = boot[:, i1[have].astype(int)]
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.where(b0 > 0, b1 / b0, np.nan)
        resp = f > fold
        p_resp[have] = resp.mean(axis=0)
        p_dep[have] = (resp & (b1 >= min_auc)).mean(axis=0)
        lo[have], hi[have] = np.nanpercentile(f, [2.5, 97.5], axis=0)
        bad = ~np.isfinite(observed[i0[have].astype(int)]) | ~np.isfinite(
            observed[i1[have].astype(int)]
        )
        p_resp[np.flatnonzero(have)[bad]] = np.nan
        p_dep[np.flatnonzero(have)[bad]] = np.nan
    t["p_il7_responsive"] = p_resp
    t["p_il7_dependent_resistant"] = p_dep
    t["auc_fold_low"] = lo
    t["auc_fold_high"] = hi
    t["n_boot"] = np.where(have, n_boot, 0)
    msgs = t["message"].to_numpy(dtype=object).copy()
    for j in np.flatnonzero(~have & (msgs == "")):
        msgs[j] = "no replicate-level viability for one of the two conditions: no bootstrap"
    for j in np.flatnonzero(have):
        for side, idx, col in (("-IL7", i0[j], "auc_without"), ("+IL7", i1[j], "auc_with")):
            obs, ref = observed[int(idx)], t[col].iloc[j]
            if np.isfinite(obs) and np.isfinite(ref) and abs(obs - ref) > AUC_CHECK_RTOL * abs(ref):
                note = (
                    f"{side} AUC from the viability wells ({obs:.1f}) differs from the curves "
                    f"auc ({ref:.1f}): use the same normalization and window for both"
                )
                msgs[j] = f"{msgs[j]}; {note}" if msgs[j] else note
    if len(n_lost):
        lost_of = {k if isinstance(k, tuple) else (k,): int(c) for k, c in n_lost.items()}
        for j in range(len(t)):
            row = t.iloc[j]
            k = sum(
                lost_of.get((*(row[c] for c in keys), d), 0)
                for d in (0.0, row["_dose"])
                if pd.notna(d)
            )
            if k:
                note = f"{k} viability well(s) with a non-finite value left out of the bootstrap"
                msgs[j] = f"{msgs[j]}; {note}" if msgs[j] else note
    t["message"] = msgs
    return t.drop(columns=["_dose", "_id_with", "_id_without"])


def _usable(v: pd.DataFrame, role: str) -> np.ndarray:
    """Wells of ``role`` (when a role column exists), not excluded, with a finite ``_viab``."""
    keep = np.isfinite(v["_viab"].to_numpy(dtype=float))
    if "role" in v.columns:
        keep = keep & v["role"].astype("str").str.strip().str.lower().eq(role).to_numpy()
    if "exclude" in v.columns:
        flag = v["exclude"].astype("str").str.strip().str.lower()
        keep = keep & ~flag.isin(["true", "1", "yes", "1.0"]).to_numpy()
    return keep


# ----------------------------------------------------------------- IL7-enhanced viability
def il7_enhanced_viability(viability: pd.DataFrame, *, condition: str = "il7") -> pd.DataFrame:
    """Mean vehicle viability with IL7 as % of the vehicle without IL7, per sample and dose.

    Needs a viability table normalized with ``reference_condition={condition: 0}`` (so the +IL7
    vehicle wells are expressed relative to the -IL7 vehicle; with each condition's own vehicle
    they are 100 % by construction and an :class:`~tallrx.errors.AnalysisError` is raised).

    Returns columns sample, the other condition columns, ``condition`` (dose > 0),
    enhanced_viability (%; 100 = IL7 has no effect; 180 = 80 % more viable cells), sd, n_vehicle
    and message (Supplementary Fig. 5a; the x-axis of Fig. 5B).
    """
    what = "viability"
    _require(viability, ["sample", "role", "viability", condition], what)
    v = viability.reset_index(drop=True)
    v = v.assign(
        _dose=_doses(v, condition, what), _viab=_numeric(v, "viability", what, "% viability")
    )
    keep = _usable(v, "vehicle")
    veh = v[keep]
    plus = veh[veh["_dose"] > 0]
    if len(plus) == 0:
        raise AnalysisError(
            f"{what}: no non-excluded vehicle wells with {condition} > 0; "
            "IL7-enhanced viability needs +IL7 vehicle wells"
        )
    if "reference" in plus.columns:
        own = plus["reference"].astype("str").str.strip().eq("own")
        if own.any():
            raise AnalysisError(
                f"{what}: the +IL7 vehicle wells were normalized to their own vehicle (reference "
                f"'own'), so they are 100 % by construction; normalize with "
                f"reference_condition={{'{condition}': 0}} (tallrx.tidy.normalize_viability)"
            )
    elif np.allclose(plus.groupby("sample")["_viab"].mean(), 100.0, atol=1e-9):
        raise AnalysisError(
            f"{what}: the +IL7 vehicle wells average exactly 100 %, as if normalized to their own "
            f"vehicle; normalize with reference_condition={{'{condition}': 0}}"
        )
    others = [
        c
        for c in condition_columns(v, "viability")
        if c != condition and not str(c).startswith("_") and c not in ("sample", "role")
    ]
    keys = ["sample", *others, "_dose"]
    g = plus.groupby(keys, dropna=False, sort=True)["_viab"]
    out = g.agg(enhanced_viability="mean", sd="std", n_vehicle="size").reset_index()
    out = out.rename(columns={"_dose": condition})
    missing = sorted(set(v["sample"].dropna()) - set(out["sample"]))
    if missing:
        out = pd.concat([out, pd.DataFrame({"sample": missing})], ignore_index=True)
    out["n_vehicle"] = out["n_vehicle"].fillna(0).astype(int)
    out["message"] = np.where(
        out["n_vehicle"] == 0, f"no non-excluded vehicle wells with {condition} > 0", ""
    )
    return out


# ---------------------------------------------------------------------- delta-AUC regression
def delta_auc_regression(
    curves: pd.DataFrame,
    enhanced: pd.DataFrame,
    *,
    drug: str,
    condition: str = "il7",
    samples: Sequence[str] | pd.DataFrame | Result | None = None,
    by: Sequence[str] | None = None,
) -> Result:
    """Regress delta AUC = AUC(drug, +IL7) / AUC(drug, -IL7) on IL7-enhanced viability (Fig. 5B).

    ``enhanced`` is the output of :func:`il7_enhanced_viability` (sample, enhanced_viability and
    optionally the condition dose). ``samples`` restricts the fit: a list of sample names, or a
    strata table / Result from :func:`stratify_il7` (prednisolone), whose IL7-dependent
    steroid-resistant samples are used, as in the paper.

    Returns a Result of kind "delta_auc_regression": ``table`` holds one point per sample
    (sample, ``condition``, enhanced_viability, delta_auc, auc_without, auc_with); ``meta`` and
    ``extra["fit"]`` hold slope (delta AUC per % enhanced viability), intercept, r2, p (two-sided,
    H0 slope = 0), stderr, n and message (ordinary least squares, scipy.stats.linregress).
    Fewer than 3 points or a constant x give NaN statistics and a message, not an error.
    """
    _require(enhanced, ["sample", "enhanced_viability"], "enhanced")
    strata = stratify_il7(curves, condition=condition, drug=drug, n_boot=0, by=by).table
    pts = strata[["sample", condition, "auc_without", "auc_with", "auc_fold"]]
    pts = pts.rename(columns={"auc_fold": "delta_auc"})
    on = ["sample", condition] if condition in enhanced.columns else ["sample"]
    enh = enhanced[[*on, "enhanced_viability"]].dropna(subset=["enhanced_viability"])
    pts = pts.merge(enh, on=on, how="inner")
    chosen = _chosen_samples(samples)
    if chosen is not None:
        pts = pts[pts["sample"].isin(chosen)]
    pts = pts[np.isfinite(pts["delta_auc"]) & np.isfinite(pts["enhanced_viability"])]
    pts = pts[
        ["sample", condition, "enhanced_viability", "delta_auc", "auc_without", "auc_with"]
    ].reset_index(drop=True)
    fit = _linregress(pts["enhanced_viability"].to_numpy(), pts["delta_auc"].to_numpy())
    meta = {
        "method": "OLS of delta AUC on IL7-enhanced viability (Fig. 5B)",
        "drug": drug,
        "condition": condition,
        "samples": None if chosen is None else sorted(chosen),
        "input_checksum": checksum(curves),
        **fit,
    }
    return Result(
        kind="delta_auc_regression",
        table=pts,
        meta=meta,
        extra={"fit": pd.DataFrame([{"drug": drug, **fit}])},
    )


def _chosen_samples(samples) -> set | None:
    if samples is None:
        return None
    if isinstance(samples, Result):
        samples = samples.table
    if isinstance(samples, pd.DataFrame):
        _require(samples, ["sample", "il7_dependent_resistant"], "samples (strata table)")
        dep = samples["il7_dependent_resistant"].astype("boolean").fillna(False)
        return set(samples.loc[dep.to_numpy(dtype=bool), "sample"])
    if isinstance(samples, str):
        return {samples}
    return set(samples)


def _linregress(x: np.ndarray, y: np.ndarray) -> dict:
    nan = float("nan")
    out = {
        "slope": nan,
        "intercept": nan,
        "r2": nan,
        "p": nan,
        "stderr": nan,
        "n": int(len(x)),
        "message": "",
    }
    if len(x) < 3:
        out["message"] = f"{len(x)} sample(s) with both values: a regression needs >= 3"
        return out
    if np.ptp(x) == 0:
        out["message"] = "all samples have the same enhanced viability: slope undefined"
        return out
    res = stats.linregress(x, y)
    out.update(
        slope=float(res.slope),
        intercept=float(res.intercept),
        r2=float(res.rvalue**2),
        p=float(res.pvalue),
        stderr=float(res.stderr),
    )
    return out
