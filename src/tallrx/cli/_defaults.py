"""Option defaults shown in ``--help`` whose source module is heavy to import.

The modules that own these numbers load pandas or SciPy; importing one to read a number would make
every ``tallrx ... --help`` pay for it. So the command line states them here, and
``tests/cli/test_startup.py`` checks that every value equals the one in its source (``SOURCES``).
The paper's thresholds come from :mod:`tallrx.paper`, which is light, and are not repeated here.
"""

from __future__ import annotations

#: null plates per block of the calibrated synergy call
N_NULL = 199
#: significance level of the calibrated synergy call
ALPHA = 0.05
#: response scales of a SynergyFinder table
RESPONSES = ("viability", "inhibition")
#: simulation engines of the mechanistic model
ENGINES = ("batched", "roadrunner", "scipy")
#: the shipped virtual cohort: size and seed
COHORT_N, COHORT_SEED = 46, 2021
#: co-IP: minimum fold drop for lost binding
LOSS_MIN_FOLD = 1.5
#: qPCR: highest plausible Ct (cycles)
CT_MAX = 50.0

#: name here -> (module, name there): the sources the tests compare against
SOURCES = {
    "N_NULL": ("tallrx.analysis.synergy.calibration", "N_NULL"),
    "ALPHA": ("tallrx.analysis.synergy.calibration", "ALPHA"),
    "RESPONSES": ("tallrx.io.assays.synergyfinder", "RESPONSES"),
    "ENGINES": ("tallrx.model.solvers", "ENGINES"),
    "COHORT_N": ("tallrx.model.virtual.cohort", "DEFAULT_N"),
    "COHORT_SEED": ("tallrx.model.virtual.cohort", "DEFAULT_SEED"),
    "LOSS_MIN_FOLD": ("tallrx.analysis.assays.coip", "LOSS_MIN_FOLD"),
    "CT_MAX": ("tallrx.analysis.assays.qpcr", "CT_MAX"),
}
