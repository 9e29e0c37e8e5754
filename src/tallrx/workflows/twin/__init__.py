"""Digital twins end to end (issue 15 part 2): fit (:mod:`tallrx.model.twin`), predict the
prednisolone x MEK-inhibitor combination and the IL7 call with intervals (:mod:`.predict`), the
tables of ``tallrx twin`` (:mod:`.run`) and the validation on virtual patients
(:mod:`.validate`)."""

from tallrx._lazy import lazy_exports

_NAMES = {
    "predict_twin": ".predict",
    "summarize_calls": ".predict",
    "Settings": ".run",
    "TwinResults": ".run",
    "twin_samples": ".run",
    "validate_twins": ".validate",
    "virtual_patients": ".validate",
}
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
__all__ = list(_NAMES)
