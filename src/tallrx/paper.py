"""The paper's cited numbers, in one place (van der Zwet et al., Leukemia 2021; Chou 2006).

Every module that applies one of the paper's rules imports it from here, so a reader can check
each value against its figure legend once. Concentrations in uM unless the name says otherwise.
"""

from __future__ import annotations

#: IL7 dose of the screens (Methods: "IL7 (25 ng/ml)")
IL7_NG_ML = 25.0

#: AUC convention: % viability over log10(conc / uM) on a 4-log window; 100 % throughout = 400
AUC_WINDOW_LOGS = 4.0
AUC_MAX = 400.0

#: IL7-responsive: AUC(+IL7) / AUC(-IL7) above this (Fig. 1D legend, ">1.5 fold increase")
IL7_RESPONSIVE_FOLD = 1.5
#: IL7-dependent steroid resistant: responsive and AUC(+IL7) at least this (Fig. 5B legend)
IL7_DEPENDENT_MIN_AUC = 175.0
#: share of the 46 PDX samples that are IL7-responsive (Fig. 1D: 12 of 46)
IL7_RESPONSIVE_OF_46 = 12

#: Chou-Talalay bands the paper uses (Fig. 5C legend): CI < 0.3 strong synergy, 0.3-0.8 synergy
CI_STRONG_SYNERGY = 0.3
CI_SYNERGY = 0.8
#: Chou 2006 (Table 1): CI > 1.2 moderate antagonism or stronger
CI_ANTAGONISM = 1.2

#: prednisolone range of the screens (Fig. 1 legend), ug/ml
PREDNISOLONE_UG_ML_RANGE = (0.00822, 250.0)
#: BIM mRNA induction by 250 ug/ml prednisolone (Fig. 3A-B text: "a 4- to 10-fold increase")
BIM_FOLD_RANGE = (4.0, 10.0)

#: PDX samples blotted for pERK with IL7 (Fig. 1E: three IL7-dependent, two IL7-independent)
FIG1E_N_DEPENDENT = 3
FIG1E_N_INDEPENDENT = 2
#: steroid-resistant PDX samples per group in Fig. 5B-C ("six IL7-dependent ... six IL7-independent")
FIG5_N_PER_GROUP = 6
#: the cohort of Fig. 1D and 5A: 46 T-ALL PDX samples
PDX_COHORT_SIZE = 46
#: the cysteine-mutant IL7R lines that raise steroid resistance (Fig. 1B; tallrx.model names)
CYSTEINE_IL7R = ("IL7R_PILT240-244RFCPH", "IL7R_LT243-244LMCPT", "IL7R_PIL240-242QSPSC")

#: ex-vivo screening convention tallrx follows (not from the paper): the drug sensitivity score's
#: default activity threshold, % inhibition (Yadav et al. 2014, Sci Rep 4:5193)
DSS_THRESHOLD_PCT = 10.0
