"""Amplification efficiency of qPCR targets: dilution-series fits and the efficiency to use.

E is the amplification factor per cycle (2 = 100 %, Livak's assumption). Pfaffl (2001) uses each
target's measured E: from a dilution series (:func:`estimate_efficiency`), given per target, or
the table's efficiency column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from tallrx.analysis.assays.qpcr.wells import _prepare
from tallrx.errors import AnalysisError, did_you_mean

__all__ = ["EFFICIENCY_RANGE", "LIVAK_EFFICIENCY", "estimate_efficiency"]

#: Perfect doubling per cycle (the 2 in 2^-ddCt).
LIVAK_EFFICIENCY = 2.0
#: Acceptable amplification factors (MIQE: 90-110 % efficiency); outside is flagged, not refused.
EFFICIENCY_RANGE = (1.9, 2.1)


def estimate_efficiency(
    qpcr: pd.DataFrame, *, targets: Sequence[str] | None = None, where: str = "qPCR table"
) -> pd.DataFrame:
    """Amplification efficiency of each target from its dilution series (standard wells).

    Least-squares line Ct = intercept + slope log10(quantity) through every standard well with a
    Ct (task 'standard', quantity > 0, not omitted); efficiency E = 10^(-1/slope).

    Parameters
    ----------
    qpcr
        The tidy ``qpcr`` table with standard wells (task 'standard', a quantity).
    targets
        Only these targets (default: every target with standards).
    where
        The table's name for error messages.

    Returns
    -------
    pandas.DataFrame
        One row per target, columns: ``target``, ``slope`` (cycles per log10 quantity),
        ``intercept`` (cycles), ``r2``, ``efficiency`` (amplification factor E, 2 = 100 %),
        ``efficiency_percent`` ((E - 1) x 100), ``n_wells``, ``n_dilutions``, ``fit_ok``
        (bool) and ``message`` (efficiency outside 90-110 % or fewer than 3 dilutions is
        flagged, not refused).
    """
    df = _prepare(qpcr, where)
    std = df[(df["task"] == "standard") & ~df["omit"] & ~df["exclude"] & df["ct"].notna()]
    if "quantity" in std:
        std = std[pd.to_numeric(std["quantity"], errors="coerce") > 0]
    else:
        std = std.iloc[0:0]
    if targets is not None:
        std = std[std["target"].isin(list(targets))]
    if std.empty:
        raise AnalysisError(
            f"{where}: no standard wells (task 'standard' with a quantity and a "
            "Ct); a dilution series is needed to estimate efficiencies"
        )
    rows = []
    for target, g in std.groupby("target", sort=False):
        x = np.log10(g["quantity"].astype(float).to_numpy())
        y = g["ct"].to_numpy()
        n_dil = len(np.unique(x))
        row = {
            "target": target,
            "slope": np.nan,
            "intercept": np.nan,
            "r2": np.nan,
            "efficiency": np.nan,
            "efficiency_percent": np.nan,
            "n_wells": len(g),
            "n_dilutions": n_dil,
            "fit_ok": False,
            "message": "",
        }
        if n_dil < 2:
            row["message"] = "fewer than 2 dilutions: no slope"
        else:
            fit = stats.linregress(x, y)
            e = 10 ** (-1.0 / fit.slope) if fit.slope < 0 else np.nan
            row.update(
                slope=fit.slope,
                intercept=fit.intercept,
                r2=fit.rvalue**2,
                efficiency=e,
                efficiency_percent=(e - 1) * 100,
                fit_ok=bool(np.isfinite(e)),
            )
            notes = []
            if not np.isfinite(e):
                notes.append("Ct does not fall with quantity (slope >= 0)")
            elif not EFFICIENCY_RANGE[0] <= e <= EFFICIENCY_RANGE[1]:
                notes.append(f"efficiency {(e - 1) * 100:.1f} % outside 90-110 %")
            if n_dil < 3:
                notes.append("fewer than 3 dilutions")
            row["message"] = "; ".join(notes)
        rows.append(row)
    return pd.DataFrame(rows)


def _efficiencies(
    df: pd.DataFrame,
    genes: list[str],
    method: str,
    efficiency: Mapping[str, float] | pd.DataFrame | str | None,
    where: str,
    notes: list[str],
) -> tuple[dict[str, float], str, pd.DataFrame | None]:
    """Efficiencies per gene, the method used and the estimate table (if any). Implausible values
    from the table's efficiency column are ignored with a note (appended to ``notes``); given
    ones are an error."""
    table = None
    given: dict[str, float] = {}
    if isinstance(efficiency, str):
        if efficiency != "estimate":
            raise AnalysisError(
                f"efficiency '{efficiency}' is not known; expected 'estimate', "
                "a {target: E} mapping or an estimate_efficiency() table"
            )
        table = estimate_efficiency(df, targets=genes, where=where)
        given = dict(zip(table["target"], table["efficiency"], strict=True))
    elif isinstance(efficiency, pd.DataFrame):
        table = efficiency
        given = dict(zip(efficiency["target"], efficiency["efficiency"], strict=True))
    elif efficiency is not None:
        given = {str(k): float(v) for k, v in efficiency.items()}
    elif "efficiency" in df and pd.to_numeric(df["efficiency"], errors="coerce").notna().any():
        eff = df.assign(efficiency=pd.to_numeric(df["efficiency"], errors="coerce"))
        column = eff.dropna(subset=["efficiency"]).groupby("target")["efficiency"].mean()
        for k, v in column.items():
            if k in genes and not 1.0 < v <= 2.5:
                notes.append(
                    f"efficiency {v:g} of target '{k}' in the file is not an amplification factor "
                    "(1 < E <= 2.5): ignored"
                )
        given = {k: v for k, v in column.items() if 1.0 < v <= 2.5}
    given = {k: float(v) for k, v in given.items() if k in genes and np.isfinite(v)}
    for k, v in given.items():
        if not 1.0 < v <= 2.5:
            hint = (
                " It looks like a percentage: divide by 100 and add 1."
                if v > 10
                else " It looks like a fraction: add 1."
                if 0 < v <= 1
                else ""
            )
            raise AnalysisError(
                f"{where}: efficiency {v:g} for target '{k}' is not an "
                f"amplification factor (expected 1 < E <= 2.5, 2 = 100 %).{hint}"
            )
    if method == "auto":
        method = "pfaffl" if all(g in given for g in genes) else "livak"
    if method == "livak":
        return dict.fromkeys(genes, LIVAK_EFFICIENCY), "livak", table
    if method != "pfaffl":
        raise AnalysisError(
            f"method '{method}' is not known; expected auto, livak or pfaffl."
            f"{did_you_mean(method, ('auto', 'livak', 'pfaffl'))}"
        )
    missing = [g for g in genes if g not in given]
    if missing:
        raise AnalysisError(
            f"{where}: no efficiency for target(s) {', '.join(missing)}; give "
            "efficiency={'GENE': 1.95}, an efficiency column, or a dilution "
            "series (task 'standard' with quantity) and efficiency='estimate'"
        )
    return given, "pfaffl", table
