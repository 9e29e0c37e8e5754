"""Seeded simulation of combination plates (no interaction or real synergy), as arrays or tidy tables.

Used by the calibrated call (null plates from a sample's own single-agent fits), by the tests and
by the benchmark; the tables it writes go through the same analysis as measured data.

Single drugs follow four-parameter log-logistic curves in % viability (top 100 = untreated).
Interaction models for the combination surface:

``bliss``
    no interaction: V = V_a(d_a) V_b(d_b) / 100.
``sensitize``
    real synergy of the steroid-resistance kind (MEK inhibition restores steroid killing): drug a's
    maximal kill grows with drug b's effect, bottom_a(d_b) = bottom_a (1 - kappa e_b(d_b)) with
    e_b = 1 - V_b / 100 the fraction drug b kills, then V = V_a(d_a | d_b) V_b(d_b) / 100.
    ``kappa`` = 0 is Bliss; the default 1.0 gives mean CIs in the range Fig. 5C reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tallrx.analysis.curves import ll4

__all__ = [
    "DrugModel",
    "PREDNISOLONE_LIKE",
    "MEKI_LIKE",
    "BENCH_A",
    "BENCH_B",
    "matrix_doses",
    "simulate_surface",
    "simulate_plates",
    "simulate_table",
    "simulate_synergyfinder",
    "PANEL",
]


@dataclass(frozen=True)
class DrugModel:
    """A single drug's 4PL curve in % viability (ic50 in uM) and the tested doses (uM, > 0)."""

    name: str
    bottom: float
    ic50: float
    hill: float
    doses: tuple[float, ...]
    top: float = 100.0

    def viability(self, d, bottom=None):
        return ll4(d, self.bottom if bottom is None else bottom, self.top, self.ic50, self.hill)


# The null scenario: a prednisolone-like drug killing at most 25 % and a MEK-inhibitor-like
# drug killing at most 70 %, each tested at 7 doses across its active range (the "therapeutic
# window" a lab would test) plus vehicle; 2 replicate wells per dose pair by default.
PREDNISOLONE_LIKE = DrugModel(
    "prednisolone", bottom=75.0, ic50=3.0, hill=1.0, doses=tuple(np.geomspace(0.3, 100.0, 7))
)
MEKI_LIKE = DrugModel(
    "selumetinib", bottom=30.0, ic50=0.3, hill=1.2, doses=tuple(np.geomspace(0.03, 3.0, 7))
)
BENCH_A, BENCH_B = PREDNISOLONE_LIKE, MEKI_LIKE  # the benchmark's and tests' design


def matrix_doses(a: DrugModel, b: DrugModel, replicates: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Well doses (uM) of a full checkerboard incl. the zero row/column, ``replicates`` wells each."""
    da = np.concatenate([[0.0], np.asarray(a.doses, float)])
    db = np.concatenate([[0.0], np.asarray(b.doses, float)])
    g1, g2 = np.meshgrid(da, db, indexing="ij")
    return np.tile(g1.ravel(), replicates), np.tile(g2.ravel(), replicates)


def simulate_surface(
    d1, d2, a: DrugModel, b: DrugModel, *, model: str = "bliss", kappa: float = 1.0
) -> np.ndarray:
    """Noise-free % viability at dose pairs (uM) under an interaction ``model``."""
    d1 = np.asarray(d1, float)
    d2 = np.asarray(d2, float)
    vb = b.viability(d2)
    if model == "bliss":
        return a.viability(d1) * vb / 100.0
    if model == "sensitize":
        eb = 1.0 - vb / 100.0
        return a.viability(d1, bottom=a.bottom * (1.0 - kappa * eb)) * vb / 100.0
    raise ValueError(f"unknown interaction model {model!r}; use 'bliss' or 'sensitize'")


def simulate_plates(mean: np.ndarray, sd, n_plates: int, rng: np.random.Generator) -> np.ndarray:
    """``n_plates`` noisy copies (n_plates, n_wells) of per-well means with Gaussian noise ``sd``
    (percentage points; scalar or per plate). Viability above 100 is kept."""
    mean = np.asarray(mean, float)
    sd = np.broadcast_to(np.asarray(sd, float).reshape(-1), (n_plates,))[:, None]
    shape = (n_plates, mean.shape[-1])
    return np.broadcast_to(mean, shape) + sd * rng.standard_normal(shape)


def simulate_table(
    n_samples: int = 4,
    *,
    a: DrugModel = PREDNISOLONE_LIKE,
    b: DrugModel = MEKI_LIKE,
    model: str = "bliss",
    kappa: float = 1.0,
    sd: float = 3.0,
    replicates: int = 2,
    seed: int = 0,
) -> pd.DataFrame:
    """A tidy viability table of ``n_samples`` checkerboards (sample s1..sN), seeded.

    Every well names both drugs (one dose possibly 0); ``source`` = simulated.
    """
    rng = np.random.default_rng(seed)
    d1, d2 = matrix_doses(a, b, replicates)
    mu = simulate_surface(d1, d2, a, b, model=model, kappa=kappa)
    v = simulate_plates(mu, sd, n_samples, rng)
    n_w = len(d1)
    rep = np.repeat(np.arange(1, replicates + 1), n_w // replicates)
    return pd.DataFrame(
        {
            "sample": np.repeat([f"s{i + 1}" for i in range(n_samples)], n_w),
            "drug_a": a.name,
            "conc_a": np.tile(d1, n_samples),
            "drug_b": b.name,
            "conc_b": np.tile(d2, n_samples),
            "viability": v.ravel(),
            "replicate": np.tile(rep, n_samples),
            "exclude": False,
            "source": "simulated",
        }
    )


# a panel of drug models for screen-like files (6 x 6 blocks: vehicle + 5 doses of each drug)
PANEL = (
    DrugModel("prednisolone", bottom=70.0, ic50=3.0, hill=1.0, doses=(0.3, 1.0, 3.0, 10.0, 30.0)),
    DrugModel("selumetinib", bottom=30.0, ic50=0.3, hill=1.2, doses=(0.03, 0.1, 0.3, 1.0, 3.0)),
    DrugModel("ruxolitinib", bottom=50.0, ic50=1.0, hill=1.0, doses=(0.1, 0.3, 1.0, 3.0, 10.0)),
    DrugModel("venetoclax", bottom=10.0, ic50=0.05, hill=1.5, doses=(0.005, 0.016, 0.05, 0.16, 0.5)),
    DrugModel("bortezomib", bottom=5.0, ic50=0.01, hill=2.0, doses=(0.002, 0.005, 0.01, 0.02, 0.05)),
)


def simulate_synergyfinder(
    n_blocks: int = 20,
    *,
    panel: tuple[DrugModel, ...] = PANEL,
    model: str = "bliss",
    sd: float = 3.0,
    seed: int = 0,
) -> pd.DataFrame:
    """A SynergyFinder-format table (block_id, drug_row, drug_col, conc_r, conc_c, response,
    conc_r_unit, conc_c_unit) of ``n_blocks`` 6 x 6 checkerboards (one well per dose pair),
    % viability, drug pairs cycling through ``panel``; seeded. Blocks are numbered from 1."""
    rng = np.random.default_rng(seed)
    pairs = [(x, y) for i, x in enumerate(panel) for y in panel[i + 1 :]]
    parts = []
    for k in range(n_blocks):
        a, b = pairs[k % len(pairs)]
        d1, d2 = matrix_doses(a, b, replicates=1)
        v = simulate_plates(simulate_surface(d1, d2, a, b, model=model), sd, 1, rng)[0]
        parts.append(
            pd.DataFrame(
                {
                    "block_id": k + 1,
                    "drug_row": a.name,
                    "drug_col": b.name,
                    "conc_r": d1,
                    "conc_c": d2,
                    "response": np.round(v, 3),
                    "conc_r_unit": "uM",
                    "conc_c_unit": "uM",
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
