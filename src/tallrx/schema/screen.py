"""Schema entries of the plate-screen tables: wells -> viability -> qc -> curves -> strata, the
IL7 analyses of ``tallrx screen`` and the drug-combination tables of ``tallrx synergy``.

Concentrations are uM after reading (``conc_unit`` says when a dose is in activity units); AUCs
are % viability x log10(uM) (100 % over a 4-log window = 400).
"""

from __future__ import annotations

from tallrx.schema._spec import table

_WELL = """
plate           str    -     *  plate id (file stem or layout plate column)
well            str    -     *  well name, no zero padding ('B7'; tallrx.plate)
row             int    -     .  1-based plate row (A = 1)
col             int    -     .  1-based plate column
sample          str    -     *  sample (PDX, cell line, genotype)
drug_a          str    -     *  drug (empty for vehicle and blank wells)
conc_a          float  uM    *  dose of drug_a (0 for vehicle)
drug_b          str    -     *  second drug of a combination well (empty otherwise)
conc_b          float  uM    *  dose of drug_b (0 when none)
role            str    -     *  treated | vehicle | blank | positive
signal          float  instrument_units  *  raw plate-reader signal
replicate       int    -     *  replicate number within the treatment
"""
_WELL_TAIL = """
source          str    -     .  measured | simulated
conc_unit       str    -     .  unit of conc_a when it is not uM (activity units such as U/l)
conc_unit_b     str    -     .  unit of conc_b when it is not uM
vehicle         str    -     .  vehicle of the well (DMSO, PBS, ...)
"""
_EXCLUDE = """
exclude         bool   -     {flag}  well left out of every calculation (QC, missing signal)
exclude_reason  str    -     {flag}  why the well is excluded or flagged ('; '-joined)
"""

TABLES = {
    "wells": table(
        "wells", "well", "one plate-reader reading joined to its layout entry",
        _WELL + _WELL_TAIL + _EXCLUDE.format(flag=".")),
    "viability": table(
        "viability", "well x normalization", "wells normalized to % of their vehicle wells",
        _WELL + """
viability       float  %     *  (signal - blank) / (vehicle - blank) x 100
""" + _EXCLUDE.format(flag="*") + _WELL_TAIL + """
reference       str    -     .  normalization: 'own' vehicle, or e.g. 'il7=0' (+IL7 wells vs -IL7 vehicle)
blank_signal    float  instrument_units  .  mean blank signal subtracted (NaN: no blank)
vehicle_signal  float  instrument_units  .  mean vehicle signal = 100 %
n_vehicle       int    -     .  vehicle wells in the mean
"""),
    "qc": table(
        "qc", "plate x sample x condition", "plate quality control of one normalization group",
        """
plate                str    -  *  plate id
sample               str    -  *  sample
n_wells              int    -  *  wells in the group
n_vehicle            int    -  *  usable vehicle wells (high control)
n_low                int    -  *  usable low-control wells
low_control          str    -  *  positive | positive (plate) | blank | '' (none): the low control
z_prime              float  -  *  Z' = 1 - 3 (sd_high + sd_low) / |mean_high - mean_low|
robust_z_prime       float  -  *  Z' with median and 1.4826 x MAD
ssmd                 float  -  *  strictly standardized mean difference high vs low
vehicle_cv           float  %  *  coefficient of variation of the vehicle signals
n_below_blank        int    -  *  wells reading below the mean blank
n_outliers           int    -  *  outlier vehicle wells (robust z > 3)
edge_ratio           float  -  *  exp(median log(edge / inner signal)) of the plate
edge_p               float  -  *  Wilcoxon signed-rank p of the edge effect
edge_n               int    -  *  edge wells with inner replicates in the test
z_prime_pass         bool   -  *  z_prime >= 0.5 (NA when not computable)
robust_z_prime_pass  bool   -  *  robust_z_prime >= 0.5
ssmd_pass            bool   -  *  ssmd >= 3
vehicle_cv_pass      bool   -  *  vehicle_cv <= 20 %
edge_pass            bool   -  *  no edge effect (p >= 0.05 or change < 10 %)
qc_pass              bool   -  *  every computable check passes
note                 str    -  *  what was missing or used instead
"""),
    "curves": table(
        "curves", "sample x condition x drug (x normalization)",
        "one four-parameter log-logistic (LL.4) fit per dose-response curve", """
sample             str    -   *  sample
drug_a             str    -   *  drug
n                  int    -   *  wells in the fit
n_conc             int    -   .  distinct doses
ic50               float  uM  *  relative IC50 (inflection of the fitted curve)
ic50_se            float  uM  .  standard error of ic50 (delta method)
hill               float  -   *  Hill slope (> 0: viability falls with dose)
hill_se            float  -   .  standard error of hill
top                float  %   *  upper plateau
top_se             float  %   .  standard error of top
bottom             float  %   *  lower plateau
bottom_se          float  %   .  standard error of bottom
emax               float  %   *  fitted viability at the highest dose
auc                float  %_x_log10(uM)  *  area under the measured points (trapezoids) in the window
auc_fit            float  %_x_log10(uM)  *  area under the fitted curve in the window
auc_max            float  %_x_log10(uM)  *  100 % over the window (400 for 4 logs)
auc_window_low     float  uM  .  lower end of the AUC window
auc_window_high    float  uM  .  upper end of the AUC window
r2                 float  -   *  coefficient of determination of the fit
ic50_rel           float  uM  .  relative IC50 (= ic50)
ic50_abs           float  uM  .  absolute IC50: dose giving 50 % viability (NaN if never reached)
ic50_extrapolated  bool   -   *  ic50 outside the tested doses
flat               bool   -   .  not better than a constant (F-test)
p_flat             float  -   .  p of the F-test against a constant
at_bound           bool   -   .  a parameter ended at its bound
fit_ok             bool   -   *  fit converged and usable
message            str    -   *  why a fit is flagged or missing
dss1               float  -   .  drug sensitivity score type 1 (Yadav 2014; % viability input only)
dss2               float  -   .  DSS type 2: dss1 / log10(max inhibition); 0 ... 50
dss3               float  -   .  DSS type 3: dss2-like, weighted by the active share of the range
dss_top            float  %   .  max inhibition of the DSS's own constrained fit
dss_ic50           float  uM  .  IC50 of the DSS's constrained fit (inside the tested range)
dss_hill           float  -   .  slope of the DSS's constrained fit (0.1 ... 2.5)
sdss               float  -   .  selective DSS: dss2 - healthy donors' mean (--controls)
zdss               float  -   .  (dss2 - donors' mean) / (donors' sd + 1) (--controls)
rdss               float  -   .  (dss2 - donors' median) / (donors' MAD + 1) (--controls)
n_controls         int    -   .  healthy donors with a DSS of this drug (--controls)
auc_z              float  -   .  z-score of log10 auc among the run's samples, same drug and condition (--cohort)
source             str    -   .  measured | simulated
reference          str    -   c  normalization of the viability fitted ('own', 'il7=0')
"""),
    "strata": table(
        "strata", "sample (x drug)", "IL7-responsive and IL7-dependent steroid-resistant calls",
        """
sample                     str    -   *  sample
drug_a                     str    -   *  drug whose AUC fold defines IL7 response
il7                        float  ng/ml  c  the +IL7 dose (column named by --condition)
auc_without                float  %_x_log10(uM)  *  AUC without IL7
auc_with                   float  %_x_log10(uM)  *  AUC with IL7 (relative to the -IL7 vehicle)
auc_fold                   float  -   *  auc_with / auc_without
il7_responsive             bool   -   *  auc_fold > 1.5 (Fig. 1D)
il7_dependent_resistant    bool   -   *  responsive and auc_with >= 175 (Fig. 5B)
above_auc_max              bool   -   .  auc_with above 100 % of the window (IL7-enhanced growth)
p_il7_responsive           float  -   .  bootstrap probability of the responsive call
p_il7_dependent_resistant  float  -   .  bootstrap probability of the dependent-resistant call
auc_fold_low               float  -   .  2.5 % bootstrap quantile of auc_fold
auc_fold_high              float  -   .  97.5 % bootstrap quantile of auc_fold
n_boot                     int    -   .  bootstrap draws
message                    str    -   .  why a call is missing
"""),
    "il7_enhanced_viability": table(
        "il7_enhanced_viability", "sample x +IL7 dose",
        "vehicle viability with IL7 relative to without (Fig. 5B x axis)", """
sample              str    -   *  sample
il7                 float  ng/ml  c  the IL7 dose (column named by --condition)
enhanced_viability  float  %   *  mean +IL7 vehicle viability, % of the -IL7 vehicle
sd                  float  %   *  standard deviation over the vehicle wells
n_vehicle           int    -   *  vehicle wells
message             str    -   .  why a value is missing
"""),
    "delta_auc_points": table(
        "delta_auc_points", "sample x drug",
        "IL7 sensitivity gain of a drug against IL7-enhanced viability (Fig. 5B points)", """
sample              str    -   *  sample
drug_a              str    -   *  drug
il7                 float  ng/ml  c  the IL7 dose
enhanced_viability  float  %   *  IL7-enhanced vehicle viability
delta_auc           float  -   *  AUC fold of the drug, auc_with / auc_without (< 1: IL7 sensitizes)
auc_without         float  %_x_log10(uM)  *  drug AUC without IL7
auc_with            float  %_x_log10(uM)  *  drug AUC with IL7
"""),
    "delta_auc_regression": table(
        "delta_auc_regression", "drug", "least-squares line delta_auc ~ enhanced_viability", """
drug_a     str    -  *  drug
slope      float  1/%  *  slope of delta_auc per % enhanced viability
intercept  float  -  *  intercept
r2         float  -  *  coefficient of determination
p          float  -  *  two-sided p of slope = 0
stderr     float  1/%  *  standard error of the slope
n          int    -  *  samples in the regression
message    str    -  *  why a regression is missing
""", conditions=False),
    "resistant_groups": table(
        "resistant_groups", "sample", "the resistant PDX samples chosen for Fig. 1E and 5B-C", """
sample       str    -  *  sample
group        str    -  *  IL7-dependent | IL7-independent
auc_without  float  %_x_log10(uM)  *  prednisolone AUC without IL7
auc_with     float  %_x_log10(uM)  *  prednisolone AUC with IL7
auc_fold     float  -  *  auc_with / auc_without
""", conditions=False),
    "combinations": table(
        "combinations", "sample x condition x drug pair", "synergy scores of one combination",
        """
sample      str    -  *  sample
drug_a      str    -  *  first drug
drug_b      str    -  *  second drug
design      str    -  .  matrix | fixed_dose | constant_ratio
ratio       float  -  .  dose ratio conc_b / conc_a of a constant-ratio design
ci_mean     float  -  *  mean Chou-Talalay combination index (the paper's number)
ci_gmean    float  -  .  geometric mean CI
ci_median   float  -  .  median CI
ci_n        int    -  .  combination points with a CI
ci_low      float  -  .  lower 95 % limit (delta method, or bootstrap) of the CI statistic
ci_high     float  -  .  upper 95 % limit (delta method, or bootstrap) of the CI statistic
ci_ed50     float  -  .  CI at 50 % effect (median-effect fit of a ray)
ci_ed75     float  -  .  CI at 75 % effect
ci_ed90     float  -  .  CI at 90 % effect
ci_ed95     float  -  .  CI at 95 % effect
bliss       float  percentage_points  *  mean excess over Bliss independence (> 0 synergy)
hsa         float  percentage_points  *  mean excess over the highest single agent
loewe       float  percentage_points  *  mean excess over Loewe additivity
zip         float  percentage_points  *  mean ZIP delta score
call        str    -  *  calibrated call: strong synergy | synergy | additive | antagonism | not scored
p_value     float  -  .  p of the call against the noise-calibrated null
naive_call  str    -  .  call from the paper's CI bands alone
noise_sd    float  %  .  replicate noise sd used by the calibration
fit_ok      bool   -  *  scores computed
message     str    -  *  why a score is flagged or missing
"""),
    "surface": table(
        "surface", "sample x condition x drug pair x dose pair",
        "the dose-response surface and every model's reference at each dose pair", """
sample           str    -   *  sample
drug_a           str    -   *  first drug
drug_b           str    -   *  second drug
conc_a           float  uM  *  dose of drug_a
conc_b           float  uM  *  dose of drug_b
n                int    -   *  wells averaged
viability        float  %   *  mean viability
ratio            float  -   .  conc_b / conc_a
bliss_ref        float  %   *  Bliss-independence expected viability
bliss            float  percentage_points  *  bliss_ref - viability
hsa_ref          float  %   *  highest-single-agent expected viability
hsa              float  percentage_points  *  hsa_ref - viability
loewe_ref        float  %   *  Loewe-additive expected viability
loewe            float  percentage_points  *  loewe_ref - viability
zip_ref          float  %   *  ZIP expected viability
zip_fit          float  %   .  ZIP-smoothed observed viability
zip              float  percentage_points  *  ZIP delta
fa               float  -   .  fraction affected (1 - viability / 100)
ci               float  -   .  Chou-Talalay combination index
dri_a            float  -   .  dose-reduction index of drug_a
dri_b            float  -   .  dose-reduction index of drug_b
ci_extrapolated  bool   -   *  a Dx beyond a drug's tested doses was needed
loewe_capped     bool   -   *  the Loewe reference hit a single drug's plateau
"""),
    "median_effect": table(
        "median_effect", "sample x condition x drug pair x series",
        "Chou's median-effect fits log(fa/fu) = m log(D) - m log(Dm)", """
sample     str    -   *  sample
drug_a     str    -   *  first drug
drug_b     str    -   *  second drug
group      str    -   *  readable group label
series     str    -   *  the drug (single) or the mixture series
kind       str    -   *  single | mixture (one constant-ratio series of both drugs)
ratio      float  -   .  conc_b / conc_a of a mixture series
m          float  -   *  median-effect slope
dm         float  uM  *  median-effect dose Dm
r          float  -   *  linear correlation of the median-effect plot
r2         float  -   *  r squared
n          int    -   *  points in the fit
n_dropped  int    -   *  points outside 0 < fa < 1
fit_ok     bool   -   *  fit usable
"""),
}
