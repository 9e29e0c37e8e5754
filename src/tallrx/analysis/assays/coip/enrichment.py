"""Interactors and control-IP enrichment of a co-IP experiment.

Interactors are proteins seen (iBAQ > 0) in every replicate of the reference condition; with
control IPs (bait IgG / beads / mock) in the table they must also be enriched over the control.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from tallrx.analysis.assays._levels import same_level as _same
from tallrx.analysis.assays.coip.proteins import (
    _conditions,
    _is_control,
    _matrix,
    _sample_table,
    resolve_protein,
)
from tallrx.errors import AnalysisError, did_you_mean
from tallrx.schema import validate

__all__ = ["MIN_ENRICHMENT", "control_enrichment", "find_interactors"]

#: Minimum fold enrichment over control IPs for a protein to count as enriched.
MIN_ENRICHMENT = 2.0


def find_interactors(
    coip: pd.DataFrame,
    reference: Mapping[str, object],
    *,
    bait: str | None = None,
    where: str = "co-IP table",
) -> list[str]:
    """Proteins detected (ibaq > 0) in every replicate of the ``reference`` condition.

    Parameters
    ----------
    coip
        The tidy ``coip`` table.
    reference
        Condition columns to values, e.g. ``{"dox": "-", "prednisolone": 0}``.
    bait
        The bait (left out of the list); default: the ``bait`` column of the matched samples.
    where
        The table's name for error messages.

    Returns
    -------
    list of str
        The interactors' protein names, sorted; the bait itself is not listed.
    """
    validate(coip, "coip", where=where)
    mask = pd.Series(True, index=coip.index)
    for col, value in reference.items():
        if col not in coip.columns:
            raise AnalysisError(
                f"{where}: no condition column '{col}'.{did_you_mean(col, _conditions(coip))}"
            )
        mask &= coip[col].map(lambda v, value=value: _same(v, value))
    sub = coip[mask & ~_is_control(coip["bait"], None)]
    if sub.empty:
        raise AnalysisError(f"{where}: no samples match the reference condition {dict(reference)}")
    seen = sub.assign(seen=sub["ibaq"].fillna(0) > 0).groupby("protein")["seen"].all()
    baits = {
        resolve_protein(str(b), seen.index.tolist(), where=where)
        for b in ([bait] if bait else sub["bait"].dropna().unique())
    }
    return sorted(p for p in seen.index[seen.to_numpy()] if p not in baits)


def control_enrichment(
    coip: pd.DataFrame,
    *,
    control_bait: str | None = None,
    min_enrichment: float = MIN_ENRICHMENT,
    where: str = "co-IP table",
) -> pd.DataFrame:
    """Enrichment of each protein in bait IPs over control IPs (IgG / beads) per condition group.

    Controls with the same condition values are used when present, else all controls.

    Parameters
    ----------
    coip
        The tidy ``coip`` table with at least one control IP.
    control_bait
        One more bait name that marks a control IP (besides IgG, beads, mock, ...).
    min_enrichment
        Fold (IP / control mean iBAQ) from which a protein counts as enriched.
    where
        The table's name for error messages.

    Returns
    -------
    pandas.DataFrame
        One row per condition group x protein, columns:

        - ``protein``, then the condition columns;
        - ``ip_mean``, ``control_mean``: mean iBAQ in the bait / control IPs (not detected = 0);
        - ``log2_enrichment``: log2(ip_mean / control_mean), inf when absent from the controls;
        - ``p_value``: Welch t-test on log2(iBAQ + 1);
        - ``enriched``: log2_enrichment >= log2(``min_enrichment``);
        - ``controls``: the control samples used, ';'-separated.
    """
    validate(coip, "coip", where=where)
    conds = _conditions(coip)
    ctrl_mask = _is_control(coip["bait"], control_bait)
    if not ctrl_mask.any():
        raise AnalysisError(
            f"{where}: no control IPs (bait IgG / beads / mock); enrichment needs at least one"
        )
    ip = coip[~ctrl_mask]
    samples = _sample_table(coip, conds, where)
    mat = _matrix(coip, samples, where)
    mat = mat.where(mat > 0, 0.0)  # not detected, or an impossible negative iBAQ
    is_ctrl = _is_control(samples["bait"], control_bait).to_numpy()
    groups = ip[conds].drop_duplicates() if conds else pd.DataFrame(index=[0])
    out = []
    for _, g in groups.iterrows():

        def match(frame: pd.DataFrame, g=g) -> np.ndarray:
            m = np.ones(len(frame), bool)
            for c in conds:
                m &= frame[c].map(lambda v, t=g[c]: _same(v, t)).to_numpy()
            return m

        ip_cols = match(samples) & ~is_ctrl
        ctrl_cols = match(samples) & is_ctrl
        if not ctrl_cols.any():
            ctrl_cols = is_ctrl
        a, b = mat.to_numpy()[:, ip_cols], mat.to_numpy()[:, ctrl_cols]
        with np.errstate(divide="ignore", invalid="ignore"):
            log2e = np.log2(a.mean(1) / b.mean(1))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            p = stats.ttest_ind(np.log2(a + 1), np.log2(b + 1), axis=1, equal_var=False).pvalue
        frame = pd.DataFrame(
            {
                "protein": mat.index,
                "ip_mean": a.mean(1),
                "control_mean": b.mean(1),
                "log2_enrichment": log2e,
                "p_value": p,
                "enriched": np.nan_to_num(log2e, nan=-np.inf) >= np.log2(min_enrichment),
                "controls": ";".join(samples["sample"][ctrl_cols]),
            }
        )
        for c in conds:
            frame.insert(1, c, g[c])
        out.append(frame)
    return pd.concat(out, ignore_index=True)


def _enriched_in(
    enrichment: pd.DataFrame, proteins: np.ndarray, group: Mapping[str, object]
) -> np.ndarray:
    """Per protein: enriched over the controls in the condition group ``group``."""
    m = pd.Series(True, index=enrichment.index)
    for c, v in group.items():
        m &= enrichment[c].map(lambda x, v=v: _same(x, v))
    sub = enrichment[m].set_index("protein")["enriched"]
    return sub.reindex(proteins).fillna(False).to_numpy(bool)
