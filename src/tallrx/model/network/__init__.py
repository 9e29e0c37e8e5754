"""THE network description of the tallrx mechanistic model (the single source of truth).

IL7 / IL7R / JAK1 / NRAS -> RAS-RAF-MEK-ERK (with negative feedback) -> phosphorylation of BIM-EL
and BIM-L (never BIM-S) -> weaker binding to BCL2 / BCLXL / MCL1 (and, assumed, faster proteasomal turnover) -> the
anti-apoptotic reserve (free BCL2 + BCLXL + MCL1) is no longer used up by BIM -> BAX/BAK stays
restrained -> less MOMP and caspase activity -> fewer dead cells (the death rule is in :mod:`.mechanism`).
The glucocorticoid receptor (prednisolone, dexamethasone) induces BIM (4-10 fold mRNA) and MCL1
and represses BCL2; STAT5 and AKT raise BCL2 (and MCL1); AKT lowers the basal death hazard
(the main way IL7 keeps PDX cells alive). Drugs are concentration-dependent target inhibition.
This is the paper's Fig. 6 made executable (van der Zwet et al., Leukemia 2021,
doi:10.1038/s41375-021-01291-5; "paper Fig. N" in the sources refers to it).

Three parts, read top to bottom:

* :mod:`.species` -- the state variables (and the names of the BCL-2 family complexes);
* ``tallrx/data/model/parameters.csv`` (:mod:`.parameters`) -- every parameter with value,
  unit, plausible range, status and citation;
* :mod:`.mechanism` -- assignment rules and reactions with their rate laws.

Units: time in hours, proteins in nM, kinase/receptor activities as active fractions (0-1),
mRNAs relative to the basal level (1 = untreated), drug inputs in uM, IL7 in ng/ml, doxycycline
as the induced fraction of the transgene (0 or 1). One compartment of volume 1.

Every other representation (Antimony/SBML in :mod:`.sbml`, the NumPy right-hand side and analytic
Jacobian of :mod:`tallrx.model.solvers`, ``tallrx model show``) is generated from :data:`NETWORK`.
"""

from __future__ import annotations

from tallrx.model.network._table import Network
from tallrx.model.network.mechanism import REACTIONS, RULES
from tallrx.model.network.parameters import PARAMETERS
from tallrx.model.network.species import (
    ANTI_APOPTOTIC,
    BIM_FORMS,
    BMF_PARTNERS,
    PHOSPHO,
    SPECIES,
    complex_name,
)

NETWORK = Network(SPECIES, PARAMETERS, RULES, REACTIONS)

__all__ = [
    "NETWORK",
    "SPECIES",
    "PARAMETERS",
    "RULES",
    "REACTIONS",
    "ANTI_APOPTOTIC",
    "BIM_FORMS",
    "BMF_PARTNERS",
    "PHOSPHO",
    "complex_name",
]
