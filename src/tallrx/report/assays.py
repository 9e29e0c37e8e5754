"""Report sections of the molecular assays: co-IP (Fig. 4A), RT-qPCR (Fig. 3A-B), blots (Fig. 1C/2).

Each ``*_section(result)`` returns a :class:`~tallrx.report.html.Section`; ``*_figures(result)``
returns the figures by file stem (the CLI saves them as PNG and passes them back in as
``figures``; without them a section draws its own). Computes nothing new. Intros are plain
text (the template escapes them); only ``html`` holds markup.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tallrx._result import Result
from tallrx.plots.assays import (
    binding_bars,
    blot_bars,
    blot_image_overlay,
    expression_bars,
    volcano,
)
from tallrx.report.html import Section, escape

__all__ = [
    "blot_figures",
    "blot_section",
    "coip_figures",
    "coip_section",
    "qpcr_figures",
    "qpcr_section",
]


def _fig_items(figures: Mapping[str, Figure]) -> list[tuple[str, Figure]]:
    """(caption, figure) pairs: the file stem with spaces."""
    return [(name.replace("_", " "), fig) for name, fig in figures.items()]


# --------------------------------------------------------------------------- co-IP
def coip_figures(result: Result) -> dict[str, Figure]:
    """Fig. 4A bars of the lost binders and a volcano plot per comparison.

    Returns
    -------
    dict of str to matplotlib.figure.Figure
        By file stem: ``fig4a_binding``, ``volcano``.
    """
    return {"fig4a_binding": binding_bars(result.table), "volcano": volcano(result.table)}


def coip_section(result: Result, figures: Mapping[str, Figure] | None = None) -> Section:
    """Section for a :func:`tallrx.analysis.assays.coip.score_binding` result.

    Returns
    -------
    Section
        Title, intro text, the figures and the tables 'lost binders (both compared groups)' and
        'all proteins (test groups)' (binding.csv columns without ratios, group, direction).
    """
    figures = coip_figures(result) if figures is None else figures
    t = result.table
    test = t[t["group"] == "test"]
    meta = result.meta
    lost = test[test["lost_binding"].astype(bool)]
    per_comp = lost.groupby("comparison", sort=False)["protein"].apply(
        lambda s: ", ".join(sorted(s))
    )
    n_inter = test[test["interactor"].astype(bool)].groupby("comparison")["protein"].nunique()
    lines = "".join(
        f"<li>{escape(c)}: {int(n_inter.get(c, 0))} interactors; lost binding: "
        f"{escape(per_comp.get(c, 'none'))}</li>"
        for c in meta.get("comparisons", [])
    )
    intro = (
        f"Bait-normalized co-IP ({', '.join(meta.get('bait', []))}): each protein's iBAQ "
        "divided by the bait's iBAQ in the same sample (relative stoichiometry). Interactors are "
        "proteins seen in every replicate of the reference condition"
        f"{' and enriched over control IPs' if 'enrichment' in result.extra else ''}. "
        f"Statistics: {meta.get('test', '')}, {meta.get('fdr', '')}. Loss of binding: interactor,"
        f" {meta.get('consistency', '')}, and at least {meta.get('min_fold', 1):g}-fold lower."
    )
    if meta.get("samples_without_bait"):
        intro += (
            " Samples without a detected bait were left out: "
            f"{', '.join(meta['samples_without_bait'])}."
        )
    cols = [c for c in t.columns if c not in ("ratios", "group", "direction")]
    return Section(
        "Co-IP mass spectrometry: binding and loss of binding",
        intro,
        figures=_fig_items(figures),
        tables={
            "lost binders (both compared groups)": t[t["protein"].isin(lost["protein"])][cols],
            "all proteins (test groups)": test[cols],
        },
        html=f"<ul>{lines}</ul>",
    )


# --------------------------------------------------------------------------- qPCR
def qpcr_figures(result: Result) -> dict[str, Figure]:
    """Fig. 3A-B style grouped bars with the per-replicate values.

    Returns
    -------
    dict of str to matplotlib.figure.Figure
        By file stem: ``fig3_expression``.
    """
    return {
        "fig3_expression": expression_bars(result.table, replicates=result.extra.get("replicates"))
    }


def qpcr_section(result: Result, figures: Mapping[str, Figure] | None = None) -> Section:
    """Section for a :func:`tallrx.analysis.assays.qpcr.relative_expression` result.

    Returns
    -------
    Section
        Title, intro text, the figures and the tables 'relative expression' (expression.csv),
        'flagged wells' and 'efficiency from dilution series' when present.
    """
    figures = qpcr_figures(result) if figures is None else figures
    meta = result.meta
    base = ", ".join(f"{k}={v}" for k, v in meta.get("baseline", {}).items())
    method = (
        "Livak 2^-ddCt (efficiency 2)"
        if meta.get("method") == "livak"
        else "Pfaffl (efficiency-corrected; "
        + ", ".join(f"{g} E={e:.3f}" for g, e in meta.get("efficiency", {}).items())
        + ")"
    )
    intro = (
        f"{method}; reference gene(s): {', '.join(meta.get('reference_genes', []))}"
        f" ({meta.get('reference_term', '')}); baseline {base} = 1 within each "
        f"group of the other columns. Technical replicates: {meta.get('technical_replicates')}. "
        f"Error convention: {meta.get('error_convention', '')}. "
        f"{meta.get('n_flagged_wells', 0)} wells flagged (NTC, Undetermined, omitted, standards): "
        "see the flags table."
    )
    tables = {"relative expression": result.table}
    flags = result.extra.get("flags")
    if flags is not None and len(flags):
        tables["flagged wells"] = flags
    if "efficiency" in result.extra:
        tables["efficiency from dilution series"] = result.extra["efficiency"]
    return Section("RT-qPCR relative expression", intro, figures=_fig_items(figures), tables=tables)


# --------------------------------------------------------------------------- blots
def blot_figures(
    result: Result, *, image: np.ndarray | None = None, image_result: Result | None = None
) -> dict[str, Figure]:
    """Normalized band bars, phospho ratios, upper-band fractions and (for an image) the overlay.

    Returns
    -------
    dict of str to matplotlib.figure.Figure
        By file stem: ``blot_normalized``, and when present ``blot_phospho_ratio``,
        ``blot_upper_band_fraction``, ``blot_image_lanes_bands``.
    """
    figs = {"blot_normalized": blot_bars(result.table)}
    if "phospho" in result.extra:
        figs["blot_phospho_ratio"] = blot_bars(
            result.extra["phospho"], value="relative", by="pair", title="Phospho / total"
        )
    if "shift" in result.extra:
        figs["blot_upper_band_fraction"] = blot_bars(
            result.extra["shift"], value="fraction", by="pair", title="Upper-band fraction"
        )
    if image is not None and image_result is not None:
        figs["blot_image_lanes_bands"] = blot_image_overlay(
            image, image_result.extra["lanes"], image_result.extra["bands"]
        )
    return figs


def blot_section(
    result: Result,
    figures: Mapping[str, Figure] | None = None,
    *,
    image_result: Result | None = None,
) -> Section:
    """Section for a :func:`tallrx.analysis.assays.blots.analyze_blots` result.

    Parameters
    ----------
    image_result
        The :func:`~tallrx.analysis.assays.blots.quantify_blot_image` Result, when the bands
        came from an image.

    Returns
    -------
    Section
        Title, intro text, the figures and the tables 'bands' (bands.csv), 'phospho' and
        'shift' when present.
    """
    figures = blot_figures(result) if figures is None else figures
    meta = result.meta
    loading = meta.get("loading")
    intro = (
        "Band intensities "
        + (f"divided by the loading control {loading} in the same lane and " if loading else "")
        + "expressed relative to the reference lane of each blot ("
        + ", ".join(f"{b}: lane {ln}" for b, ln in meta.get("reference_lanes", {}).items())
        + ")."
    )
    if meta.get("phospho"):
        intro += " Phospho / total ratios: " + ", ".join("/".join(p) for p in meta["phospho"]) + "."
    if meta.get("shift"):
        intro += (
            " Mobility shift: fraction of the signal in the upper band ("
            + ", ".join(f"{u} over {u}+{lo}" for u, lo in meta["shift"])
            + ")."
        )
    if image_result is not None:
        im = image_result.meta
        intro += (
            f" Quantified from the image: {im['n_lanes']} lanes, {im['n_bands']} bands, "
            f"{im['background']}"
            f"{', image inverted (dark bands on light)' if im['inverted'] else ''}."
        )
    tables: dict[str, pd.DataFrame] = {"bands": result.table}
    for name in ("phospho", "shift"):
        if name in result.extra:
            tables[name] = result.extra[name]
    return Section("Western blot quantification", intro, figures=_fig_items(figures), tables=tables)
