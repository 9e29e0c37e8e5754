"""tallrx.model: the executable mechanistic model of the paper (IL7R/JAK1/NRAS -> MEK-ERK -> BIM
-> BCL-2 family -> apoptosis), its engines, virtual assays and virtual PDX cohort.

Quick start::

    from tallrx.model import simulate
    r = simulate("NRAS_G12D", dox=True, drugs={"prednisolone": 693.6, "selumetinib": 10})
    r.table  # timecourse: sim_id, genotype, dox, il7, drug columns, time_h, observable, value

The reaction table is :mod:`tallrx.model.network` (one place for every species, reaction and
parameter); SBML comes from :func:`to_sbml`.
"""

from tallrx.model import sbml as _sbml
from tallrx.model.engines import BatchedEngine, RoadRunnerEngine, ScipyEngine, make_engine
from tallrx.model.genotypes import DRUGS, GENOTYPES, normalize_drug, normalize_genotype
from tallrx.model.network import NETWORK
from tallrx.model.observables import OBSERVABLES
from tallrx.model.sbml import validate_sbml
from tallrx.model.simulate import (
    DEFAULT_HOURS,
    conditions_to_parameters,
    simulate,
    simulate_batch,
    simulate_states,
)


def to_sbml() -> str:
    """SBML Level 3 of the model (libsbml-valid), generated from the reaction table."""
    return _sbml.to_sbml(NETWORK)


def to_antimony() -> str:
    """Antimony text of the model, generated from the reaction table."""
    return _sbml.to_antimony(NETWORK)


__all__ = [
    "NETWORK",
    "GENOTYPES",
    "DRUGS",
    "OBSERVABLES",
    "DEFAULT_HOURS",
    "simulate",
    "simulate_batch",
    "simulate_states",
    "conditions_to_parameters",
    "normalize_drug",
    "normalize_genotype",
    "to_sbml",
    "to_antimony",
    "validate_sbml",
    "make_engine",
    "BatchedEngine",
    "RoadRunnerEngine",
    "ScipyEngine",
]
