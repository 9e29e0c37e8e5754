"""Species of the model: signalling activities, mRNAs, free BCL-2 family proteins, their complexes
and the death machinery (42 state variables, in the order of the state vector).

Units: proteins in nM, kinase/receptor activities as active fractions (0-1), mRNAs relative to the
basal level (1 = untreated), viable cells relative to the start of treatment.

>>> complex_name("BIM_EL_p", "MCL1")
'BIM_EL_p__MCL1'
>>> len(SPECIES)  # 10 signalling + 3 mRNA + 9 free + (5 BIM forms x 3 + BMF x 2) + 3 death
42
"""

from __future__ import annotations

from tallrx.model.network._table import Species

BIM_FORMS = ("BIM_EL", "BIM_EL_p", "BIM_L", "BIM_L_p", "BIM_S")
PHOSPHO = {"BIM_EL": "BIM_EL_p", "BIM_L": "BIM_L_p"}
ANTI_APOPTOTIC = ("BCL2", "BCLXL", "MCL1")
BMF_PARTNERS = ("BCL2", "BCLXL")  # BMF binds MCL1 only weakly (Chen 2005)


def complex_name(bh3: str, partner: str) -> str:
    """Species name of the ``bh3``:``partner`` complex, e.g. ``BIM_EL__BCL2``."""
    return f"{bh3}__{partner}"


SIGNALING = (
    Species(
        "IL7R_dn",
        "fraction",
        "IL7-induced internalization/degradation of IL7Ralpha (share of the ligand-binding "
        "receptor lost)",
    ),
    Species(
        "JAKa", "fraction", "active IL7R-associated JAK1 (ligand-bound, mutant IL7R or mutant JAK1)"
    ),
    Species("STAT5p", "fraction", "tyrosine-phosphorylated STAT5"),
    Species("AKTp", "fraction", "active (phosphorylated) AKT downstream of PI3K"),
    Species("RASgtp", "relative", "GTP-bound wild-type RAS (1 = endogenous RAS pool)"),
    Species("RASm_gtp", "relative", "GTP-bound GAP-insensitive NRAS G12D"),
    Species("RAFa", "fraction", "active RAF"),
    Species("MEKpp", "fraction", "doubly phosphorylated (active) MEK1/2"),
    Species("ERKpp", "fraction", "doubly phosphorylated (active) ERK1/2 = pERK"),
    Species(
        "FB",
        "fraction",
        "ERK-induced negative feedback on SOS (SPRY/DUSP, lumped), in "
        "units of the pERK that induced it",
    ),
)
MRNA = (
    Species("BIM_mRNA", "relative", "BCL2L11 mRNA (1 = basal)", 1.0),
    Species("MCL1_mRNA", "relative", "MCL1 mRNA (1 = basal)", 1.0),
    Species("BCL2_mRNA", "relative", "BCL2 mRNA (1 = basal)", 1.0),
)
FREE = (
    Species("BIM_EL", "nM", "free unphosphorylated BIM-EL", 20.0),
    Species("BIM_EL_p", "nM", "free ERK-phosphorylated BIM-EL (upper band)"),
    Species("BIM_L", "nM", "free unphosphorylated BIM-L", 8.0),
    Species("BIM_L_p", "nM", "free ERK-phosphorylated BIM-L (upper band)"),
    Species("BIM_S", "nM", "free BIM-S (has no ERK sites: never phosphorylated)", 3.0),
    Species("BMF", "nM", "free BMF (sensitizer BH3-only protein)", 10.0),
    Species("BCL2", "nM", "free BCL2", 80.0),
    Species("BCLXL", "nM", "free BCLXL", 40.0),
    Species("MCL1", "nM", "free MCL1", 40.0),
)
COMPLEXES = tuple(
    Species(complex_name(b, a), "nM", f"{b.replace('_p', ' (phospho)')}:{a} complex")
    for b in (*BIM_FORMS, "BMF")
    for a in (BMF_PARTNERS if b == "BMF" else ANTI_APOPTOTIC)
)
DEATH = (
    Species("BAXa", "fraction", "activated BAX/BAK (oligomerization-competent)"),
    Species("CASPa", "fraction", "active effector caspase (after MOMP)"),
    Species("Viable", "relative", "viable cells relative to the start of treatment", 1.0),
)
SPECIES = SIGNALING + MRNA + FREE + COMPLEXES + DEATH
