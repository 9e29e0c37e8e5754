"""Report sections and figures of a screen analysis (computes nothing; reads ScreenResults).

The report leads with the answer and scales with the screen: first the IL7 strata (when the screen
has -/+IL7 pairs), a sample x drug AUC heatmap and what was flagged (plates and curves, with the
reasons counted); then the Fig. 5B regressions and the curves; last the plate QC as ONE figure
across all plates, the failing plates listed, and a heatmap of every plate behind a click (tiny
one-pixel-per-well images, so a 1,837-plate screen stays a few MB).
"""

from __future__ import annotations

import re

import pandas as pd
from matplotlib.figure import Figure

from tallrx import progress
from tallrx.plots.scores import dss_heatmap, dss_waterfall, ranking_score
from tallrx.plots.screen import (
    auc_distribution,
    auc_heatmap,
    dose_response_panels,
    paired_auc_plot,
    plate_heatmap,
    plate_qc_summary,
    plate_qc_table,
    plate_thumbnails,
    regression_plot,
)
from tallrx.report.html import Section, escape, figure_to_data_uri, table_to_html, thumbnail_grid
from tallrx.workflows.screen import OWN, ScreenResults

#: samples whose DSS waterfall is drawn in the report (the heatmap and curves.csv hold all)
MAX_WATERFALLS = 12
#: full-size heatmaps written as figures/qc_plate_*.png (failing plates first)
MAX_HEATMAPS = 6
#: flag reasons listed in the report (the rest are counted together)
MAX_REASONS = 15
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def file_stem(name: object) -> str:
    """``name`` usable as a file name ('8/22/2023 10:50 AM' -> '8_22_2023_10_50_AM')."""
    return _UNSAFE.sub("_", str(name)).strip("._") or "x"


def _own(res: ScreenResults) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The viability and curves normalized to each condition's own vehicle."""
    own = res.viability[res.viability["reference"] == OWN] \
        if "reference" in res.viability else res.viability
    return own, res.curves[res.curves["reference"] == OWN]


def _failing_plates(res: ScreenResults) -> list:
    return res.qc.loc[res.qc["qc_pass"].eq(False).fillna(False), "plate"].unique().tolist()


def screen_figures(res: ScreenResults) -> dict[str, Figure]:
    """Every figure of the screen by file stem (PNG names under OUT/figures/)."""
    figs: dict[str, Figure] = {}
    own, own_curves = _own(res)
    failing = _failing_plates(res)
    plates = (failing + [p for p in res.wells["plate"].unique() if p not in failing])[:MAX_HEATMAPS]
    with progress.task("drawing figures", total=5 + len(res.regression) + len(plates),
                       unit="figures") as task:
        if len(res.strata):
            figs["fig1d_paired_auc"] = paired_auc_plot(
                res.strata, drug=res.meta.get("drug", "prednisolone"))
        task.advance()
        if len(own_curves):
            figs["auc_heatmap"] = auc_heatmap(own_curves, condition=res.condition)
        task.advance()
        figs.update(_dss_figures(own_curves))
        samples = list(dict.fromkeys(own["sample"]))
        if samples:
            figs["dose_response_first_samples"] = dose_response_panels(
                own, own_curves, samples=samples[:3], color_by=res.condition, max_panels=15,
                ncols=5)
        task.advance()
        where = {res.condition: 0} if res.condition else None
        figs["fig5a_auc_per_drug"] = auc_distribution(own_curves, where=where)
        task.advance()
        for fit in res.regression.to_dict("records"):
            drug = fit["drug_a"]
            pts = res.regression_points[res.regression_points["drug_a"] == drug]
            figs[f"fig5b_delta_auc_{file_stem(drug)}"] = regression_plot(
                pts, fit, x="enhanced_viability", title=f"{drug}: IL7-dependent resistant samples")
            task.advance()
        if len(res.qc):
            figs["qc_plates"] = plate_qc_summary(res.qc)
        task.advance()
        for plate in plates:
            stem = f"qc_plate_{file_stem(plate)}"
            while stem in figs:  # two plate ids that differ only in unsafe characters
                stem += "_"
            figs[stem] = plate_heatmap(res.wells, plate)
            task.advance()
    return figs


def _qc_summary(qc: pd.DataFrame, per_plate: pd.DataFrame) -> str:
    n = len(qc)
    failed = int(qc["qc_pass"].eq(False).fillna(False).sum())
    unknown = int(qc["qc_pass"].isna().sum())
    bad = int(per_plate["qc_pass"].eq(False).fillna(False).sum())
    return (f"{len(per_plate)} plates, {bad} failing QC. {n} plate x sample x condition groups; "
            f"{n - failed - unknown} pass QC, {failed} fail, {unknown} could not be assessed "
            "(missing controls). Failing wells are flagged (exclude + reason), never deleted.")


def _picked(figs: dict, *prefixes: str) -> list:
    return [(k, v) for k, v in figs.items() if k.startswith(prefixes)]


def _flag_reasons(curves: pd.DataFrame) -> pd.DataFrame:
    """Counts of the reasons in the flagged curves' messages (``reason``, ``curves``)."""
    flagged = curves[curves["message"].fillna("").astype(str) != ""]
    reasons = flagged["message"].astype(str).str.split("; ").explode()
    reasons = reasons.str.replace(r"[-+]?\d[\d.,eE+-]*", "#", regex=True)  # numbers vary per curve
    counts = reasons.value_counts()
    table = counts.head(MAX_REASONS).rename_axis("reason").reset_index(name="curves")
    if len(counts) > MAX_REASONS:
        rest = pd.DataFrame({"reason": [f"({len(counts) - MAX_REASONS} other reasons)"],
                             "curves": [int(counts.iloc[MAX_REASONS:].sum())]})
        table = pd.concat([table, rest], ignore_index=True)
    return table


def _dss_figures(own_curves: pd.DataFrame) -> dict[str, Figure]:
    """The cohort DSS heatmap and the first samples' drug waterfalls (none without DSS)."""
    if "dss2" not in own_curves or not own_curves["dss2"].notna().any():
        return {}
    score = ranking_score(own_curves)
    figs = {"dss_heatmap": dss_heatmap(own_curves, score=score)}
    for sample in list(dict.fromkeys(own_curves["sample"]))[:MAX_WATERFALLS]:
        figs[f"dss_waterfall_{file_stem(sample)}"] = dss_waterfall(own_curves, sample, score=score)
    return figs


def _dss_section(figs: dict, own_curves: pd.DataFrame) -> list[Section]:
    """Drugs ranked by (selective) DSS per sample, the classic ex-vivo screening view."""
    if "dss_heatmap" not in figs:
        return []
    score = ranking_score(own_curves)
    n = own_curves["sample"].nunique()
    what = ("selective DSS (sdss = DSS2 minus the healthy donors' mean; > 0: more sensitive than "
            "healthy cells)" if score == "sdss" else "DSS2 (Yadav et al. 2014; give healthy "
            "donors' DSS with --controls to rank by selective DSS)")
    shown = min(n, MAX_WATERFALLS)
    return [Section(
        "Drug sensitivity scores",
        f"Drugs ranked by {what}. The heatmap shows every sample; waterfalls of the first {shown} "
        f"of {n} samples follow (curves.csv holds dss1-3 for all). DSS integrates the DSS's own "
        "constrained fit above 10 % inhibition over the tested range (docs: Ex-vivo scores).",
        figures=_picked(figs, "dss_heatmap", "dss_waterfall"))]


def _answer_sections(res: ScreenResults, figs: dict, own_curves: pd.DataFrame,
                     per_plate: pd.DataFrame) -> list[Section]:
    """What the screen found, first: strata, the AUC heatmap, the flags."""
    sections = []
    if len(res.strata):
        s = res.strata
        n_resp = int(s["il7_responsive"].fillna(False).astype(bool).sum())
        n_dep = int(s["il7_dependent_resistant"].fillna(False).astype(bool).sum())
        sections.append(Section(
            "IL7 stratification",
            f"{n_resp} of {len(s)} samples are IL7-responsive (AUC(+IL7)/AUC(-IL7) > "
            f"{res.meta['fold']:g}, +IL7 normalized to the -IL7 vehicle) "
            f"({100 * n_resp / max(len(s), 1):.0f} %; the paper found 12 of 46, 26 %); {n_dep} are "
            f"IL7-dependent steroid resistant (also AUC(+IL7) >= {res.meta['min_auc']:g}). p_* "
            "columns are bootstrap probabilities of each call over replicate wells.",
            figures=_picked(figs, "fig1d"), tables={"strata": s}))
    n_s, n_d = own_curves["sample"].nunique(), own_curves["drug_a"].nunique()
    sections.append(Section(
        "AUC per sample and drug",
        f"{n_s} samples x {n_d} drugs (each condition normalized to its own vehicle). AUC is the "
        "trapezoid of mean % viability over log10 concentration (uM); a 4-log window has a "
        "maximum of 400. Samples sorted by mean AUC (most resistant on top).",
        figures=_picked(figs, "auc_heatmap", "fig5a")))
    sections.extend(_dss_section(figs, own_curves))
    flagged = own_curves[~own_curves["fit_ok"].astype(bool)
                         | (own_curves["message"].fillna("").astype(str) != "")]
    failing = per_plate[per_plate["qc_pass"].eq(False).fillna(False)]
    cols = [c for c in ["sample", "drug_a", res.condition, "n", "auc", "fit_ok", "message"]
            if c and c in flagged]
    tables = {}
    if len(failing):
        tables["plates failing QC"] = failing
    if len(flagged):
        tables["reasons (curves per reason; numbers shown as #)"] = _flag_reasons(flagged)
        tables["flagged curves"] = flagged[cols]
    sections.append(Section(
        "Flagged plates and curves",
        f"{len(failing)} of {len(per_plate)} plates fail QC; {len(flagged)} of {len(own_curves)} "
        "curves are flagged (not fitted, flat, an estimate at its bound or left-out points; the "
        "message says why). The full lists are qc.csv and curves.csv." if len(flagged) or
        len(failing) else f"No plate fails QC and none of the {len(own_curves)} curves is "
        "flagged.", tables=tables))
    return sections


def _thumbs(res: ScreenResults, per_plate: pd.DataFrame) -> dict[str, str]:
    """Every plate's heatmap, failing plates first, behind one click."""
    order = pd.concat([per_plate[per_plate["qc_pass"].eq(False).fillna(False)],
                       per_plate[~per_plate["qc_pass"].eq(False).fillna(False)]])
    pngs = plate_thumbnails(res.wells, order["plate"].tolist())
    if not pngs:
        return {}
    shapes = res.wells.groupby("plate", sort=False, observed=True)[["row", "col"]].max()
    big = bool((shapes["col"] > 24).any())
    scale = 3 if big else 5
    width, height = (48 * scale, 32 * scale) if big else (24 * scale, 16 * scale)
    items = []
    for r in order.itertuples(index=False):
        if r.plate in pngs:
            fails = r.qc_pass is not pd.NA and r.qc_pass is not None and not bool(r.qc_pass)
            state = "fails QC: " + (r.failing or "see qc.csv") if fails else "passes QC"
            items.append((str(r.plate), pngs[r.plate],
                          f"plate {r.plate}: worst Z' {r.z_prime:.2f}, worst vehicle CV "
                          f"{r.vehicle_cv:.1f} %, {state}"))
    summary = (f"Heatmaps of all {len(items)} plates (raw signal scaled per plate; red: excluded "
               "wells; failing plates first; hover for the QC numbers)")
    return {summary: thumbnail_grid(items, width=width, height=height)}


def screen_sections(res: ScreenResults, figs: dict[str, Figure | bytes]) -> list[Section]:
    """The report sections of a screen, using figures from :func:`screen_figures` (the answer
    first, plate QC last)."""
    _, own_curves = _own(res)
    per_plate = plate_qc_table(res.qc) if len(res.qc) else pd.DataFrame(
        columns=["plate", "n_groups", "z_prime", "vehicle_cv", "qc_pass", "failing"])
    n_fail = int((~own_curves["fit_ok"].astype(bool)).sum())
    curve_cols = [c for c in ["sample", "drug_a", res.condition, "n", "ic50", "hill", "top",
                              "bottom", "auc", "auc_fit", "auc_max", "r2", "fit_ok", "message"]
                  if c and c in own_curves]
    sections = _answer_sections(res, figs, own_curves, per_plate)
    if len(res.regression):
        sections.append(Section(
            "Delta AUC vs IL7-enhanced viability (Fig. 5B)",
            "Delta AUC = AUC(drug, +IL7) / AUC(drug, -IL7), each normalized to its own vehicle, "
            "regressed on IL7-enhanced viability in the IL7-dependent steroid-resistant samples "
            "(ordinary least squares).",
            figures=_picked(figs, "fig5b"),
            tables={"regression": res.regression,
                    "IL7-enhanced viability": res.enhanced}))
    sections.append(Section(
        "Dose-response curves",
        f"{len(own_curves)} curves fitted (four-parameter log-logistic, each condition "
        f"normalized to its own vehicle); {n_fail} not fitted. The panels show the first samples; "
        "every curve is in curves.csv.",
        figures=_picked(figs, "dose_response"),
        tables={"curves": own_curves[curve_cols]}))
    heatmaps = _picked(figs, "qc_plate_")
    details = _thumbs(res, per_plate)
    if heatmaps:
        details[f"Full-size heatmaps of {len(heatmaps)} plates (failing first)"] = "".join(
            f'<figure><img loading="lazy" alt="{escape(name)}" src="{figure_to_data_uri(fig)}">'
            f"<figcaption>{escape(name)}</figcaption></figure>" for name, fig in heatmaps)
    sections.append(Section(
        "Plate QC", _qc_summary(res.qc, per_plate),
        figures=_picked(figs, "qc_plates"),
        html=table_to_html(per_plate, max_rows=30) if len(per_plate) <= 30 else "",
        tables={"QC per plate and group": res.qc}, details=details))
    return sections

