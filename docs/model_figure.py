"""The model tutorial's figure: NRAS G12D cells on prednisolone, with and without selumetinib.

Run by docs/make_figures.sh: ``python docs/model_figure.py docs/img/model_timecourse.png``.
The simulation part is the snippet shown in docs/tutorials/model.md.
"""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from tallrx.model import simulate_batch  # noqa: E402

hours = list(np.linspace(0, 96, 25))
cond = pd.DataFrame({"genotype": "NRAS_G12D", "dox": [0, 1, 1], "prednisolone": 693.6,
                     "selumetinib": [0.0, 0.0, 10.0]})
res = simulate_batch(cond, hours=hours, observables=["pERK", "pBIM_EL", "viable_cells"])

labels = {0: "-dox, prednisolone", 1: "+dox (NRAS G12D), prednisolone",
          2: "+dox, prednisolone + selumetinib 10 uM"}
fig, axes = plt.subplots(1, 3, figsize=(10, 3.0))
for ax, obs in zip(axes, ["pERK", "pBIM_EL", "viable_cells"], strict=True):
    for sim_id, grp in res.table[res.table["observable"] == obs].groupby("sim_id"):
        ax.plot(grp["time_h"], grp["value"], label=labels[int(sim_id)])
    ax.set_title(obs)
    ax.set_xlabel("hours")
axes[0].set_ylabel("fraction / relative")
axes[2].legend(fontsize=7, frameon=False)
fig.tight_layout()
fig.savefig(sys.argv[1] if len(sys.argv) > 1 else "model_timecourse.png", dpi=90)
