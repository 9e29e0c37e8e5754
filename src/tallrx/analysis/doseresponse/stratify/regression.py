"""Delta AUC against IL7-enhanced viability (paper Fig. 5B, Supplementary Fig. 5a).

*IL7-enhanced viability* is the vehicle viability with IL7 as % of the vehicle without IL7;
*delta AUC* of a drug is AUC(drug, +IL7) / AUC(drug, -IL7); the one is regressed on the other
with ordinary least squares.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from tallrx._result import Result, checksum
from tallrx.analysis.doseresponse.stratify._inputs import _doses, _numeric, _require, _usable
from tallrx.analysis.doseresponse.stratify.calls import stratify_il7
from tallrx.errors import AnalysisError
from tallrx.schema import condition_columns

__all__ = ["delta_auc_regression", "il7_enhanced_viability"]


def il7_enhanced_viability(viability: pd.DataFrame, *, condition: str = "il7") -> pd.DataFrame:
    """Mean vehicle viability with IL7 as % of the vehicle without IL7, per sample and dose.

    Needs a viability table normalized with ``reference_condition={condition: 0}`` (so the +IL7
    vehicle wells are expressed relative to the -IL7 vehicle; with each condition's own vehicle
    they are 100 % by construction and an :class:`~tallrx.errors.AnalysisError` is raised).

    Parameters
    ----------
    viability
        Normalized viability wells (sample, role, viability in %, the ``condition`` column;
        ``exclude`` honoured).
    condition
        The IL7 dose column (ng/ml, 0 = without).

    Returns
    -------
    pandas.DataFrame
        One row per sample, other condition values and IL7 dose > 0 (Supplementary Fig. 5a;
        the x-axis of Fig. 5B), columns: ``sample``, the other condition columns,
        ``condition`` (ng/ml), ``enhanced_viability`` (%; 100 = IL7 has no effect; 180 = 80 %
        more viable cells), ``sd`` (%), ``n_vehicle`` (wells) and ``message``.
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

    Fewer than 3 points or a constant x give NaN statistics and a message, not an error.

    Parameters
    ----------
    curves
        The curves table (as for :func:`stratify_il7`).
    enhanced
        The :func:`il7_enhanced_viability` table.
    drug
        The drug whose delta AUC is regressed.
    condition
        The IL7 dose column.
    samples
        Restrict the fit to these samples, or to the IL7-dependent resistant samples of a
        strata table / Result.
    by
        Pairing columns, as for :func:`stratify_il7`.

    Returns
    -------
    Result
        Kind ``"delta_auc_regression"``. ``table`` holds one point per sample, columns:
        ``sample``, ``condition`` (ng/ml), ``enhanced_viability`` (%), ``delta_auc``,
        ``auc_without``, ``auc_with``. ``meta`` and ``extra["fit"]`` (one row, with ``drug``)
        hold ``slope`` (delta AUC per % enhanced viability), ``intercept``, ``r2``, ``p``
        (two-sided, H0 slope = 0), ``stderr``, ``n`` and ``message`` (ordinary least squares,
        scipy.stats.linregress).
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
    """The samples to fit: names, or the IL7-dependent resistant ones of a strata table."""
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
    """OLS of y on x: slope, intercept, r2, p, stderr, n, message (NaN below 3 points)."""
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
