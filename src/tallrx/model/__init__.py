"""tallrx.model: the executable mechanistic model of the paper (IL7R/JAK1/NRAS -> MEK-ERK -> BIM
-> BCL-2 family -> apoptosis), its engines, virtual assays and virtual PDX cohort.

Quick start::

    from tallrx.model import simulate
    r = simulate("NRAS_G12D", dox=True, drugs={"prednisolone": 693.6, "selumetinib": 10})
    r.table  # timecourse: sim_id, genotype, dox, il7, drug columns, time_h, observable, value

Layout: :mod:`.network` describes the model (species, the cited parameter table, rules and
reactions; SBML export); :mod:`.solvers` integrates it (batched Rosenbrock, libroadrunner, SciPy);
:mod:`.simulate` runs the protocol (pre-equilibration, treatment, observables); :mod:`.virtual`
holds the virtual assays (plates, blots, co-IP, qPCR) and the virtual PDX cohort. Public names
load on first use: ``import tallrx.model`` loads no solver or SBML library.
"""

from __future__ import annotations

from tallrx._lazy import lazy_exports

# ``simulate`` names both a submodule and the function it defines: binding the function here, after
# the submodule has loaded, keeps ``tallrx.model.simulate`` the function whatever is imported later
# (a lazy name would be shadowed by the submodule). It loads NumPy and the network, no solver library.
from tallrx.model.simulate import simulate

_NAMES = {
    "NETWORK": ".network",
    "GENOTYPES": ".genotypes",
    "DRUGS": ".genotypes",
    "normalize_drug": ".genotypes",
    "normalize_genotype": ".genotypes",
    "OBSERVABLES": ".observables",
    "DEFAULT_HOURS": ".simulate",
    "simulate_batch": ".simulate",
    "simulate_states": ".simulate",
    "conditions_to_parameters": ".simulate",
    "validate_sbml": ".network.sbml",
    "make_engine": ".solvers",
    "BatchedEngine": ".solvers",
    "RoadRunnerEngine": ".solvers",
    "ScipyEngine": ".solvers",
}
__getattr__, _ = lazy_exports(__name__, _NAMES)


def to_sbml() -> str:
    """SBML Level 3 of the model (libsbml-valid), generated from the reaction table."""
    from tallrx.model.network import NETWORK, sbml  # lazy: antimony loads only here

    return sbml.to_sbml(NETWORK)


def to_antimony() -> str:
    """Antimony text of the model, generated from the reaction table."""
    from tallrx.model.network import NETWORK, sbml

    return sbml.to_antimony(NETWORK)


__all__ = [*_NAMES, "simulate", "to_sbml", "to_antimony"]


def __dir__() -> list[str]:
    return sorted(__all__)
