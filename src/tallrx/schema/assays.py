"""Schema entries of the molecular-assay tables: co-IP mass spectrometry (``tallrx coip``),
RT-qPCR (``tallrx qpcr``) and western blots (``tallrx blot``), inputs and results."""

from __future__ import annotations

from tallrx.schema._spec import table

#: other names of the sample column that the qPCR readers accept (a wide table's ``group``, ...)
QPCR_SAMPLE_ALIASES = ("sample_name", "group", "name", "condition")

_LANE = """
blot    str  -  *  blot (membrane) id
lane    int  -  *  1-based lane number
sample  str  -  *  sample loaded in the lane
"""

TABLES = {
    "coip": table(
        "coip", "IP sample x protein", "co-IP mass-spectrometry intensities (MaxQuant iBAQ)", """
experiment  str    -  *  MaxQuant experiment (raw-file group)
bait        str    -  *  bait protein of the IP (e.g. BCL2L11), or a control IP (IgG, beads)
sample      str    -  *  sample
protein     str    -  *  protein (gene name)
ibaq        float  iBAQ_intensity  *  iBAQ intensity (NaN: not detected)
replicate   int    -  *  biological replicate
source      str    -  .  measured | simulated
"""),
    "ratios": table(
        "ratios", "IP sample x protein", "each protein's iBAQ over its IP's bait iBAQ", """
experiment    str    -  *  MaxQuant experiment
bait          str    -  *  bait of the IP
sample        str    -  *  sample
protein       str    -  *  protein
ibaq          float  iBAQ_intensity  *  iBAQ intensity
replicate     int    -  *  biological replicate
source        str    -  .  measured | simulated
bait_protein  str    -  *  protein used as the bait
bait_ibaq     float  iBAQ_intensity  *  the bait's iBAQ in the IP
ratio         float  -  *  ibaq / bait_ibaq (binding per pulled-down bait)
imputed       bool   -  *  ratio from an imputed (not detected) intensity
"""),
    "binding": table(
        "binding", "protein x comparison x group", "bait-normalized binding and loss of binding",
        """
protein       str    -  *  protein
comparison    str    -  *  the comparison ('dox=+ vs dox=- | prednisolone=0')
group         str    -  *  reference | test side of the comparison
n             int    -  *  replicates
ratios        str    -  *  the replicate ratios, ';'-separated
ratio_mean    float  -  *  mean ratio to the bait
ratio_sd      float  -  *  standard deviation of the ratios
log2_fc       float  -  *  log2(test / reference) of ratio_mean
p_value       float  -  *  p of the comparison (t-test, or rank test with --method perseus)
q_value       float  -  *  Benjamini-Hochberg q
direction     str    -  *  up | down | mixed: direction in every replicate
interactor    bool   -  *  detected with the bait in every reference replicate
lost_binding  bool   -  *  interactor whose binding falls by at least --min-fold
flagged       bool   -  *  row needs a look (see message)
message       str    -  *  bait, not detected, too few replicates, ...
"""),
    "enrichment": table(
        "enrichment", "condition x protein", "bait IP against control IPs (IgG / beads)", """
protein          str    -  *  protein
ip_mean          float  iBAQ_intensity  *  mean iBAQ in the bait IPs (not detected = 0)
control_mean     float  iBAQ_intensity  *  mean iBAQ in the control IPs
log2_enrichment  float  -  *  log2(ip_mean / control_mean); inf when absent from the controls
p_value          float  -  *  Welch t-test on log2(iBAQ + 1)
enriched         bool   -  *  log2_enrichment >= log2(min_enrichment)
controls         str    -  *  the control samples used, ';'-separated
"""),
    "qpcr": table(
        "qpcr", "well x target", "RT-qPCR threshold cycles, one row per well and target", """
plate       str    -       *  plate (run) id
well        str    -       *  well name
sample      str    -       *  sample (NTC, NRT, standard for controls)
target      str    -       *  gene or dye measured
ct          float  cycles  *  threshold cycle (NaN: Undetermined)
replicate   int    -       *  biological replicate
task        str    -       .  unknown | ntc | nrt | standard | ...
quantity    float  -       .  input quantity of a standard (dilution series)
omit        bool   -       .  omitted in the instrument software
efficiency  float  -       .  amplification factor E (2 = 100 %)
exclude     bool   -       .  impossible or duplicated well, left out
message     str    -       .  why a well is excluded
source      str    -       .  measured | simulated
"""),
    "expression": table(
        "expression", "sample x condition x target", "relative expression (ddCt / Pfaffl)", """
sample               str    -       *  sample
target               str    -       *  target gene
relative_expression  float  -       *  2^-ddCt (or Pfaffl ratio) vs the baseline condition
sd                   float  -       *  standard deviation of the relative expression
lower                float  -       *  lower limit (2^-(ddCt + log2_sd))
upper                float  -       *  upper limit
n                    int    -       *  biological replicates
log2_fc              float  -       *  log2 relative expression
log2_sd              float  -       *  standard deviation of log2_fc
ddct                 float  cycles  .  dCt - dCt of the baseline (Livak method)
p_value              float  -       *  Welch t-test of log2_fc = 0
n_wells              int    -       *  wells used
n_undetermined       int    -       *  Undetermined wells
baseline             bool   -       *  the baseline group
flagged              bool   -       *  row needs a look (see message)
message              str    -       *  baseline, few replicates, ...
"""),
    "replicates": table(
        "replicates", "biological replicate x condition x target", "per-replicate ddCt steps", """
sample          str    -       *  sample
replicate       int    -       *  biological replicate
target          str    -       *  target gene
log2_rq         float  -       *  log2 relative quantity
rq              float  -       *  relative quantity 2^log2_rq
reason          str    -       *  why a replicate was left out
ct_mean         float  cycles  *  mean Ct of the technical wells
ct_range        float  cycles  *  max - min Ct of the technical wells
n_wells         int    -       *  technical wells
n_undetermined  int    -       *  Undetermined wells
n_excluded      int    -       *  excluded wells
ref_term        float  cycles  *  reference-gene term (mean Ct of the references)
dct             float  cycles  .  ct_mean - ref_term (Livak method)
baseline        bool   -       *  replicate of the baseline group
"""),
    "flags": table(
        "flags", "flagged well", "NTC / NRT / Undetermined / omitted / standard wells", """
plate   str    -       *  plate
well    str    -       *  well
sample  str    -       *  sample
target  str    -       *  target
ct      float  cycles  *  threshold cycle
task    str    -       *  task of the well
note    str    -       *  what was seen and done
""", conditions=False),
    "efficiency": table(
        "efficiency", "target", "amplification efficiency from a dilution series", """
target              str    -       *  target
slope               float  cycles  *  cycles per log10 quantity
intercept           float  cycles  *  Ct at quantity 1
r2                  float  -       *  coefficient of determination
efficiency          float  -       *  amplification factor E (2 = 100 %)
efficiency_percent  float  %       *  (E - 1) x 100
n_wells             int    -       *  standard wells
n_dilutions         int    -       *  distinct quantities
fit_ok              bool   -       *  efficiency usable
message             str    -       *  outside 90-110 %, fewer than 3 dilutions
""", conditions=False),
    "blots": table(
        "blots", "lane x band", "western-blot band intensities (densitometry)", _LANE + """
target     str    -  *  protein detected (pERK, ERK, GAPDH, BIM-EL upper, ...)
intensity  float  densitometry_units  *  background-corrected band volume
source     str    -  .  measured | simulated
"""),
    "bands": table(
        "bands", "lane x band", "band intensities normalized to loading and reference lane",
        _LANE + """
target      str    -  *  protein detected
intensity   float  densitometry_units  *  band volume
normalized  float  -  *  intensity / loading control, relative to the reference lane
source      str    -  .  measured | simulated
flagged     bool   -  *  band needs a look (see message)
message     str    -  *  saturated, missing loading control, ...
"""),
    "phospho": table(
        "phospho", "lane x phospho pair", "phospho / total ratio per lane", _LANE + """
phospho   float  densitometry_units  *  phospho-protein band
total     float  densitometry_units  *  total-protein band
ratio     float  -  *  phospho / total
relative  float  -  *  ratio relative to the reference lane
pair      str    -  *  'pERK/ERK'
"""),
    "perk": table(
        "perk", "lane", "pERK / ERK per lane (reproduce: Fig. 1C, 1E, 2)", _LANE + """
pERK      float  densitometry_units  *  pERK band
ERK       float  densitometry_units  *  ERK band
ratio     float  -  *  pERK / ERK
relative  float  -  *  ratio relative to the blot's reference lane
"""),
    "shift": table(
        "shift", "lane x band pair", "mobility shift: upper-band fraction", _LANE + """
upper     float  densitometry_units  *  upper (phosphorylated) band
lower     float  densitometry_units  *  lower band
fraction  float  -  *  upper / (upper + lower)
pair      str    -  *  'BIM-EL up/(BIM-EL up+BIM-EL low)'
"""),
    "bim_shift": table(
        "bim_shift", "lane x BIM isoform", "BIM upper-band fraction (reproduce: Fig. 2)",
        _LANE + """
upper       float  densitometry_units  *  upper band
lower       float  densitometry_units  *  lower band
fraction    float  -  *  upper / (upper + lower)
isoform     str    -  *  BIM-EL | BIM-L | BIM-S
upper_band  str    -  *  quantified | absent from the blot (BIM-S has no upper band)
"""),
    "lanes": table(
        "lanes", "lane", "lane boxes found in a blot image", """
lane  int  -   *  1-based lane
x0    int  px  *  left edge
x1    int  px  *  right edge (exclusive)
""", conditions=False),
    "band_windows": table(
        "band_windows", "target", "row window integrated for each band of a blot image", """
target    str  -   *  protein of the band
y0        int  px  *  top row
y1        int  px  *  bottom row (exclusive)
peak_row  int  px  *  row of the band's peak
""", conditions=False),
    "profiles": table(
        "profiles", "lane x image row", "lane intensity profiles and their background", """
lane        int    -  *  1-based lane
row         int    px  *  image row
signal      float  image_units  *  mean intensity across the lane
background  float  image_units  *  rolling-minimum background
""", conditions=False),
}
