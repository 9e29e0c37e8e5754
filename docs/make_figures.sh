#!/usr/bin/env bash
# Re-make the docs figures (docs/img/*.png) by running tallrx on the bundled examples and on the
# virtual lab of `tallrx reproduce`, exactly as the tutorials show. About 5 minutes on 2 quiet cores.
# Usage: bash docs/make_figures.sh [WORK_DIR]   (default out/docs; run from the repository root)
set -euo pipefail
OUT=${1:-out/docs}
TX=${TALLRX:-.venv/bin/tallrx}
EX=src/tallrx/data/examples
IMG=${DOCS_IMG:-docs/img}   # DOCS_IMG=/tmp/x to compare with the committed figures
mkdir -p "$OUT" "$IMG"

# plate screen: the bundled synthetic 46-sample +/-IL7 PDX screen
$TX screen $EX/pdx_screen/layout.csv $EX/pdx_screen/plates/*.csv -o "$OUT/screen"
# the paper re-derived in silico; its tables/ are a virtual lab's files for the assay tutorials
$TX reproduce -o "$OUT/reproduce" --seed 0
T="$OUT/reproduce/tables"
$TX synergy "$T/fig5c_viability.csv" -o "$OUT/synergy" --seed 0
${PYTHON:-.venv/bin/python} docs/subset_tables.py "$T" "$OUT/lab"    # a lab-sized cut of the virtual lab
$TX qpcr "$OUT/lab/qpcr.csv" --target BCL2L11 --target MCL1 --reference GAPDH \
    --baseline dox=0 --baseline prednisolone=0 -o "$OUT/qpcr"
$TX coip "$OUT/lab/coip.csv" -o "$OUT/coip"
$TX blot "$OUT/lab/blots.csv" --loading ACTB --phospho pERK:ERK --shift BIM-EL_p:BIM-EL -o "$OUT/blot"
# the model: one well's time course, plotted by the snippet in docs/tutorials/model.md
${PYTHON:-.venv/bin/python} docs/model_figure.py "$IMG/model_timecourse.png"

cp "$OUT/screen/figures/fig1d_paired_auc.png" "$IMG/screen_fig1d_paired_auc.png"
cp "$OUT/screen/figures/fig5b_delta_auc_ruxolitinib.png" "$IMG/screen_fig5b_ruxolitinib.png"
cp "$OUT/screen/figures/qc_plate_PDX01_plate1.png" "$IMG/screen_qc_plate.png"
cp "$OUT/synergy/figures/ci_dot_plot.png" "$IMG/synergy_ci_dot_plot.png"
cp "$OUT/synergy/figures/block1_heatmaps.png" "$IMG/synergy_heatmaps.png"
cp "$OUT/synergy/figures/block1_isobologram.png" "$IMG/synergy_isobologram.png"
cp "$OUT/qpcr/figures/fig3_expression.png" "$IMG/qpcr_fig3_expression.png"
cp "$OUT/coip/figures/fig4a_binding.png" "$IMG/coip_fig4a_binding.png"
cp "$OUT/blot/figures/blot_upper_band_fraction.png" "$IMG/blot_upper_band_fraction.png"
cp "$OUT/reproduce/figures/claim7.png" "$IMG/reproduce_claim7.png"
cp "$OUT/reproduce/figures/claim1.png" "$IMG/reproduce_claim1.png"
ls -l "$IMG"   # each figure stays under 200 kB (tests/test_docs.py checks)
