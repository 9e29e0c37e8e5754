"""The screen workflow: plate files -> wells -> QC -> viability -> curves -> IL7 strata.

Two normalizations are kept side by side, as the paper needs both (DESIGN.md):
- ``reference == "own"``: every condition relative to its own vehicle wells (drug sensitivity per
  condition; the delta-AUC analysis of Fig. 5B);
- ``reference == "il7=0"``: +IL7 wells relative to the -IL7 vehicle ("IL7-enhanced viability";
  prednisolone AUC can exceed 400, Fig. 1D), used for the IL7 stratification.
The curves table carries the ``reference`` column, so every AUC states its normalization.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from tallrx.analysis.doseresponse import fit_dose_response
from tallrx.analysis.stratify import (
    IL7_DEPENDENT_MIN_AUC,
    IL7_RESPONSIVE_FOLD,
    delta_auc_regression,
    il7_enhanced_viability,
    stratify_il7,
)
from tallrx.io.plates import read_plates
from tallrx.tidy.normalize import normalize_viability
from tallrx.tidy.qc import QCThresholds, plate_qc

__all__ = ["ScreenResults", "run_screen", "analyze_wells"]

OWN = "own"


@dataclass(frozen=True)
class ScreenResults:
    """Every table of a screen analysis (all tidy DataFrames; concentrations in uM)."""

    wells: pd.DataFrame
    viability: pd.DataFrame
    qc: pd.DataFrame
    curves: pd.DataFrame
    strata: pd.DataFrame = field(default_factory=pd.DataFrame)
    enhanced: pd.DataFrame = field(default_factory=pd.DataFrame)
    regression_points: pd.DataFrame = field(default_factory=pd.DataFrame)
    regression: pd.DataFrame = field(default_factory=pd.DataFrame)
    condition: str | None = None
    meta: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables written as CSV files, by file stem (wells, viability, qc, curves, ...)."""
        out = {"wells": self.wells, "viability": self.viability, "qc": self.qc,
               "curves": self.curves, "strata": self.strata}
        if len(self.enhanced):
            out["il7_enhanced_viability"] = self.enhanced
        if len(self.regression):
            out["delta_auc_points"] = self.regression_points
            out["delta_auc_regression"] = self.regression
        return out


def _has_il7_pairs(wells: pd.DataFrame, condition: str) -> bool:
    if condition not in wells.columns:
        return False
    dose = pd.to_numeric(wells[condition], errors="coerce")
    return bool((dose == 0).any() and (dose > 0).any())


def analyze_wells(
    wells: pd.DataFrame,
    *,
    condition: str = "il7",
    drug: str = "prednisolone",
    fold: float = IL7_RESPONSIVE_FOLD,
    min_auc: float = IL7_DEPENDENT_MIN_AUC,
    window: tuple[float, float] | None = None,
    thresholds: QCThresholds | None = None,
    n_boot: int = 200,
    seed: int = 0,
) -> ScreenResults:
    """Analyze a ``wells`` table (measured or simulated alike) into :class:`ScreenResults`."""
    qc, flagged = plate_qc(wells, thresholds=thresholds or QCThresholds())
    viability = normalize_viability(flagged)
    curves = fit_dose_response(viability, window=window).table.assign(reference=OWN)
    if not _has_il7_pairs(wells, condition):
        return ScreenResults(wells, viability, qc, curves, condition=None)

    il7_ref = normalize_viability(flagged, reference_condition={condition: 0})
    viability = pd.concat([viability, il7_ref], ignore_index=True)
    ref_curves = fit_dose_response(il7_ref, window=window).table
    ref_label = f"{condition}=0"
    curves = pd.concat([curves, ref_curves.assign(reference=ref_label)], ignore_index=True)
    strata = stratify_il7(ref_curves, condition=condition, drug=drug, fold=fold, min_auc=min_auc,
                          viability=il7_ref, n_boot=n_boot, seed=seed)
    enhanced = il7_enhanced_viability(il7_ref, condition=condition)
    own_curves = curves[curves["reference"] == OWN]
    points, fits = [], []
    dependent = strata.table.loc[strata.table["il7_dependent_resistant"].fillna(False).astype(bool),
                                 "sample"].tolist()
    for other in sorted(set(own_curves["drug_a"]) - {drug}):
        reg = delta_auc_regression(own_curves, enhanced, drug=other, condition=condition,
                                   samples=dependent)
        points.append(reg.table.assign(drug_a=other))
        fits.append(reg.extra["fit"].rename(columns={"drug": "drug_a"}))
    return ScreenResults(
        wells, viability, qc, curves, strata.table, enhanced,
        pd.concat(points, ignore_index=True) if points else pd.DataFrame(),
        pd.concat(fits, ignore_index=True) if fits else pd.DataFrame(),
        condition=condition,
        meta={"fold": fold, "min_auc": min_auc, "drug": drug, "n_boot": n_boot, "seed": seed,
              "dependent_samples": dependent},
    )


def run_screen(layout, files: Sequence[str | os.PathLike], *, format: str | None = None,
               unit: str | None = None, **options) -> ScreenResults:
    """Read a layout and plate-reader files and analyze them (see :func:`analyze_wells`)."""
    wells = read_plates(layout, list(files), format=format, unit=unit)
    return analyze_wells(wells, **options)
