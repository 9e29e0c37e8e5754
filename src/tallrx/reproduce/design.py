"""The paper's experimental design, as data: lines, doses, times (van der Zwet et al. 2021).

Every number cites the paper's figure legend or Methods; where the paper gives none, the choice is
marked "assumed" with its reason. Concentrations are uM (``tallrx.units`` converts ug/ml).
"""

from __future__ import annotations

import numpy as np

from tallrx.units import to_um

#: Fig. 1A-B, 3, 4: prednisolone 0.00822-250 ug/ml (4-day screens), 250 ug/ml (qPCR, co-IP)
PRED_UGML_RANGE = (0.00822, 250.0)
N_PRED_DOSES = 10  # assumed: ten 3.1-fold steps span the legend's range
PRED_TOP_UM = float(to_um(PRED_UGML_RANGE[1], "ug/ml", drug="prednisolone"))
SUPT1_PRED_DOSES_UM = np.geomspace(
    float(to_um(PRED_UGML_RANGE[0], "ug/ml", drug="prednisolone")), PRED_TOP_UM, N_PRED_DOSES
)

#: Fig. 1A-C, 2, 3: doxycycline-inducible SUPT-1 lines (tallrx.model genotype names)
CYSTEINE_IL7R = ("IL7R_PILT240-244RFCPH", "IL7R_LT243-244LMCPT", "IL7R_PIL240-242QSPSC")
IL7R_LINES = ("IL7R_WT", "IL7R_V253GPSL", *CYSTEINE_IL7R)
JAK1_LINES = ("JAK1_WT", "JAK1_R724H", "JAK1_T901A")
NRAS_LINES = ("NRAS_WT", "NRAS_G12D")
SUPT1_LINES = ("parental", *IL7R_LINES, *JAK1_LINES, *NRAS_LINES)

#: Fig. 1D-E, 5: PDX screens +/- 25 ng/ml IL7 (Methods); pERK 30 min after IL7 (Fig. 1E)
IL7_NG_ML = 25.0
IL7_BLOT_HOURS = 0.5
N_BLOT_DEPENDENT, N_BLOT_INDEPENDENT = 3, 2  # Fig. 1E: three IL7-dependent, two independent
N_COMBINATION_GROUP = 6  # Fig. 5B-C: six IL7-dependent and six IL7-independent samples
SCREEN_DRUGS = ("prednisolone", "ruxolitinib", "selumetinib", "trametinib", "binimetinib")

#: Fig. 2C / Suppl. Fig. 2a: CI1040 2 uM; Fig. 2D-E: selumetinib 0-100 uM (trametinib: Suppl.
#: Fig. 2b-d, range not given: assumed 0-10 uM in decades, covering its nM MEK potency)
CI1040_UM = 2.0
SELUMETINIB_SERIES_UM = (0.0, 0.01, 0.1, 1.0, 10.0, 100.0)
TRAMETINIB_SERIES_UM = (0.0, 0.0001, 0.001, 0.01, 0.1, 1.0, 10.0)
BLOT_HOURS = 24.0  # assumed: inhibitor and drug lanes lysed after 24 h (Fig. 4 legend: 24 h)

#: Fig. 3A-B: overnight prednisolone (assumed 16 h), triplicates, GAPDH reference
QPCR_HOURS = 16.0
QPCR_LINES = (*JAK1_LINES, *IL7R_LINES)

#: Fig. 4: co-IP after 24 h; ruxolitinib 2 uM, selumetinib 10 uM; n = 3 replicate IPs.
#: Bortezomib dose not given: assumed 10 nM (a proteasome-inhibiting, sub-lethal 24 h dose).
COIP_HOURS = 24.0
RUXOLITINIB_UM = 2.0
SELUMETINIB_UM = 10.0
BORTEZOMIB_UM = 0.01
COIP_REPLICATES = 3

#: Fig. 5C: combination matrices (design not in the paper: assumed the screen's 4-log windows
#: in 1-log steps, 5 x 5 doses plus both single-agent series, triplicates)
MATRIX_DOSES_UM = {
    "prednisolone": (0.00316, 0.0316, 0.316, 3.16, 31.6),
    "selumetinib": (0.001, 0.01, 0.1, 1.0, 10.0),
    "ruxolitinib": (0.001, 0.01, 0.1, 1.0, 10.0),
}
REPLICATES = 3
