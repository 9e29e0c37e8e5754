"""Report sections and figures of a screen analysis (computes nothing; reads ScreenResults)."""

from __future__ import annotations

import re

import pandas as pd
from matplotlib.figure import Figure

from tallrx.plots.screen import (
    auc_distribution,
    dose_response_panels,
    paired_auc_plot,
    plate_heatmap,
    regression_plot,
)
from tallrx.report.html import Section
from tallrx.workflows.screen import OWN, ScreenResults

MAX_HEATMAPS = 6
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def file_stem(name: object) -> str:
    """``name`` usable as a file name ('8/22/2023 10:50 AM' -> '8_22_2023_10_50_AM')."""
    return _UNSAFE.sub("_", str(name)).strip("._") or "x"


def screen_figures(res: ScreenResults) -> dict[str, Figure]:
    """Every figure of the screen by file stem (PNG names under OUT/figures/)."""
    figs: dict[str, Figure] = {}
    own = res.viability[res.viability.get("reference", OWN) == OWN] \
        if "reference" in res.viability else res.viability
    own_curves = res.curves[res.curves["reference"] == OWN]
    samples = list(dict.fromkeys(own["sample"]))
    if samples:
        figs["dose_response_first_samples"] = dose_response_panels(
            own, own_curves, samples=samples[:3], color_by=res.condition, max_panels=15, ncols=5)
    if len(res.strata):
        figs["fig1d_paired_auc"] = paired_auc_plot(res.strata, drug=res.meta.get("drug",
                                                                                "prednisolone"))
    where = {res.condition: 0} if res.condition else None
    figs["fig5a_auc_per_drug"] = auc_distribution(own_curves, where=where)
    for fit in res.regression.to_dict("records"):
        drug = fit["drug_a"]
        pts = res.regression_points[res.regression_points["drug_a"] == drug]
        figs[f"fig5b_delta_auc_{file_stem(drug)}"] = regression_plot(
            pts, fit, x="enhanced_viability", title=f"{drug}: IL7-dependent resistant samples")
    failing = res.qc.loc[res.qc["qc_pass"].eq(False).fillna(False), "plate"].unique().tolist()
    for plate in (failing + [p for p in res.wells["plate"].unique() if p not in failing])[
            :MAX_HEATMAPS]:
        stem = f"qc_plate_{file_stem(plate)}"
        while stem in figs:  # two plate ids that differ only in unsafe characters
            stem += "_"
        figs[stem] = plate_heatmap(res.wells, plate)
    return figs


def _qc_summary(qc: pd.DataFrame) -> str:
    n = len(qc)
    failed = int(qc["qc_pass"].eq(False).fillna(False).sum())
    unknown = int(qc["qc_pass"].isna().sum())
    return (f"{n} plate x sample x condition groups; {n - failed - unknown} pass QC, {failed} "
            f"fail, {unknown} could not be assessed (missing controls). Failing wells are "
            "flagged (exclude + reason), never deleted.")


def screen_sections(res: ScreenResults, figs: dict[str, Figure | bytes]) -> list[Section]:
    """The report sections of a screen, using figures from :func:`screen_figures`."""
    own_curves = res.curves[res.curves["reference"] == OWN]
    n_fail = int((~own_curves["fit_ok"].astype(bool)).sum())
    curve_cols = [c for c in ["sample", "drug_a", res.condition, "n", "ic50", "hill", "top",
                              "bottom", "auc", "auc_fit", "auc_max", "r2", "fit_ok", "message"]
                  if c and c in own_curves]
    sections = [
        Section("Plate QC", _qc_summary(res.qc),
                figures=[(k, v) for k, v in figs.items() if k.startswith("qc_plate_")],
                tables={"QC per plate and group": res.qc}),
        Section("Dose-response curves",
                f"{len(own_curves)} curves fitted (four-parameter log-logistic, each condition "
                f"normalized to its own vehicle); {n_fail} flagged. AUC is the trapezoid of mean "
                "% viability over log10 concentration (uM); a 4-log window has a maximum of 400.",
                figures=[(k, v) for k, v in figs.items()
                         if k.startswith(("dose_response", "fig5a"))],
                tables={"curves": own_curves[curve_cols]}),
    ]
    if len(res.strata):
        s = res.strata
        n_resp = int(s["il7_responsive"].fillna(False).astype(bool).sum())
        n_dep = int(s["il7_dependent_resistant"].fillna(False).astype(bool).sum())
        sections.append(Section(
            "IL7 stratification",
            f"{n_resp} of {len(s)} samples are IL7-responsive (AUC(+IL7)/AUC(-IL7) > "
            f"{res.meta['fold']:g}, +IL7 normalized to the -IL7 vehicle) ({100 * n_resp / max(len(s), 1):.0f} %;"
            f" the paper found 12 of 46, 26 %); {n_dep} are IL7-dependent steroid resistant "
            f"(also AUC(+IL7) >= {res.meta['min_auc']:g}). p_* columns are bootstrap "
            "probabilities of each call over replicate wells.",
            figures=[(k, v) for k, v in figs.items() if k.startswith("fig1d")],
            tables={"strata": s}))
    if len(res.regression):
        sections.append(Section(
            "Delta AUC vs IL7-enhanced viability (Fig. 5B)",
            "Delta AUC = AUC(drug, +IL7) / AUC(drug, -IL7), each normalized to its own vehicle, "
            "regressed on IL7-enhanced viability in the IL7-dependent steroid-resistant samples "
            "(ordinary least squares).",
            figures=[(k, v) for k, v in figs.items() if k.startswith("fig5b")],
            tables={"regression": res.regression,
                    "IL7-enhanced viability": res.enhanced}))
    return sections
