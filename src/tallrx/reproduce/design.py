"""The paper's experimental design for ``tallrx reproduce``, read from its one encoding.

The design (lines, doses, times, lanes, replicates of every figure; van der Zwet et al. 2021)
lives in ONE file, :data:`tallrx.model.experiment.PAPER_EXPERIMENTS`
(``data/model/paper_experiments.toml``), which ``tallrx simulate`` runs as written. This module
reads its sections by name so reproduce's virtual experiments use the same lines and doses;
the names below (``SUPT1_LINES``, ``QPCR_LINES``, ...) are views of those sections, never a
second copy. Where the two encodings used to disagree, the file says which figure decided.

Concentrations are uM (the file's units converted by :func:`tallrx.model.experiment.parse_dose`);
``dox`` keeps the file's numbers (0 / 1), so tables write it as the lab's sheets do.
"""

from __future__ import annotations

from functools import cache
from itertools import product

import numpy as np

from tallrx import paper
from tallrx.model.experiment import (
    CONDITION_KEYS,
    SECTIONS,
    dose_series,
    paper_experiments,
    parse_dose,
)

__all__ = ["section", "genotypes", "conditions", "hours", "replicates", "doses", "plates"]


@cache
def _spec() -> dict:
    return paper_experiments()


def section(name: str) -> dict:
    """The section called ``name`` of the paper's experiment file (any kind)."""
    for kind in SECTIONS:
        for sec in _spec().get(kind, []):
            if sec.get("name") == name:
                return sec
    raise KeyError(f"paper_experiments.toml has no section named {name!r}")


def genotypes(name: str) -> tuple[str, ...]:
    """The SUPT-1 lines of section ``name``, in the file's order."""
    return tuple(section(name)["genotypes"])


def _drugs(table: dict, where: str) -> dict[str, float]:
    return {d: parse_dose(v, d, where) for d, v in table.items() if d not in CONDITION_KEYS}


def conditions(name: str) -> list[dict]:
    """The conditions of section ``name`` in the file's order: ``dox`` (as written) and the drug
    doses (uM) of each, from its ``conditions`` list or its ``dox`` x ``treatments`` product."""
    sec = section(name)
    if "conditions" in sec:
        return [{"dox": c.get("dox", 0), **_drugs(c, name)} for c in sec["conditions"]]
    return [
        {"dox": d, **_drugs(t, name)}
        for d, t in product(sec.get("dox", [0]), sec.get("treatments", [{}]))
    ]


def hours(name: str) -> float:
    """Hours from treatment to read-out of section ``name``."""
    return float(section(name)["hours"])


def replicates(name: str) -> int:
    """Biological replicates of section ``name``."""
    return int(section(name)["replicates"])


def doses(name: str, drug: str) -> np.ndarray:
    """The dose series (uM) of ``drug`` in the ``drugs`` table of viability section ``name``."""
    return dose_series(section(name)["drugs"][drug], drug, name)


def plates(name: str) -> tuple[str, int]:
    """(read-out, wells per plate) of viability section ``name`` (Methods: SUPT-1 lines by MTT,
    PDX cells by ATPlite)."""
    sec = section(name)
    return str(sec["readout"]), int(sec["plate_format"])


def combination_doses(name: str) -> dict[str, tuple[float, ...]]:
    """Per drug, the listed doses (uM) of the combinations of viability section ``name``."""
    out: dict[str, tuple[float, ...]] = {}
    for combo in section(name)["combinations"]:
        for s in ("_a", "_b"):
            drug = combo[f"drug{s}"]
            out[drug] = tuple(dose_series(combo, drug, name, s).tolist())
    return out


def series(name: str) -> tuple[str, tuple[float, ...]]:
    """(drug, doses in uM) of a blot section whose conditions step one drug through a series."""
    conds = conditions(name)
    drug = next(d for d in conds[-1] if d != "dox")
    return drug, tuple(float(c.get(drug, 0.0)) for c in conds)


# ---------------------------------------------------------------- views used by the experiments
#: Fig. 1A-C: the doxycycline-inducible SUPT-1 lines (tallrx.model genotype names)
SUPT1_LINES = genotypes("fig1ab")
#: Fig. 1B: the cysteine-mutant IL7R lines
CYSTEINE_IL7R = paper.CYSTEINE_IL7R
IL7R_LINES = tuple(g for g in SUPT1_LINES if g.startswith("IL7R_"))
JAK1_LINES = tuple(g for g in SUPT1_LINES if g.startswith("JAK1_"))
NRAS_LINES = tuple(g for g in SUPT1_LINES if g.startswith("NRAS_"))
#: Fig. 1A-B prednisolone range (ug/ml, from tallrx.paper) and the screen's dose series (uM)
PRED_UGML_RANGE = paper.PREDNISOLONE_UG_ML_RANGE
SUPT1_PRED_DOSES_UM = doses("fig1ab", "prednisolone")
N_PRED_DOSES = len(SUPT1_PRED_DOSES_UM)
PRED_TOP_UM = float(SUPT1_PRED_DOSES_UM[-1])
REPLICATES = replicates("fig1ab")

#: Fig. 1D-E, 5: the PDX screen's drugs; IL7 (ng/ml) and the pERK blot time (h)
SCREEN_DRUGS = tuple(section("pdx_screen")["drugs"])
IL7_NG_ML = paper.IL7_NG_ML
IL7_BLOT_HOURS = hours("fig1e")
N_BLOT_DEPENDENT, N_BLOT_INDEPENDENT = paper.FIG1E_N_DEPENDENT, paper.FIG1E_N_INDEPENDENT
N_COMBINATION_GROUP = paper.FIG5_N_PER_GROUP

#: Fig. 2C CI1040 dose; Fig. 2D-E / Suppl. Fig. 2b-d MEK inhibitor series (uM)
CI1040_UM = max(c.get("ci1040", 0.0) for c in conditions("fig2c"))
SELUMETINIB_SERIES_UM = series("fig2de_selumetinib")[1]
TRAMETINIB_SERIES_UM = series("fig2de_trametinib")[1]
BLOT_HOURS = hours("fig2c")

#: Fig. 3A-B
QPCR_LINES = genotypes("fig3")
QPCR_HOURS = hours("fig3")

#: Fig. 4 and Suppl. Fig. 3b / 4e
COIP_HOURS = hours("fig4a")
COIP_REPLICATES = replicates("fig4a")
BORTEZOMIB_UM = max(c.get("bortezomib", 0.0) for c in conditions("suppl4e"))

#: Fig. 5C combination matrices (uM per drug)
MATRIX_DOSES_UM = combination_doses("fig5c")
