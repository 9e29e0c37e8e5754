"""Plate QC: Z', robust Z', SSMD, vehicle CV, an edge-effect test and outlier vehicle wells.

One QC row per plate x sample x condition group (the normalization group; a plate holding one
sample in one condition gives one row). Metrics use the raw ``signal`` of non-excluded wells, so
they are the same whether a ``wells`` or a ``viability`` table is passed (Z', SSMD and CV do not
change under the affine map from signal to viability).

Controls: "high" = the group's vehicle wells; "low" = the group's positive-control wells, else the
plate's positive-control wells, else the plate's blank wells (column ``low_control`` says which).
A metric whose controls are missing is NaN and the ``note`` says why; its pass column is then NA.

Edge effect (per plate; repeated on each group row of the plate): for every well on the outer
ring of the plate whose treatment (sample, conditions, role, drugs, concentrations) also has
wells inside, r = log(signal / median signal of the inner wells of that treatment). The test is
a two-sided Wilcoxon signed-rank test of median(r) = 0 (``edge_p``); ``edge_ratio`` = exp(median r)
(0.8: edge wells read 20 % low). The plate fails when edge_p < ``edge_alpha`` and
|edge_ratio - 1| >= ``edge_min_change``. Matching edge wells to inner replicates of the same
treatment keeps a dose gradient across the plate from looking like an edge effect.

Outliers: a vehicle well more than ``outlier_k`` robust SDs (1.4826 x MAD) and more than
``outlier_min_deviation`` x median away from its group's median vehicle signal (groups of at least
``outlier_min_n`` vehicle wells) gets exclude=True and a reason; it is never deleted. When a
``viability`` table is passed and vehicle wells get excluded, viability is recomputed with the
normalization recorded in its ``reference`` and ``blank_signal`` columns. With
``QCThresholds(exclude_outliers=False)`` (``tallrx screen --keep-outliers``) outliers are still
counted (``n_outliers``) and named in ``exclude_reason`` ("..., kept"), but stay in use, so every
blank and vehicle mean keeps them: viability is then exactly GDSC's per-well normalization
(I - mean blank) / (mean vehicle - mean blank) x 100.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from tallrx.errors import AnalysisError, DegenerateDataWarning
from tallrx.tidy._wells import flag, group_columns, plate_format, prepare_wells, well_positions
from tallrx.tidy.normalize import normalize_viability, parse_reference
from tallrx.tidy.qc_metrics import (
    cv_percent,
    robust_outliers,
    robust_z_prime,
    ssmd,
    z_prime,
)

__all__ = ["QCThresholds", "plate_qc", "Z_PRIME_MIN", "SSMD_MIN", "VEHICLE_CV_MAX"]

#: Z' >= 0.5: "excellent assay" (Zhang, Chung & Oldenburg 1999, J Biomol Screen 4:67, Table 1).
Z_PRIME_MIN = 0.5
#: the same cut-off applied to the robust (median/MAD) Z'.
ROBUST_Z_PRIME_MIN = 0.5
#: SSMD >= 3: at least "good" for a very strong control (full kill or blank vs vehicle) in Zhang's
#: SSMD-based QC classification (Zhang 2007, Genomics 89:552; Zhang 2011, Optimal High-Throughput
#: Screening, Cambridge UP). For equal SDs, Z' = 0.5 corresponds to SSMD = 4.24.
SSMD_MIN = 3.0
#: vehicle CV <= 20 %: the plate-uniformity acceptance limit for the CV of raw control signals in
#: the NCATS Assay Guidance Manual (HTS Assay Validation, Iversen et al. 2012).
VEHICLE_CV_MAX = 20.0
#: edge test: significance level and the smallest edge/inner change worth flagging (10 %, a
#: practical convention for evaporation/temperature edge effects, cf. Lundholt et al. 2003,
#: J Biomol Screen 8:566).
EDGE_ALPHA = 0.05
EDGE_MIN_CHANGE = 0.10
#: at least this many edge wells with inner replicates for the signed-rank test (n = 6 is the
#: smallest n whose exact two-sided p can fall below 0.05).
EDGE_MIN_N = 6
#: outlier rule: 3 robust SDs (the "very conservative" cut-off of Leys et al. 2013, J Exp Soc
#: Psychol 49:764) and a 10 % floor so near-identical replicates are not flagged.
OUTLIER_K = 3.0
OUTLIER_MIN_N = 4
OUTLIER_MIN_DEVIATION = 0.10


@dataclass(frozen=True)
class QCThresholds:
    """Configurable QC thresholds (defaults are the module constants and their sources).

    Attributes
    ----------
    z_prime_min, robust_z_prime_min, ssmd_min : float
        Lowest passing Z', robust Z' and SSMD.
    vehicle_cv_max : float
        Highest passing vehicle CV (%).
    edge_alpha, edge_min_change, edge_min_n : float, float, int
        Edge test: significance level, smallest edge/inner change (fraction) and fewest edge
        wells with inner replicates.
    outlier_k, outlier_min_n, outlier_min_deviation : float, int, float
        Outlier vehicle wells: robust SDs from the group median, fewest vehicle wells in the
        group, and smallest deviation as a fraction of the median.
    exclude_failed : bool
        Also exclude every well of a group that fails QC (default False: failing groups are
        reported in the QC table only).
    exclude_outliers : bool
        Exclude outlier vehicle wells (default True); False only flags them (to match
        pipelines that keep every control).
    plate_shape : (int, int), optional
        (rows, cols) of the plate; by default the smallest screening plate (96 / 384 / 1536
        wells, :data:`tallrx.plate.SCREEN_FORMATS`) holding the wells.
    """

    z_prime_min: float = Z_PRIME_MIN
    robust_z_prime_min: float = ROBUST_Z_PRIME_MIN
    ssmd_min: float = SSMD_MIN
    vehicle_cv_max: float = VEHICLE_CV_MAX
    edge_alpha: float = EDGE_ALPHA
    edge_min_change: float = EDGE_MIN_CHANGE
    edge_min_n: int = EDGE_MIN_N
    outlier_k: float = OUTLIER_K
    outlier_min_n: int = OUTLIER_MIN_N
    outlier_min_deviation: float = OUTLIER_MIN_DEVIATION
    exclude_failed: bool = False
    exclude_outliers: bool = True
    plate_shape: tuple[int, int] | None = None


def plate_qc(
    viability_or_wells: pd.DataFrame,
    *,
    thresholds: QCThresholds = QCThresholds(),
    conditions: list[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """QC every plate x sample x condition group; flag outlier wells.

    Parameters
    ----------
    viability_or_wells : pandas.DataFrame
        A ``wells`` or ``viability`` table (metrics use the raw ``signal``, so both give the
        same QC).
    thresholds : QCThresholds
        Pass/fail limits and the outlier and edge-test settings.
    conditions : list of str, optional
        Condition columns defining groups (default: every column the schema does not know).

    Returns
    -------
    qc : pandas.DataFrame
        The ``qc`` table (:data:`tallrx.schema.TABLES` ``["qc"]``), one row per plate x sample x
        condition group: ``plate``, ``sample``, the condition columns, ``n_wells``,
        ``n_vehicle``, ``n_low``, ``low_control`` (positive | blank | none), ``z_prime``,
        ``robust_z_prime``, ``ssmd``, ``vehicle_cv`` (%), ``n_below_blank``, ``n_outliers``,
        ``edge_ratio``, ``edge_p``, ``edge_n`` (the plate's edge test, repeated on each of its
        rows), one boolean ``*_pass`` column per metric (``z_prime_pass``,
        ``robust_z_prime_pass``, ``ssmd_pass``, ``vehicle_cv_pass``, ``edge_pass``; NA when
        the metric is NaN), ``qc_pass`` (NA when nothing could be assessed) and ``note``.
    flagged : pandas.DataFrame
        The input (same rows, same order) with ``exclude`` / ``exclude_reason`` updated; a
        ``viability`` input is re-normalized when outlier vehicle wells were excluded.
    """
    if not isinstance(thresholds, QCThresholds):
        raise AnalysisError(f"thresholds must be a QCThresholds, got {type(thresholds).__name__}")
    is_viability = "viability" in viability_or_wells.columns
    df = prepare_wells(viability_or_wells, where="plate_qc input")
    conds = group_columns(df, conditions, where="plate_qc input")
    keys = ["plate", "sample", *conds]
    use = ~df["exclude"].to_numpy() & df["signal"].notna().to_numpy()

    n_out = _flag_outliers(df, keys, use, thresholds)
    qc = _group_metrics(df, keys, use)
    qc["n_outliers"] = qc.merge(n_out, on=keys, how="left")["n_outliers"].fillna(0).astype(int)
    edge = _edge_tests(df, keys, use, thresholds)
    qc = qc.merge(edge, on="plate", how="left")
    _pass_columns(qc, thresholds)
    qc["note"] = [n.strip("; ") for n in (qc["note"] + "; " + qc["edge_note"].fillna(""))]
    qc = qc.drop(columns="edge_note")
    qc = qc[[c for c in qc.columns if c != "note"] + ["note"]]

    if thresholds.exclude_failed:
        failed = qc.loc[qc["qc_pass"].eq(False).fillna(False), keys]
        if len(failed):
            hit = df[keys].merge(failed.assign(_f=True), on=keys, how="left")["_f"]
            hit = hit.fillna(False).to_numpy(dtype=bool) & df["role"].ne("blank").to_numpy()
            flag(df, hit, "group failed plate QC")
    if is_viability and thresholds.exclude_outliers and n_out["n_outliers"].sum() > 0:
        df = _renormalize(df, conds)
    return qc, df


# --------------------------------------------------------------------------- control statistics
def _stats(values: pd.Series, by: list) -> pd.DataFrame:
    """mean, sd (ddof 1), median, MAD and n of ``values`` per group."""
    g = values.groupby(by, dropna=False, sort=False)
    med = g.transform("median")
    mad = (values - med).abs().groupby(by, dropna=False, sort=False).median()
    out = g.agg(["mean", "std", "median", "size"]).rename(columns={"std": "sd", "size": "n"})
    out["mad"] = mad
    return out


def _group_metrics(df: pd.DataFrame, keys: list[str], use: np.ndarray) -> pd.DataFrame:
    role = df["role"]
    members = df.loc[role.isin(["treated", "vehicle"]), keys]
    qc = (
        members.assign(n_wells=1)
        .groupby(keys, dropna=False, sort=False)["n_wells"]
        .size()
        .reset_index()
    )

    def stats_for(mask, by):
        sub = df.loc[mask & use]
        if len(sub) == 0:
            cols = ["mean", "sd", "median", "n", "mad"]
            return pd.DataFrame(columns=[*by, *cols])
        return _stats(sub["signal"], [sub[c] for c in by]).reset_index()

    veh = qc[keys].merge(stats_for(role.eq("vehicle"), keys), on=keys, how="left")
    pos_group = qc[keys].merge(stats_for(role.eq("positive"), keys), on=keys, how="left")
    pos_plate = qc[["plate"]].merge(
        stats_for(role.eq("positive"), ["plate"]), on="plate", how="left"
    )
    blank = qc[["plate"]].merge(stats_for(role.eq("blank"), ["plate"]), on="plate", how="left")

    cols = ["mean", "sd", "median", "mad", "n"]
    low = pd.DataFrame({c: np.full(len(qc), np.nan) for c in cols})
    kind = np.full(len(qc), "", dtype=object)
    for name, cand in (("blank", blank), ("positive (plate)", pos_plate), ("positive", pos_group)):
        ok = cand["n"].fillna(0).to_numpy() >= 2
        for c in cols:
            low[c] = np.where(ok, cand[c].to_numpy(dtype=float), low[c].to_numpy())
        kind[ok] = name

    qc["n_vehicle"] = veh["n"].fillna(0).to_numpy().astype(int)
    qc["n_low"] = low["n"].fillna(0).to_numpy().astype(int)
    qc["low_control"] = pd.array(kind, dtype="str")
    args = (veh["mean"], veh["sd"], low["mean"], low["sd"])
    qc["z_prime"] = z_prime(*(a.to_numpy(dtype=float) for a in args))
    qc["robust_z_prime"] = robust_z_prime(
        veh["median"].to_numpy(dtype=float),
        veh["mad"].to_numpy(dtype=float),
        low["median"].to_numpy(dtype=float),
        low["mad"].to_numpy(dtype=float),
    )
    qc["ssmd"] = ssmd(*(a.to_numpy(dtype=float) for a in args))
    qc["vehicle_cv"] = cv_percent(
        veh["mean"].to_numpy(dtype=float), veh["sd"].to_numpy(dtype=float)
    )
    blank_mean = df["plate"].map(df.loc[role.eq("blank") & use].groupby("plate")["signal"].mean())
    below = (df["signal"] < blank_mean) & use & role.isin(["treated", "vehicle"]).to_numpy()
    n_below = df.loc[below, keys].value_counts(dropna=False).rename("n_below_blank").reset_index()
    qc["n_below_blank"] = (
        qc[keys]
        .merge(n_below, on=keys, how="left")["n_below_blank"]
        .fillna(0)
        .to_numpy()
        .astype(int)
    )

    notes = []
    vm, lm = veh["mean"].to_numpy(dtype=float), low["mean"].to_numpy(dtype=float)
    for nv, nl, k, v, lo in zip(qc["n_vehicle"], qc["n_low"], kind, vm, lm, strict=True):
        parts = []
        if v < lo:  # NaN compares False
            parts.append(
                f"vehicle mean {v:.4g} is below the {k} control mean {lo:.4g}: check that the "
                "vehicle and positive-control (or blank) roles are not swapped (names such as "
                "NEGCON / POSCON mean the opposite in some assays); SSMD < 0 fails QC"
            )
        if nv < 2:
            parts.append(f"{nv} vehicle well(s): Z', SSMD and CV need >= 2")
        if nl < 2:
            parts.append(
                "no low control (>= 2 positive-control or blank wells): Z', robust Z' "
                "and SSMD not computed"
            )
        elif k == "blank":
            parts.append("blank wells used as low control (no positive control)")
        notes.append("; ".join(parts))
    qc["note"] = pd.array(notes, dtype="str")
    return qc


def _flag_outliers(df, keys, use, th: QCThresholds) -> pd.DataFrame:
    """Flag robust outliers among each group's vehicle wells (in place); count them per group."""
    veh = df["role"].eq("vehicle").to_numpy() & use
    sub = df.loc[veh, [*keys, "signal"]]
    if len(sub) == 0:
        return pd.DataFrame(columns=[*keys, "n_outliers"])
    by = [sub[c] for c in keys]
    g = sub["signal"].groupby(by, dropna=False, sort=False)
    med = g.transform("median")
    mad = (sub["signal"] - med).abs().groupby(by, dropna=False, sort=False).transform("median")
    n = g.transform("size")
    out = robust_outliers(
        sub["signal"], med, mad, k=th.outlier_k, min_deviation=th.outlier_min_deviation
    )
    out &= (n >= th.outlier_min_n).to_numpy()
    mask = np.zeros(len(df), dtype=bool)
    mask[np.flatnonzero(veh)[out]] = True
    if mask.any():
        z = (np.abs(sub["signal"] - med) / (1.4826 * mad)).to_numpy()[out]
        kept = "" if th.exclude_outliers else ", kept (keep outliers)"
        reasons = [
            f"QC: vehicle outlier ({zi:.1f} robust SD from group median){kept}" for zi in z
        ]
        flag(df, mask, reasons, exclude=th.exclude_outliers)
    counts = sub.loc[out, keys].value_counts(dropna=False).rename("n_outliers").reset_index()
    return counts


# --------------------------------------------------------------------------------- edge effects
def _edge_tests(df, keys, use, th: QCThresholds) -> pd.DataFrame:
    """Per plate: edge_ratio, edge_p, edge_n and edge_note (see the module docstring)."""
    rows, cols = well_positions(df)
    plate_ids, plate_of = np.unique(df["plate"].astype("str").to_numpy(), return_inverse=True)
    if th.plate_shape is not None:
        nr = np.full(len(plate_ids), th.plate_shape[0])
        nc = np.full(len(plate_ids), th.plate_shape[1])
    else:
        max_r = np.zeros(len(plate_ids), dtype=int)
        max_c = np.zeros(len(plate_ids), dtype=int)
        np.maximum.at(max_r, plate_of, rows)
        np.maximum.at(max_c, plate_of, cols)
        shapes = [plate_format(max(r, 1), max(c, 1)) for r, c in zip(max_r, max_c, strict=True)]
        nr, nc = (np.array(x) for x in zip(*shapes, strict=True))
    edge = (rows == 1) | (rows == nr[plate_of]) | (cols == 1) | (cols == nc[plate_of])
    cells = df["role"].isin(["treated", "vehicle"]).to_numpy() & use & (rows > 0)
    cells &= (df["signal"] > 0).to_numpy()

    # log ratio of each edge well to the median of the inner wells of the same treatment
    treat = [*keys, "role", "drug_a", "conc_a", "drug_b", "conc_b"]
    sub = df.loc[cells, treat].assign(
        _log=np.log(df.loc[cells, "signal"].to_numpy(dtype=float)),
        _edge=edge[cells],
        _plate=plate_of[cells],
    )
    inner = sub.loc[~sub["_edge"]].groupby(treat, dropna=False, sort=False)["_log"].median()
    edges = sub.loc[sub["_edge"]]
    ref = edges[treat].merge(inner.rename("_ref").reset_index(), on=treat, how="left")["_ref"]
    r = edges["_log"].to_numpy() - ref.to_numpy(dtype=float)
    ok = np.isfinite(r)
    r, r_plate = r[ok], edges["_plate"].to_numpy()[ok]
    order = np.argsort(r_plate, kind="stable")
    per_plate = np.split(r[order], np.cumsum(np.bincount(r_plate, minlength=len(plate_ids)))[:-1])

    out = []
    for pid, rp in zip(plate_ids, per_plate, strict=True):  # one signed-rank test per plate
        row = {
            "plate": pid,
            "edge_ratio": np.nan,
            "edge_p": np.nan,
            "edge_n": len(rp),
            "edge_note": "",
        }
        if len(rp) < th.edge_min_n:
            row["edge_note"] = (
                f"edge test not run: {len(rp)} edge well(s) with inner replicates "
                f"of the same treatment (need >= {th.edge_min_n})"
            )
        else:
            row["edge_ratio"] = float(np.exp(np.median(rp)))
            row["edge_p"] = 1.0 if np.all(rp == 0) else float(stats.wilcoxon(rp).pvalue)
        out.append(row)
    res = pd.DataFrame(out)
    # back to the plate ids as given (np.unique compared them as text)
    first = df.drop_duplicates("plate")[["plate"]].assign(_key=lambda d: d["plate"].astype("str"))
    return first.merge(res.rename(columns={"plate": "_key"}), on="_key").drop(columns="_key")


# ------------------------------------------------------------------------------- pass / fail
def _pass_columns(qc: pd.DataFrame, th: QCThresholds) -> None:
    def passes(values, ok):
        arr = pd.array(np.asarray(ok, dtype=bool), dtype="boolean")
        arr[np.isnan(np.asarray(values, dtype=float))] = pd.NA
        return arr

    qc["z_prime_pass"] = passes(qc["z_prime"], qc["z_prime"] >= th.z_prime_min)
    qc["robust_z_prime_pass"] = passes(
        qc["robust_z_prime"], qc["robust_z_prime"] >= th.robust_z_prime_min
    )
    qc["ssmd_pass"] = passes(qc["ssmd"], qc["ssmd"] >= th.ssmd_min)
    qc["vehicle_cv_pass"] = passes(qc["vehicle_cv"], qc["vehicle_cv"] <= th.vehicle_cv_max)
    edge_bad = (qc["edge_p"] < th.edge_alpha) & ((qc["edge_ratio"] - 1).abs() >= th.edge_min_change)
    qc["edge_pass"] = passes(qc["edge_p"], ~edge_bad)
    checks = qc[
        ["z_prime_pass", "robust_z_prime_pass", "ssmd_pass", "vehicle_cv_pass", "edge_pass"]
    ]
    any_fail = checks.eq(False).fillna(False).any(axis=1).to_numpy()
    any_known = checks.notna().any(axis=1).to_numpy()
    qc_pass = pd.array(~any_fail, dtype="boolean")
    qc_pass[~any_known] = pd.NA
    qc["qc_pass"] = qc_pass


# ------------------------------------------------------------------------------ renormalize
def _renormalize(df: pd.DataFrame, conds: list[str]) -> pd.DataFrame:
    """Recompute viability after vehicle wells were excluded, with the recorded normalization."""
    labels = (
        pd.unique(df["reference"].astype("str").str.removesuffix(" (other plates)"))
        if "reference" in df.columns and "blank_signal" in df.columns
        else []
    )
    if len(labels) != 1:
        warnings.warn(
            "plate_qc: the normalization of this viability table is not recorded as one "
            f"reference ({', '.join(labels) or 'no reference column'}); viability was "
            "not recomputed after excluding outlier vehicle wells; re-run "
            "normalize_viability on the flagged table",
            DegenerateDataWarning,
            stacklevel=3,
        )
        return df
    ref = parse_reference(labels[0], df)
    blank = "plate" if df["blank_signal"].notna().any() else "none"
    return normalize_viability(df, reference_condition=ref, blank=blank, conditions=conds)
