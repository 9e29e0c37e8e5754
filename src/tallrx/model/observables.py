"""Observables: what an assay (or the ``timecourse`` table) reports, computed from the states.

Names are fixed (other tools rely on them):

========================  ========  ==========================================================
observable                unit      meaning
========================  ========  ==========================================================
pERK, pSTAT5, pAKT        fraction  active fraction of ERK1/2, STAT5, AKT
pBIM_EL, pBIM_L, pBIM_S   fraction  phosphorylated share of each BIM isoform (free + bound);
                                    pBIM_S is structurally 0 (BIM-S has no ERK sites)
BIM_total                 nM        all BIM (three isoforms, both states, free + bound)
BCL2, BCLXL, MCL1         nM        total protein (free + in complexes)
BIM_mRNA, MCL1_mRNA       fold      vs the same line uninduced, without IL7 or drugs
BIM_bound_BCL2/_BCLXL/    fraction  partner bound to BIM / total BIM (what a BIM co-IP
_MCL1                               measures after normalizing to the bait)
viable_cells              relative  viable cells relative to the start of treatment
========================  ========  ==========================================================
"""

from __future__ import annotations

import numpy as np

from tallrx.model.network import ANTI_APOPTOTIC, BIM_FORMS, BMF_PARTNERS, complex_name
from tallrx.model.network._table import Network

OBSERVABLES: dict[str, tuple[str, str]] = {
    "pERK": ("fraction", "active (doubly phosphorylated) ERK1/2"),
    "pSTAT5": ("fraction", "tyrosine-phosphorylated STAT5"),
    "pAKT": ("fraction", "active AKT"),
    "pBIM_EL": ("fraction", "phosphorylated share of BIM-EL"),
    "pBIM_L": ("fraction", "phosphorylated share of BIM-L"),
    "pBIM_S": ("fraction", "phosphorylated share of BIM-S (never phosphorylated)"),
    "BIM_total": ("nM", "total BIM protein"),
    "BCL2": ("nM", "total BCL2 protein"),
    "BCLXL": ("nM", "total BCLXL protein"),
    "MCL1": ("nM", "total MCL1 protein"),
    "BIM_mRNA": ("fold", "BCL2L11 mRNA vs uninduced untreated cells of the same line"),
    "MCL1_mRNA": ("fold", "MCL1 mRNA vs uninduced untreated cells of the same line"),
    "BIM_bound_BCL2": ("fraction", "BCL2 bound to BIM / total BIM"),
    "BIM_bound_BCLXL": ("fraction", "BCLXL bound to BIM / total BIM"),
    "BIM_bound_MCL1": ("fraction", "MCL1 bound to BIM / total BIM"),
    "viable_cells": ("relative", "viable cells relative to time 0"),
}
NAMES = tuple(OBSERVABLES)


def _isoform(x, ix, base: str) -> tuple[np.ndarray, np.ndarray]:
    """(unphosphorylated, phosphorylated) totals of one BIM isoform, free + bound."""
    phos = f"{base}_p"
    un = x[ix[base]] + sum(x[ix[complex_name(base, a)]] for a in ANTI_APOPTOTIC)
    if phos not in ix:
        return un, np.zeros_like(un)
    ph = x[ix[phos]] + sum(x[ix[complex_name(phos, a)]] for a in ANTI_APOPTOTIC)
    return un, ph


def compute(net: Network, states: np.ndarray, reference: np.ndarray, names=NAMES) -> np.ndarray:
    """Observables of ``states`` (..., n_species, W) -> (..., len(names), W).

    ``reference``: (n_species, W) steady state of the same line uninduced and untreated
    (the baseline of the fold-change observables).
    """
    ix = net.species_index
    x = np.moveaxis(np.asarray(states, dtype=float), -2, 0)  # species first
    ref = np.asarray(reference, dtype=float)
    el, el_p = _isoform(x, ix, "BIM_EL")
    lo, lo_p = _isoform(x, ix, "BIM_L")
    s, _ = _isoform(x, ix, "BIM_S")
    bim = el + el_p + lo + lo_p + s
    with np.errstate(invalid="ignore", divide="ignore"):
        values = {
            "pERK": x[ix["ERKpp"]],
            "pSTAT5": x[ix["STAT5p"]],
            "pAKT": x[ix["AKTp"]],
            "pBIM_EL": el_p / (el + el_p),
            "pBIM_L": lo_p / (lo + lo_p),
            "pBIM_S": np.zeros_like(s),
            "BIM_total": bim,
            "BIM_mRNA": x[ix["BIM_mRNA"]] / ref[ix["BIM_mRNA"]],
            "MCL1_mRNA": x[ix["MCL1_mRNA"]] / ref[ix["MCL1_mRNA"]],
            "viable_cells": x[ix["Viable"]],
        }
        for a in ANTI_APOPTOTIC:
            bound_bim = sum(x[ix[complex_name(b, a)]] for b in BIM_FORMS)
            bound_bmf = x[ix[complex_name("BMF", a)]] if a in BMF_PARTNERS else 0.0
            values[a] = x[ix[a]] + bound_bim + bound_bmf
            values[f"BIM_bound_{a}"] = bound_bim / bim
    return np.stack([values[n] for n in names], axis=-2)
