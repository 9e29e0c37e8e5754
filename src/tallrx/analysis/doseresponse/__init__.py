"""Dose-response: LL.4 fits and the paper's AUC per curve, and IL7-response stratification.

``curves`` holds the curve models and closed-form areas, ``fitting`` the vectorized LL.4 fitter
(``_ll4_lm`` its batched Levenberg-Marquardt, ``_ll4_profile`` the profile-likelihood intervals),
``batch`` turns a viability table into one row per curve, ``stratify`` reads AUCs +/- IL7.
"""

from tallrx._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "fit_dose_response": ".batch",
        "fit_ll4": ".fitting",
        "LL4Fit": ".fitting",
        "stratify_il7": ".stratify",
        "il7_enhanced_viability": ".stratify",
        "delta_auc_regression": ".stratify",
    },
)
__all__ = ["LL4Fit", "delta_auc_regression", "fit_dose_response", "fit_ll4", "il7_enhanced_viability",
           "stratify_il7"]
