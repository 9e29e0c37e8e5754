"""A seeded synthetic 46-sample +/-IL7 five-drug PDX screen with known ground truth.

It mimics the paper's PDX screen (Methods; Fig. 1D, 5A): one 384-well plate per sample, the outer
ring left empty, two conditions (IL7 0 and 25 ng/ml), five drugs at nine half-log doses over 4 logs
in triplicate, 12 vehicle (DMSO) and 4 blank wells per condition, read as ATPlite luminescence.

Ground truth per sample (returned in ``SyntheticScreen.truth``):
- ``il7_enhanced``: vehicle viability with IL7 relative to without (1.0 = no effect);
- ``il7_responsive``: 12 of 46 samples (26 %, Fig. 1D) whose prednisolone resistance rises with IL7
  so that AUC(+IL7) / AUC(-IL7) is well above 1.5; half of them IL7-dependent steroid resistant;
- per-drug IC50s (uM) and bottoms (%). Ruxolitinib does nothing without IL7 (Fig. 5A); with IL7 it
  removes the IL7 survival boost, so its sensitivity gain grows with ``il7_enhanced`` (Fig. 5B).
  MEK inhibitors kill most samples (Fig. 5A).

The signal model: signal = background + scale * viable fraction * (1 + e_mult) + e_add, with
multiplicative noise sd 6 % and additive noise sd 1 % of scale. This generator will later be replaced
by the mechanistic model's virtual cohort; it exists so the measure half has realistic inputs now.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tallrx._atomic import atomic_dir
from tallrx.analysis.doseresponse.curves import auc_ll4
from tallrx.paper import IL7_NG_ML, IL7_RESPONSIVE_OF_46, PDX_COHORT_SIZE
from tallrx.plate import PLATE_SHAPES, parse_well, row_letter, well_name

# drug -> (lowest dose uM, highest dose uM): nine half-log steps over four logs
SCREEN_DRUGS: dict[str, tuple[float, float]] = {
    "prednisolone": (10**-2.5, 10**1.5),
    "ruxolitinib": (1e-3, 10.0),
    "selumetinib": (1e-3, 10.0),
    "trametinib": (1e-4, 1.0),
    "binimetinib": (1e-3, 10.0),
}
N_SAMPLES = PDX_COHORT_SIZE
N_IL7_RESPONSIVE = IL7_RESPONSIVE_OF_46
#: the screen's plate: 384 wells, 16 rows x 24 columns
ROWS, COLS = PLATE_SHAPES[384]


@dataclass(frozen=True)
class SyntheticScreen:
    """The generated layout (uM, one row per used well), the signals and the ground truth."""

    layout: pd.DataFrame
    signals: pd.DataFrame  # plate, well, signal
    truth: pd.DataFrame  # one row per sample


def _doses(drug: str) -> np.ndarray:
    low, high = SCREEN_DRUGS[drug]
    return np.logspace(np.log10(low), np.log10(high), 9)


def _inner_wells() -> list[str]:
    """The wells inside the outer ring (B2 ... O23), row by row."""
    return [well_name(r, c) for r in range(2, ROWS) for c in range(2, COLS)]


def _prednisolone_aucs(ic50, ic50_il7, bottom, enhanced, hill):
    """True prednisolone AUCs (-IL7, +IL7; % x log10 uM, both relative to the -IL7 vehicle)."""
    low, high = SCREEN_DRUGS["prednisolone"]
    without = auc_ll4(low, high, bottom, 100.0, ic50, hill)
    with_il7 = auc_ll4(low, high, bottom * enhanced, 100.0 * enhanced, ic50_il7, hill)
    return without, with_il7


def _draw_prednisolone(rng: np.random.Generator, kind: str) -> tuple[float, float, float, float]:
    """Draw (ic50, ic50_il7, enhanced, hill) until the true AUCs fit ``kind`` with a margin.

    kinds: 'dependent' (fold > 1.7 and AUC+IL7 > 200), 'responsive' (fold > 1.7, AUC+IL7 < 150),
    'resistant' (fold < 1.3, AUC-IL7 > 200), 'other' (fold < 1.3).
    """
    while True:
        hill = rng.uniform(0.8, 2.0)
        bottom = rng.uniform(2, 15)
        if kind in ("dependent", "responsive"):
            enhanced = rng.uniform(1.25, 1.9)
            ic50 = 10 ** rng.uniform(-2.6, -0.5)
            ic50_il7 = ic50 * 10 ** rng.uniform(0.3, 3.0)
        else:
            enhanced = rng.uniform(0.95, 1.1)
            ic50 = 10 ** (rng.uniform(0.5, 2.0) if kind == "resistant" else rng.normal(-1.5, 0.7))
            ic50_il7 = ic50
        without, with_il7 = _prednisolone_aucs(ic50, ic50_il7, bottom, enhanced, hill)
        fold = with_il7 / without
        ok = {
            "dependent": fold > 1.7 and with_il7 > 200,
            "responsive": fold > 1.7 and with_il7 < 150,
            "resistant": fold < 1.3 and without > 200,
            "other": fold < 1.3,
        }[kind]
        if ok:
            return ic50, ic50_il7, enhanced, hill, bottom


def _truth(rng: np.random.Generator, n: int) -> pd.DataFrame:
    order = rng.permutation(n)
    n_resp = round(n * N_IL7_RESPONSIVE / N_SAMPLES)
    kinds = np.array(["other"] * n, dtype=object)
    kinds[order[: n_resp // 2]] = "dependent"  # six IL7-dependent steroid resistant (Fig. 5B-C)
    kinds[order[n_resp // 2: n_resp]] = "responsive"
    kinds[order[n_resp: n_resp + n_resp // 2]] = "resistant"  # six IL7-independent resistant
    pred = np.array([_draw_prednisolone(rng, k) for k in kinds])
    return pd.DataFrame({
        "sample": [f"PDX{i + 1:02d}" for i in range(n)],
        "il7_responsive": np.isin(kinds, ["dependent", "responsive"]),
        "il7_dependent_resistant": kinds == "dependent",
        "il7_independent_resistant": kinds == "resistant",
        "il7_enhanced": pred[:, 2],
        "prednisolone_ic50": pred[:, 0],
        "prednisolone_ic50_il7": pred[:, 1],
        "prednisolone_bottom": pred[:, 4],
        "selumetinib_ic50": 10 ** rng.normal(-0.3, 0.5, n),
        "trametinib_ic50": 10 ** rng.normal(-2.0, 0.5, n),
        "binimetinib_ic50": 10 ** rng.normal(-0.2, 0.5, n),
        "mek_bottom": rng.uniform(10, 40, n),
        "ruxolitinib_ic50": 10 ** rng.normal(-1.0, 0.15, n),
        "hill": pred[:, 3],
    })


def _viable_fraction(t, drug: str, conc: np.ndarray, il7: bool) -> np.ndarray:
    """Viable fraction relative to the -IL7 vehicle for one sample (the ground-truth curves)."""
    top = float(t.il7_enhanced) if il7 else 1.0
    h = float(t.hill)
    if drug == "prednisolone":
        ic50 = t.prednisolone_ic50_il7 if il7 else t.prednisolone_ic50
        bottom = t.prednisolone_bottom / 100 * top
    elif drug == "ruxolitinib":
        if not il7:
            return np.full_like(conc, top)
        # ruxolitinib removes the IL7 survival boost: from `top` down to the -IL7 level
        ic50, bottom = t.ruxolitinib_ic50, 1.0
    else:
        ic50, bottom = getattr(t, f"{drug}_ic50"), t.mek_bottom / 100 * top
    return bottom + (top - bottom) / (1 + (conc / ic50) ** h)


def make_pdx_screen(seed: int = 7, n_samples: int = N_SAMPLES) -> SyntheticScreen:
    """Generate the synthetic screen (deterministic for a given ``seed``)."""
    rng = np.random.default_rng(seed)
    truth = _truth(rng, n_samples)
    wells = _inner_wells()
    layout_rows: list = []
    signal_rows: list = []
    scale, background = 50_000.0, 300.0
    for t in truth.itertuples(index=False):
        plate = f"{t.sample}_plate1"
        for il7 in (0.0, IL7_NG_ML):
            drugs = ["DMSO"] * 12 + [""] * 4
            concs = [0.0] * 16
            roles = ["vehicle"] * 12 + ["blank"] * 4
            frac = [t.il7_enhanced if il7 else 1.0] * 12 + [0.0] * 4
            for d in SCREEN_DRUGS:
                c = np.repeat(_doses(d), 3)
                drugs += [d] * c.size
                concs += c.tolist()
                roles += ["treated"] * c.size
                frac += _viable_fraction(t, d, c, il7 > 0).tolist()
            frac_arr = np.asarray(frac)
            noise_mult = rng.normal(0, 0.06, frac_arr.size)
            noise_add = rng.normal(0, 0.01 * scale, frac_arr.size)
            signal = np.maximum(background + scale * frac_arr * (1 + noise_mult) + noise_add, 1.0)
            used = wells[:frac_arr.size]
            wells = wells[frac_arr.size:]
            layout_rows += zip([plate] * len(used), used, [t.sample] * len(used), drugs, concs,
                               ["uM"] * len(used), roles, [il7] * len(used), strict=True)
            signal_rows += zip([plate] * len(used), used, signal, strict=True)
        wells = _inner_wells()
    layout = pd.DataFrame(layout_rows, columns=["plate", "well", "sample", "drug", "conc", "unit",
                                                "role", "il7"])
    signals = pd.DataFrame(signal_rows, columns=["plate", "well", "signal"])
    return SyntheticScreen(layout=layout, signals=signals, truth=truth)


def _matrix_csv(signals: pd.DataFrame) -> str:
    """One plate as a 16 x 24 plate-matrix CSV (row letters, column numbers; empty wells blank).
    Well names are read by :func:`tallrx.plate.parse_well` ('B7' and 'B07' are the same well)."""
    grid = np.full((ROWS, COLS), "", dtype=object)
    for well, value in zip(signals["well"], signals["signal"], strict=True):
        row, col = parse_well(well)
        grid[row - 1, col - 1] = f"{value:.0f}"
    frame = pd.DataFrame(grid, index=[row_letter(r) for r in range(1, ROWS + 1)],
                         columns=[str(c) for c in range(1, COLS + 1)])
    return frame.to_csv(index_label="")


def write_pdx_screen(folder: str | os.PathLike, seed: int = 7,
                     n_samples: int = N_SAMPLES) -> Path:
    """Write ``layout.csv``, ``truth.csv`` and ``plates/<plate>.csv`` (plate matrices) to ``folder``."""
    screen = make_pdx_screen(seed=seed, n_samples=n_samples)
    with atomic_dir(folder) as tmp:
        screen.layout.to_csv(tmp / "layout.csv", index=False, float_format="%.6g")
        screen.truth.to_csv(tmp / "truth.csv", index=False, float_format="%.6g")
        (tmp / "plates").mkdir()
        for plate, group in screen.signals.groupby("plate", sort=True):
            (tmp / "plates" / f"{plate}.csv").write_text(_matrix_csv(group), encoding="utf-8")
    return Path(folder)
