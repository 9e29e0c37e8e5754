"""Report sections of ``tallrx twin``: one per patient (fits over the data, predicted surface
heatmap with intervals, the calls). Renders; computes nothing new."""

from __future__ import annotations

import numpy as np

from tallrx.plots.twin import twin_fit_panels, twin_surface_heatmaps
from tallrx.report.html import Section


def twin_sections(results) -> list[Section]:
    """One :class:`Section` per sample of a :class:`tallrx.workflows.twin.TwinResults`."""
    from tallrx.model.twin.summary import fit_bands

    out = []
    for sample, fit in results.fits.items():
        calls = results.calls[results.calls["sample"] == sample]
        params = results.parameters[results.parameters["sample"] == sample]
        surface = results.surface[results.surface["sample"] == sample]
        lines = []
        for r in calls.itertuples(index=False):
            lines.append(
                f"IL7 {r.il7:g} ng/ml: predicted CI {r.ci_median:.2f} "
                f"[{r.ci_lower:.2f}-{r.ci_upper:.2f}], Bliss {r.bliss_median:.1f} pp "
                f"[{r.bliss_lower:.1f}-{r.bliss_upper:.1f}], call {r.synergy_call} "
                f"(P synergy {r.p_synergy:.2f})"
            )
        dep = calls["p_il7_dependent_resistant"].iloc[0] if len(calls) else np.nan
        intro = (
            f"Twin of {sample}: {fit.n_simulated} simulated parameter sets, posterior ESS "
            f"{fit.ess:.0f}, tempering g = {fit.tempering:.3g} (1 = exact Bayes), well noise SD "
            f"{fit.obs.noise_sd:.1f} %. Prednisolone + selumetinib (Fig. 5C design, not measured): "
            + "; ".join(lines)
            + f". IL7-dependent steroid resistance: P = {dep:.2f}. Intervals are 90 % "
            "prediction intervals over the patient posterior and the plate noise."
        )
        shown = params[["parameter", "prior_median", "median", "lower", "upper", "width_ratio"]]
        out.append(
            Section(
                title=f"Twin {sample}",
                intro=intro,
                figures=[
                    ("single-agent fits over the data", twin_fit_panels(fit_bands(fit), sample)),
                    (
                        "predicted prednisolone x selumetinib matrix",
                        twin_surface_heatmaps(surface, sample),
                    ),
                ],
                tables={"parameters": shown.round(4), "calls": calls.round(4)},
            )
        )
    return out
