"""Cut the virtual lab's tables (from `tallrx reproduce`) to the tutorials' examples.

Used by docs/make_figures.sh: ``python docs/subset_tables.py REPRODUCE_TABLES OUT_DIR``. Writes
``qpcr.csv`` (two JAK1 lines, Fig. 3), ``coip.csv`` (the Fig. 4A NRAS G12D IPs) and
``blots.csv`` (induced JAK1 T901A over selumetinib doses, Fig. 2D), keeping only
the condition columns that vary, as a lab's own export would.
"""

import sys
from pathlib import Path

import pandas as pd

tables, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)

qpcr = pd.read_csv(tables / "fig3_qpcr.csv")
qpcr = qpcr[qpcr["sample"].isin(["JAK1_WT", "JAK1_T901A"])].drop(columns=["genotype"])
qpcr["prednisolone"] = qpcr["prednisolone"].round(1)  # 250 ug/ml = 693.6 uM
qpcr.to_csv(out / "qpcr.csv", index=False)

coip = pd.read_csv(tables / "fig4_coip.csv")
coip = coip[coip["ip_set"] == "fig4a"]
coip = coip.drop(columns=[c for c in coip.columns if c not in ("sample", "protein", "ibaq", "bait",
                                                                "experiment", "replicate", "source")
                          and coip[c].nunique(dropna=False) < 2])
coip["prednisolone"] = coip["prednisolone"].round(1)
coip["sample"] = coip["sample"].str.replace(r"treatment= |ip_set=fig4a ", "", regex=True)
coip.to_csv(out / "coip.csv", index=False)

blots = pd.read_csv(tables / "fig2_blots.csv")
blots = blots[blots["blot"] == "fig2de_JAK1_T901A_selumetinib"]
blots = blots.drop(columns=[c for c in blots.columns if c not in ("blot", "lane", "sample", "target",
                                                                  "intensity", "source")
                            and blots[c].nunique(dropna=False) < 2])
blots["sample"] = [f"selumetinib {c:g} uM" for c in blots["selumetinib"]]
blots.to_csv(out / "blots.csv", index=False)
