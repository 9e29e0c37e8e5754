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

:func:`simulate_synergyfinder` writes screen-like files in the SynergyFinder format and
:func:`messy_synergyfinder` the same with every kind of bad block a real screen holds (a sham
block, a failed plate, NaN responses, a missing untreated well, ...), to try and test how tallrx
flags them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tallrx.analysis.doseresponse.curves import ll4

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
    "messy_synergyfinder",
    "sham_block",
    "MESSY_KINDS",
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
    DrugModel(
        "venetoclax", bottom=10.0, ic50=0.05, hill=1.5, doses=(0.005, 0.016, 0.05, 0.16, 0.5)
    ),
    DrugModel(
        "bortezomib", bottom=5.0, ic50=0.01, hill=2.0, doses=(0.002, 0.005, 0.01, 0.02, 0.05)
    ),
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


# bad block kind -> does it become a scored row (True) or a "not scored" row (False)?
MESSY_KINDS = {
    "sham": True,
    "failed_plate": False,
    "nan_responses": True,  # the NaN wells are left out (noted), the rest is scored
    "no_untreated_well": True,  # (0, 0) taken as 100 % by definition (noted)
    "single_concentration": True,  # scored; the CI needs >= 2 doses -> fit_ok False
    "ragged": False,
    "nan_concentration": False,
    "inf_concentration": False,
    "all_dead": True,  # scored; no CI (every effect is 100 %) -> fit_ok False
    "flat": True,  # scored; no dose-dependent effect -> fit_ok False
}


def sham_block(block_id: int, sd: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """A 6 x 6 sham block: prednisolone-like drug (bottom 0, so the median-effect model is exact)
    combined with itself under dose addition, % viability with Gaussian noise ``sd``."""
    doses = np.r_[0.0, 0.3, 1.0, 3.0, 10.0, 30.0]
    g1, g2 = np.meshgrid(doses, doses, indexing="ij")
    v = ll4(g1.ravel() + g2.ravel(), 0.0, 100.0, 3.0, 1.0)
    v = v + sd * np.random.default_rng(seed).standard_normal(v.size)
    return pd.DataFrame(
        {
            "block_id": block_id,
            "drug_row": "prednisolone",
            "drug_col": "prednisolone",
            "conc_r": g1.ravel(),
            "conc_c": g2.ravel(),
            "response": v,
            "conc_r_unit": "uM",
            "conc_c_unit": "uM",
        }
    )


def _damaged(kind: str, blk: pd.DataFrame) -> pd.DataFrame:
    blk = blk.copy()
    zero = (blk.conc_r == 0) & (blk.conc_c == 0)
    if kind == "failed_plate":
        blk["response"] = blk["response"] * 0.02  # untreated wells read ~2 %
    elif kind == "nan_responses":
        blk.loc[blk.index[[8, 20]], "response"] = np.nan
    elif kind == "no_untreated_well":
        blk = blk[~zero]
    elif kind == "single_concentration":
        lo_r, lo_c = np.sort(blk.conc_r.unique())[1], np.sort(blk.conc_c.unique())[1]
        blk = blk[blk.conc_r.isin([0, lo_r]) & blk.conc_c.isin([0, lo_c])]
    elif kind == "ragged":
        combo = blk.index[(blk.conc_r > 0) & (blk.conc_c > 0)]
        blk = blk.drop(index=combo[[3, 11]])
    elif kind == "nan_concentration":
        blk.loc[blk.index[15], "conc_r"] = np.nan
    elif kind == "inf_concentration":
        blk.loc[blk.index[15], "conc_c"] = np.inf
    elif kind == "all_dead":
        blk["response"] = np.where(zero, 100.0, 0.0)
    elif kind == "flat":
        blk["response"] = 100.0 + np.random.default_rng(4).normal(0, 2, len(blk))
    return blk


def messy_synergyfinder(n_good: int = 40, seed: int = 1) -> tuple[pd.DataFrame, dict[int, str]]:
    """(SynergyFinder table, {block_id: bad kind}): ``n_good`` simulated 6 x 6 blocks with one
    block of each kind in ``MESSY_KINDS`` spread among them; each bad block (except the sham, a
    drug combined with itself under dose addition: expected CI 1, Loewe excess 0) is a damaged copy
    of a simulated block."""
    kinds = list(MESSY_KINDS)
    n = n_good + len(kinds)
    base = simulate_synergyfinder(n, seed=seed)
    where = np.linspace(3, n - 1, len(kinds)).astype(int)
    at = {int(k): kind for k, kind in zip(where, kinds, strict=True)}
    parts = []
    for bid, blk in base.groupby("block_id", sort=True):
        kind = at.get(int(bid))
        if kind == "sham":
            parts.append(sham_block(int(bid), sd=1.0, seed=seed))
        elif kind is not None:
            parts.append(_damaged(kind, blk))
        else:
            parts.append(blk)
    return pd.concat(parts, ignore_index=True), at
