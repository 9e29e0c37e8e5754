"""Report section of the synergy analysis. Computes nothing new; scales to screens of any size.

The section leads with the answer: one summary figure of every block (window-mean CI by call, calls
against the paper's naive rule), the Fig. 5C dot plot when there are few drug-pair columns, then
the detailed figures (heatmaps, isobologram, Fa-CI, median-effect) of a few *featured* blocks only:
the strongest calibrated synergy calls and the scored blocks flagged by a failed fit. Any other
block is drawn on request (``synergy_figures(result, blocks=[{...}])``, or the plot functions of
:mod:`tallrx.plots.synergy`); every number is in the CSV tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tallrx._result import Result
from tallrx.analysis.synergy.tables import NOT_SCORED
from tallrx.plots.synergy import (
    SUMMARY_COLUMNS,
    block_keys,
    ci_dot_plot,
    fa_ci_plot,
    isobologram,
    median_effect_plot,
    score_heatmaps,
    synergy_summary,
)
from tallrx.report.html import Section, escape

__all__ = ["synergy_figures", "synergy_section", "featured_blocks"]

MAX_BLOCK_FIGURES = 3  # featured blocks of each kind (strongest synergy, flagged) drawn in detail
MAX_DOT_COLUMNS = 12  # the dot plot has one column per drug pair x condition; more: summary only


def featured_blocks(result: Result, max_blocks: int = MAX_BLOCK_FIGURES) -> pd.DataFrame:
    """The blocks the report draws in detail: up to ``max_blocks`` with the strongest calibrated
    synergy (lowest p-value, then lowest mean CI; without calibration the lowest mean CI) and up
    to ``max_blocks`` scored blocks whose fits failed (``fit_ok`` False).

    Returns
    -------
    pandas.DataFrame
        One row per featured block: its key columns (sample, conditions, drug_a, drug_b) and
        ``why`` (text: "strongest synergy" or "flagged: <message>").
    """
    t = result.table
    keys = block_keys(result)
    scored = t[t["call"].astype(str) != NOT_SCORED]
    ok = scored["fit_ok"].astype(bool)
    good = scored[ok].assign(
        _p=pd.to_numeric(scored["p_value"], errors="coerce").fillna(np.inf),
        _ci=pd.to_numeric(scored["ci_mean"], errors="coerce").fillna(np.inf),
    )
    top = good.sort_values(["_p", "_ci"], kind="stable").drop_duplicates(keys).head(max_blocks)
    top = top[keys].assign(why="strongest synergy")
    bad = scored[~ok].drop_duplicates(keys).head(max_blocks)
    bad = bad[keys].assign(why="flagged: " + bad["message"].astype(str))
    return pd.concat([top, bad], ignore_index=True)


def synergy_figures(
    result: Result,
    max_blocks: int = MAX_BLOCK_FIGURES,
    blocks: Sequence[Mapping] | None = None,
) -> dict[str, Figure]:
    """Figures by file stem: ``summary``, ``ci_dot_plot`` (at most ``MAX_DOT_COLUMNS`` drug-pair
    columns) and, per featured block (:func:`featured_blocks`) or per block of ``blocks`` (dicts
    of key column -> value), ``blockN_heatmaps`` / ``_isobologram`` / ``_fa_ci`` /
    ``_median_effect``."""
    figs: dict[str, Figure] = {}
    t = result.table
    has_ci = t["ci_mean"].notna().any()
    if len(t):
        figs["summary"] = synergy_summary(result)
    keys = block_keys(result)
    if has_ci and _n_columns(t, keys) <= MAX_DOT_COLUMNS:
        figs["ci_dot_plot"] = ci_dot_plot(result)
    chosen = featured_blocks(result, max_blocks) if blocks is None else pd.DataFrame(list(blocks))
    if chosen.empty:
        return figs
    small = _only(result, chosen[[k for k in keys if k in chosen.columns]])
    for i, (_, row) in enumerate(chosen.iterrows()):
        block = {k: row[k] for k in keys if k in chosen.columns}
        tag = f"block{i + 1}"
        figs[f"{tag}_heatmaps"] = score_heatmaps(small, block)
        if has_ci:
            figs[f"{tag}_isobologram"] = isobologram(small, block)
            figs[f"{tag}_fa_ci"] = fa_ci_plot(small, block)
            figs[f"{tag}_median_effect"] = median_effect_plot(small, block)
    return figs


def _n_columns(t: pd.DataFrame, keys: list[str]) -> int:
    """Columns of the dot plot: drug pairs x the first condition column."""
    conds = [c for c in keys if c not in ("sample", "drug_a", "drug_b")]
    return len(t[["drug_a", "drug_b", *conds[:1]]].drop_duplicates())


def _only(result: Result, chosen: pd.DataFrame) -> Result:
    """``result`` with its tables cut to the chosen blocks (figures then select in small tables)."""
    keys = list(chosen.columns)
    want = list(map(tuple, chosen.astype(str).to_numpy()))

    def cut(df: pd.DataFrame) -> pd.DataFrame:
        if df.empty or not set(keys) <= set(df.columns):
            return df
        return df[pd.MultiIndex.from_frame(df[keys].astype(str)).isin(want)]

    extra = {k: cut(v) if isinstance(v, pd.DataFrame) else v for k, v in result.extra.items()}
    return Result(kind=result.kind, table=cut(result.table), meta=result.meta, extra=extra)


def synergy_section(result: Result, figures: Mapping[str, Figure] | None = None) -> Section:
    """The synergy section: what was scored, how calls were made, the figures and the table
    (strongest evidence of synergy first; the CSV keeps the input order)."""
    t = result.table
    meta = result.meta
    call = meta.get("call", {})
    n_syn = int(t["call"].astype(str).str.contains("synergy").sum())
    naive = (
        int(t["naive_call"].astype(str).str.contains("synergy").sum()) if "naive_call" in t else 0
    )
    n_not = int((t["call"].astype(str) == NOT_SCORED).sum())
    n_flag = int((~t["fit_ok"].astype(bool)).sum()) - n_not
    skipped = f" ({n_not} block(s) not scored: see the message column)" if n_not else ""
    flagged = f" {n_flag} scored block(s) have a failed fit (fit_ok False)." if n_flag else ""
    intro = (
        f"{len(t) - n_not} combination(s) scored with {', '.join(meta.get('methods', []))}"
        f"{skipped}.{flagged} "
        f"Calibrated calls: {n_syn} synergy (null: {call.get('null', '')}; statistic "
        f"{call.get('statistic', '')}, alpha {call.get('alpha', '')}, {call.get('n_null', '')} null "
        f"plates per block). The paper's naive rule (mean CI < 0.8) would call {naive}. "
        "Bliss, HSA, Loewe and ZIP are percentage points of inhibition, > 0 = synergy; "
        "CI < 1 = synergy. Detailed figures: the strongest synergy calls and flagged blocks; "
        "every block is in combinations.csv and surface.csv."
    )
    conv = meta.get("conventions", {})
    html = "<ul>" + "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in conv.items())
    html += "</ul>"
    figs = figures if figures is not None else synergy_figures(result)
    hidden = {"ci_gmean", "ci_median", "ci_n", "noise_sd"}
    cols = [*block_keys(result), *(c for c in SUMMARY_COLUMNS if c in t and c not in hidden)]
    shown = t[list(dict.fromkeys(cols))].copy()
    shown = shown.loc[:, [c for c in shown.columns if not (shown[c].isna().all() and c == "ratio")]]
    order = np.lexsort(
        (
            pd.to_numeric(t["ci_mean"], errors="coerce").fillna(np.inf).to_numpy(),
            pd.to_numeric(t["p_value"], errors="coerce").fillna(np.inf).to_numpy(),
        )
    )
    shown = shown.iloc[order]
    return Section(
        title="Drug-combination synergy",
        intro=intro,
        figures=[(k.replace("_", " "), f) for k, f in figs.items()],
        tables={"combinations": shown.replace({np.nan: None})},
        html=html,
    )
