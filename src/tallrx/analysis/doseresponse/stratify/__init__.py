"""IL7 stratification of a screen (van der Zwet et al., Leukemia 2021, Fig. 1D and Fig. 5B).

A sample is *IL7-responsive* when its prednisolone AUC rises more than 1.5-fold with IL7:
AUC(+IL7) / AUC(-IL7) > 1.5 (Fig. 1D legend; 12 of 46 PDX samples, 26 %). It is *IL7-dependent
steroid resistant* when, in addition, AUC(+IL7) >= 175 (Fig. 5B legend: "an increase in
prednisolone AUC by >1.5 fold in the presence of IL7 with a minimal AUC of 175 in the presence of
IL7"). AUC = trapezoid area of mean % viability over log10(concentration, uM); 400 is the maximum
for a 4-log window at 100 % viability, and +IL7 curves normalized to the -IL7 vehicle can exceed it.

*Delta AUC* of a drug (Fig. 5B y-axis) = AUC(drug, +IL7) / AUC(drug, -IL7), regressed on
*IL7-enhanced viability* (x-axis; vehicle viability with IL7 as % of the vehicle without IL7,
Supplementary Fig. 5a) with ordinary least squares.

The curves table (``auc`` per sample x drug x condition) comes from
:func:`tallrx.analysis.doseresponse.batch.fit_dose_response`; this package never fits curves.

The parts: :mod:`.calls` (:func:`stratify_il7`, the call), :mod:`.uncertainty` (the bootstrap
probabilities of each call), :mod:`.regression` (IL7-enhanced viability and the Fig. 5B
regression) and :mod:`._inputs` (checks of the input tables). The thresholds come from
:mod:`tallrx.paper`.
"""

from tallrx._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "IL7_RESPONSIVE_FOLD": ".calls",
        "IL7_DEPENDENT_MIN_AUC": ".calls",
        "IL7_DOSE": ".calls",
        "MAX_AUC": ".calls",
        "stratify_il7": ".calls",
        "AUC_CHECK_RTOL": ".uncertainty",
        "il7_enhanced_viability": ".regression",
        "delta_auc_regression": ".regression",
    },
)
__all__ = [
    "IL7_RESPONSIVE_FOLD",
    "IL7_DEPENDENT_MIN_AUC",
    "IL7_DOSE",
    "stratify_il7",
    "il7_enhanced_viability",
    "delta_auc_regression",
]
