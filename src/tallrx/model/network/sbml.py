"""Antimony and SBML generated from the reaction table, with libsbml validation.

>>> from tallrx.model.network import NETWORK
>>> "jak_on: => JAKa; k_jak*jak_drive*(1 - JAKa);" in to_antimony(NETWORK)
True
"""

from __future__ import annotations

import functools

from tallrx.errors import InternalError
from tallrx.model.network import _expr as ex
from tallrx.model.network._table import Network

MODEL_ID = "tallrx_il7r_erk_bim"


def _num(v: float) -> str:
    return repr(float(v))


def to_antimony(net: Network) -> str:
    """Antimony text of ``net`` (species, assignment rules, reactions, parameter values)."""
    lines = [
        "// tallrx mechanistic model: generated from tallrx.model.network; do not edit",
        f"model {MODEL_ID}()",
        "  compartment cell = 1;",
        "",
        "  // species",
    ]
    for s in net.species:
        lines.append(
            f"  species {s.name} in cell = {_num(s.initial)};  // {s.unit}: {s.annotation}"
        )
    lines += ["", "  // assignment rules"]
    for r in net.rules:
        lines.append(
            f"  {r.name} := {ex.to_antimony(net.rule_exprs[r.name])};  // {r.unit}: {r.annotation}"
        )
    lines += ["", "  // reactions (rates in species unit per hour)"]
    for r, e in zip(net.reactions, net.rate_exprs, strict=True):
        arrow = "->" if "bind" in r.name else "=>"
        left = " + ".join(_side(r.reactants))
        right = " + ".join(_side(r.products))
        lines.append(
            f"  {r.name}: {left} {arrow} {right}; {ex.to_antimony(e)};".replace("  ;", ";").replace(
                ":  ", ": "
            )
        )
    lines += ["", "  // parameters (value; unit; plausible range; source)"]
    for p in net.parameters:
        lines.append(
            f"  {p.name} = {_num(p.value)};  // {p.unit}; [{p.low:g}, {p.high:g}]; {p.source}"
        )
    lines.append("end")
    return "\n".join(lines) + "\n"


def _side(stoich: dict[str, int]) -> list[str]:
    return [(f"{k} " if k != 1 else "") + name for name, k in stoich.items()]


@functools.lru_cache(maxsize=4)
def _sbml_cached(text: str) -> str:
    import antimony  # lazy: antimony and libsbml load only when SBML is made or checked

    antimony.clearPreviousLoads()
    if antimony.loadAntimonyString(text) < 0:
        raise InternalError(
            f"Antimony could not read the generated model: {antimony.getLastError()}"
        )
    return antimony.getSBMLString(MODEL_ID)


def to_sbml(net: Network) -> str:
    """SBML Level 3 text of ``net`` (via Antimony)."""
    return _sbml_cached(to_antimony(net))


def validate_sbml(text: str) -> list[str]:
    """libsbml consistency check; returns the messages of severity error or fatal."""
    import libsbml  # lazy (see _sbml_cached)

    doc = libsbml.readSBMLFromString(text)
    doc.checkConsistency()
    errors = []
    for i in range(doc.getNumErrors()):
        e = doc.getError(i)
        if e.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            errors.append(f"line {e.getLine()}: {e.getMessage().strip()}")
    return errors
