"""The screen workflow: plate files -> wells -> QC -> viability -> curves -> IL7 strata.

Two normalizations are kept side by side, as the paper needs both (docs/conventions.md):
- ``reference == "own"``: every condition relative to its own vehicle wells (drug sensitivity per
  condition; the delta-AUC analysis of Fig. 5B);
- ``reference == "il7=0"``: +IL7 wells relative to the -IL7 vehicle ("IL7-enhanced viability";
  prednisolone AUC can exceed 400, Fig. 1D), used for the IL7 stratification.
The curves table carries the ``reference`` column, so every AUC states its normalization.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from tallrx import progress, schema
from tallrx.analysis.doseresponse.batch import fit_dose_response
from tallrx.analysis.doseresponse.scores import DSS_THRESHOLD, add_scores
from tallrx.analysis.doseresponse.stratify import (
    IL7_DEPENDENT_MIN_AUC,
    IL7_RESPONSIVE_FOLD,
    delta_auc_regression,
    il7_enhanced_viability,
    stratify_il7,
)
from tallrx.errors import InputError, did_you_mean
from tallrx.io.plates.read import read_plates
from tallrx.tidy._wells import group_columns
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
    strata: pd.DataFrame = field(default_factory=lambda: schema.empty("strata"))
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


def _fit(viability: pd.DataFrame, window, what: str = "", dss_threshold=DSS_THRESHOLD,
         cluster: dict | None = None) -> pd.DataFrame:
    """Curves of ``viability``, plus a flagged row (fit_ok False, n 0, message) for every curve
    whose wells are all excluded (a failed plate), so no curve silently disappears."""
    with progress.task(f"fitting curves{what}", unit="curves") as task:
        curves = fit_dose_response(viability, window=window, dss_threshold=dss_threshold,
                                   **(cluster or {})).table
        if task.done == 0:  # the fitter did not count: the whole batch is done at once
            task.set_total(len(curves))
            task.advance(len(curves))
    keys = ["sample", "drug_a", *group_columns(viability, None, where="viability")]
    treated = viability[viability["role"].eq("treated") & viability["drug_b"].fillna("").eq("")]
    groups = treated.groupby(keys, dropna=False, sort=False)["exclude_reason"].agg(
        lambda r: r.value_counts().index[0] if len(r) else "")
    groups = groups.rename("_why").reset_index()
    if curves.empty:
        lost = groups
    else:
        seen = groups.merge(curves[keys].drop_duplicates(), on=keys, how="left", indicator=True)
        lost = groups[(seen["_merge"] == "left_only").to_numpy()]
    if lost.empty:
        return curves
    rows = lost[keys].assign(
        n=0, fit_ok=False,
        message=[f"not fitted: every well excluded ({why or 'no usable signal'})"
                 for why in lost["_why"]])
    return pd.concat([curves, rows], ignore_index=True)


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
    keep_outliers: bool = False,
    dss_threshold: float | None = DSS_THRESHOLD,
    controls: pd.DataFrame | None = None,
    cohort: bool = False,
    jobs: int | None = None,
    client: Any = None,
) -> ScreenResults:
    """Analyze a ``wells`` table (measured or simulated alike) into :class:`ScreenResults`.

    ``keep_outliers``: QC still counts and names outlier vehicle wells, but they stay in every
    blank/vehicle mean (viability = GDSC's (I - mean blank) / (mean DMSO - mean blank) x 100).
    A group without usable vehicle wells (a failed plate) is excluded with a reason and its
    curves are flagged; it does not stop the screen. Curves carry the drug sensitivity scores
    (``dss_threshold``, % inhibition; None: none), selective DSS against ``controls`` (healthy
    donors' ``drug, donor, dss``) and, with ``cohort``, ``auc_z`` across the screen's samples.
    ``jobs``/``client`` fit the curves in chunks on Dask (:mod:`tallrx.parallel`); same tables.

    Returns
    -------
    ScreenResults
        Tables (columns in ``tallrx.schema.TABLES``): ``wells`` and ``viability`` (one row per
        well: plate, well, sample, drug_a, conc_a in uM, role, signal, viability %, exclude,
        exclude_reason, ...), ``qc`` (one row per plate x sample: z_prime, ssmd, vehicle_cv,
        qc_pass, ...), ``curves`` (one row per sample x condition x drug x reference: ic50, auc,
        dss1-3, [sdss, zdss, rdss, auc_z], fit_ok, message, ...), and with IL7 pairs ``strata``
        (sample, auc_without, auc_with, auc_fold, il7_responsive, il7_dependent_resistant,
        p_*), ``enhanced``, ``regression_points`` and ``regression`` (Fig. 5B).
    """
    thresholds = thresholds or QCThresholds()
    if keep_outliers:
        thresholds = replace(thresholds, exclude_outliers=False)
    il7 = _has_il7_pairs(wells, condition)
    cluster = {"jobs": jobs, "client": client}
    with progress.task("analyzing the screen", total=5 if il7 else 3, unit="steps") as steps:
        qc, flagged = plate_qc(wells, thresholds=thresholds)
        steps.advance()
        viability = normalize_viability(flagged, missing_vehicle="flag")
        steps.advance()
        curves = _fit(viability, window, dss_threshold=dss_threshold,
                      cluster=cluster).assign(reference=OWN)
        steps.advance()
        if not il7:
            curves = add_scores(curves, controls=controls, cohort=cohort)
            return ScreenResults(wells, viability, qc, curves, condition=None)
        il7_ref = normalize_viability(flagged, reference_condition={condition: 0},
                                      missing_vehicle="flag")
        ref_curves = _fit(il7_ref, window, f" ({condition}=0 reference)", dss_threshold, cluster)
        steps.advance()
        strata = stratify_il7(ref_curves, condition=condition, drug=drug, fold=fold,
                              min_auc=min_auc, viability=il7_ref, n_boot=n_boot, seed=seed)
        steps.advance()
    viability = pd.concat([viability, il7_ref], ignore_index=True)
    ref_label = f"{condition}=0"
    curves = pd.concat([curves, ref_curves.assign(reference=ref_label)], ignore_index=True)
    curves = add_scores(curves, controls=controls, cohort=cohort)
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


def check_drug(wells: pd.DataFrame, drug: str, where: object = "the layout") -> None:
    """InputError (with a did-you-mean) when ``drug`` is not among the treated drugs."""
    drugs = sorted({str(d) for d in wells["drug_a"] if str(d)} | {
        str(d) for d in wells.get("drug_b", pd.Series(dtype=str)) if str(d) and str(d) != "nan"})
    if drug not in drugs:
        raise InputError(
            f"--drug {drug!r} is not a drug of {where}; its drugs: "
            f"{', '.join(drugs[:20]) or 'none'}.{did_you_mean(drug, drugs)}"
        )


def run_screen(layout, files: Sequence[str | os.PathLike], *, format: str | None = None,
               unit: str | None = None, read: str | None = None,
               drug: str | None = None, **options) -> ScreenResults:
    """Read a layout and plate-reader files and analyze them (see :func:`analyze_wells`).

    A plate file that cannot be read does not stop the others (its plate's wells are excluded
    with the reader's message); ``read`` picks a read in files holding several. ``drug`` must
    be one of the layout's drugs when given (default: prednisolone, if screened).

    Returns
    -------
    ScreenResults
        As :func:`analyze_wells`.
    """
    files = list(files)
    with progress.task("reading plate files", total=len(files), unit="files") as task:
        wells = read_plates(layout, files, format=format, unit=unit, read=read, skip_bad=True)
        if task.done == 0:  # the reader did not count: every file is read at once
            task.advance(len(files))
    if drug is not None:
        check_drug(wells, drug, layout)
    return analyze_wells(wells, drug=drug or "prednisolone", **options)
