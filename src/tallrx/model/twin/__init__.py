"""Per-patient digital twins (issue 15 part 2), the model side: fit a sample's patient
parameters to its single-agent screen. Prediction, scoring and validation (which need the
analysis layer) live in :mod:`tallrx.workflows.twin`.

Modules: :mod:`.data` (viability table -> condition means), :mod:`.prior` (cohort distributions
and calibration posterior as a latent N(0, I) prior), :mod:`.simulator` (batched viability),
:mod:`.fit` (AMIS posterior), :mod:`.summary` (parameter table).
"""

from tallrx._lazy import lazy_exports

_NAMES = {
    "observations": ".data",
    "samples_of": ".data",
    "Observations": ".data",
    "build_prior": ".prior",
    "read_posterior": ".prior",
    "simulate_viability": ".simulator",
    "build_library": ".fit",
    "fit_twin": ".fit",
    "TwinFit": ".fit",
    "parameter_table": ".summary",
}
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
__all__ = list(_NAMES)
