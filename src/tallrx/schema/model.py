"""Schema entries of the mechanistic model's own tables: simulated time courses
(``tallrx simulate``) and the virtual PDX cohort (``tallrx cohort``). The model's virtual assays
write the ordinary wells / blots / coip / qpcr tables with ``source = simulated``."""

from __future__ import annotations

from tallrx.schema._spec import table

_AUC = "%_x_log10(uM)"

TABLES = {
    "timecourse": table(
        "timecourse", "simulation x time x observable", "simulated observables of virtual wells",
        """
sim_id      int    -  *  simulation (one virtual well) id
time_h      float  h  *  time after treatment
observable  str    -  *  pERK, BIM_free, viable_cells, ... (tallrx model show)
value       float  nM_(or_fraction_/_fold,_per_observable)  *  value of the observable
solved      bool   -  .  the solver reached this time
message     str    -  .  why a simulation failed
source      str    -  .  simulated
"""),
    "cohort": table(
        "cohort", "virtual PDX sample", "the virtual PDX cohort: parameters, flags and AUCs",
        f"""
sample                            str    -     *  virtual sample (VPDXnn, VPDXnn-D / -R for pairs)
pair                              str    -     *  diagnosis-relapse pair id (empty for singles)
timepoint                         str    -     *  diagnosis | relapse
il7r_mut                          bool   -     *  activating IL7R mutation
jak1_mut                          bool   -     *  activating JAK1 mutation
nras_mut                          bool   -     *  activating NRAS mutation
nonil7_erk                        bool   -     *  'unknown non-IL7' ERK activation (Fig. 6)
combination_group                 str    -     *  IL7-dependent | IL7-independent: chosen for Fig. 5B-C
k_prolif                          float  1/h   *  proliferation rate
il7r_level                        float  -     *  IL7R level (fold of nominal)
k_death0                          float  1/h   *  death hazard without survival signals
erk_drive                         float  1/h   *  non-IL7 ERK drive
gr_level                          float  -     *  glucocorticoid receptor level (fold of nominal)
s_BIM                             float  -     *  BIM synthesis (fold of nominal)
s_BCL2                            float  -     *  BCL2 synthesis (fold of nominal)
s_BCLXL                           float  -     *  BCLXL synthesis (fold of nominal)
s_MCL1                            float  -     *  MCL1 synthesis (fold of nominal)
s_BMF                             float  -     *  BMF synthesis (fold of nominal)
mut_jak_drive                     float  1/h   *  constitutive JAK drive of a mutation
mut_ras_level                     float  -     *  GAP-insensitive RAS of an NRAS mutation
auc_prednisolone                  float  {_AUC}  *  prednisolone AUC without IL7
auc_prednisolone_il7              float  {_AUC}  *  prednisolone AUC with IL7 (-IL7 vehicle)
auc_fold                          float  -     *  auc_prednisolone_il7 / auc_prednisolone
il7_enhanced_viability            float  -     *  +IL7 / -IL7 vehicle viable cells
auc_ruxolitinib                   float  {_AUC}  *  ruxolitinib AUC without IL7
auc_selumetinib                   float  {_AUC}  *  selumetinib AUC without IL7
auc_trametinib                    float  {_AUC}  *  trametinib AUC without IL7
auc_binimetinib                   float  {_AUC}  *  binimetinib AUC without IL7
delta_auc_ruxolitinib             float  -     *  ruxolitinib AUC fold +IL7 / -IL7
delta_auc_selumetinib             float  -     *  selumetinib AUC fold +IL7 / -IL7
auc_prednisolone_selumetinib      float  {_AUC}  *  prednisolone AUC with 0.1 uM selumetinib
sel_gain                          float  -     *  auc_prednisolone_selumetinib / auc_prednisolone
auc_prednisolone_ruxolitinib_il7  float  {_AUC}  *  prednisolone + ruxolitinib AUC with IL7
rux_gain_il7                      float  -     *  its ratio to prednisolone + IL7
perk_fold_il7                     float  -     *  pERK fold 30 min after IL7
il7_responsive                    bool   -     *  auc_fold > 1.5
il7_dependent_resistant           bool   -     *  responsive and AUC with IL7 >= 175
il7_independent_resistant         bool   -     *  not responsive and AUC without IL7 >= 175
ruxolitinib_responder             bool   -     *  ruxolitinib AUC < 75 % of the window maximum
mek_responder                     bool   -     *  selumetinib and trametinib AUC < 75 % of the maximum
jak_driven                        bool   -     *  IL7-independent resistance driven by JAK
""", conditions=False),
}

TABLES |= {
    "sensitivity": table(
        "sensitivity", "claim", "how often each claim holds over sampled parameter sets", """
claim             int    -  *  claim number
figure            str    -  *  figure of the claim
n_runs            int    -  *  parameter sets whose experiments ran
n_held            int    -  *  runs in which the claim held
n_not_run         int    -  *  runs in which it could not be evaluated
fraction_held       float  -  *  n_held / n_runs
fraction_held_low   float  -  .  lower end of its Wilson score 95 % interval
fraction_held_high  float  -  .  upper end of its Wilson score 95 % interval
most_influential    str    -  *  parameters most rank-correlated with the verdict
""", conditions=False),
    "draws": table(
        "draws", "claim",
        "how often each claim holds over parameter sets drawn from the calibration posterior", """
claim               int    -  *  claim number
figure              str    -  *  figure of the claim
n_runs              int    -  *  posterior draws whose experiments ran
n_held              int    -  *  draws in which the claim held
n_not_run           int    -  *  draws in which it could not be evaluated
fraction_held       float  -  *  n_held / n_runs (claims.json: held_fraction)
fraction_held_low   float  -  *  lower end of its Wilson score 95 % interval
fraction_held_high  float  -  *  upper end of its Wilson score 95 % interval
most_influential    str    -  *  parameters most rank-correlated with the verdict
""", conditions=False),
    "draws_runs": table(
        "draws_runs", "posterior draw",
        "each posterior draw: its posterior row, every claim's status (claim1 ... claimN), then "
        "the values", """
run            int  -  *  draw number
posterior_row  int  -  *  0-based row of the posterior file the draw came from
failures       str  -  *  experiments that failed, 'name: error; ...'
"""),
    "sensitivity_runs": table(
        "sensitivity_runs", "parameter set",
        "each sampled parameter set: every claim's status (claim1 ... claimN), then the values",
        """
run       int  -  *  parameter set number
failures  str  -  *  experiments that failed, 'name: error; ...'
"""),
}

_PI = "90 % prediction interval"
TABLES |= {
    "twin_parameters": table(
        "twin_parameters", "sample x fitted parameter",
        "a digital twin's posterior of each patient parameter against its prior (tallrx twin)",
        """
sample        str    -  *  sample of the viability table
parameter     str    -  *  model parameter (cohort patient parameter or calibration posterior)
prior_median  float  -  *  prior median (cohort distributions)
prior_lower   float  -  *  prior 5 % quantile
prior_upper   float  -  *  prior 95 % quantile
median        float  -  *  posterior median
lower         float  -  *  posterior 5 % quantile
upper         float  -  *  posterior 95 % quantile
width_ratio   float  -  *  posterior / prior 90 % width (log scale if positive): ~1 = not identified
ess           float  -  *  effective sample size of the posterior weights
n_simulated   int    -  *  parameter sets simulated for this sample
tempering     float  -  *  g of the power posterior prior x likelihood**g (1 = exact Bayes)
""", conditions=False),
    "predicted_surface": table(
        "predicted_surface", "sample x IL7 x dose pair",
        "a twin's predicted prednisolone x MEK-inhibitor matrix (paper Fig. 5C design)", f"""
sample            str    -   *  sample
drug_a            str    -   *  prednisolone
drug_b            str    -   *  MEK inhibitor (selumetinib)
il7               float  ng/ml  *  IL7 in the medium
dose_a            float  uM  *  prednisolone dose
dose_b            float  uM  *  MEK-inhibitor dose
viability_median  float  %   *  predicted cell mean (3 wells), % of the own vehicle
viability_lower   float  %   *  lower end of the {_PI}
viability_upper   float  %   *  upper end of the {_PI}
model_median      float  %   .  posterior median of the noise-free model viability
""", conditions=False),
    "predicted_calls": table(
        "predicted_calls", "sample x IL7",
        "a twin's predicted CI, Bliss, synergy call and IL7-dependent resistance call", f"""
sample                     str    -  *  sample
drug_a                     str    -  *  prednisolone
drug_b                     str    -  *  MEK inhibitor (selumetinib)
il7                        float  ng/ml  *  IL7 in the medium of the matrix
ci_median                  float  -  *  predicted window-mean Chou-Talalay CI (< 1 synergy)
ci_lower                   float  -  *  lower end of its {_PI}
ci_upper                   float  -  *  upper end of its {_PI}
bliss_median               float  percentage_points  *  predicted mean Bliss excess (> 0 synergy)
bliss_lower                float  percentage_points  *  lower end of its {_PI}
bliss_upper                float  percentage_points  *  upper end of its {_PI}
synergy_call               str    -  *  most probable calibrated call: synergy | additive | antagonism
p_synergy                  float  -  *  share of posterior plates called synergy (incl. strong)
p_additive                 float  -  *  share called additive
p_antagonism               float  -  *  share called antagonism
p_undetermined             float  -  *  share whose statistic could not be computed
auc_fold_median            float  -  *  predicted prednisolone AUC(+IL7)/AUC(-IL7)
auc_fold_lower             float  -  *  lower end of its 90 % interval
auc_fold_upper             float  -  *  upper end of its 90 % interval
il7_dependent_resistant    bool   -  *  predicted IL7-dependent steroid resistant (probability > 0.5)
p_il7_dependent_resistant  float  -  *  posterior probability of that call
""", conditions=False),
}
