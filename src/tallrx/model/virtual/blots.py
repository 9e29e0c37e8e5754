"""Virtual western blots: band intensities of pERK/ERK, pSTAT5/STAT5, pAKT/AKT, BIM-EL/BIM-L/BIM-S
with the phospho upper band ``*_p`` (BIM-S_p: background only), BCL2, BCLXL, MCL1 and the ACTB
loading control -> a ``blots`` table (paper Fig. 1C, 2)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tallrx._result import Result
from tallrx.errors import InputError, did_you_mean
from tallrx.model import observables as obs
from tallrx.model.network import ANTI_APOPTOTIC, NETWORK, complex_name
from tallrx.model.virtual.run import as_conditions, condition_columns, run_conditions, simulated

BLOT_TARGETS = (
    "pERK",
    "ERK",
    "pSTAT5",
    "STAT5",
    "pAKT",
    "AKT",
    "BIM-EL_p",
    "BIM-EL",
    "BIM-L_p",
    "BIM-L",
    "BIM-S_p",
    "BIM-S",
    "BCL2",
    "BCLXL",
    "MCL1",
    "ACTB",
)
#: densitometry units per unit of the model quantity (active fraction or nM)
_BAND_GAIN = {
    "pERK": 8000.0,
    "ERK": 4000.0,
    "pSTAT5": 6000.0,
    "STAT5": 3000.0,
    "pAKT": 5000.0,
    "AKT": 3000.0,
    "BIM-EL_p": 60.0,
    "BIM-EL": 60.0,
    "BIM-L_p": 80.0,
    "BIM-L": 80.0,
    "BIM-S_p": 100.0,
    "BIM-S": 100.0,
    "BCL2": 30.0,
    "BCLXL": 40.0,
    "MCL1": 40.0,
    "ACTB": 10000.0,
}


def _band_amounts(states: np.ndarray) -> dict[str, np.ndarray]:
    """Model quantity behind each band (W,) from states (n, W)."""
    ix = NETWORK.species_index

    def tot(base, partners=ANTI_APOPTOTIC):
        return states[ix[base]] + sum(states[ix[complex_name(base, a)]] for a in partners)

    one = np.ones(states.shape[1])
    vals = obs.compute(NETWORK, states[None], states, list(ANTI_APOPTOTIC))[0]
    return {
        "pERK": states[ix["ERKpp"]],
        "ERK": one,
        "pSTAT5": states[ix["STAT5p"]],
        "STAT5": one,
        "pAKT": states[ix["AKTp"]],
        "AKT": one,
        "BIM-EL_p": tot("BIM_EL_p"),
        "BIM-EL": tot("BIM_EL"),
        "BIM-L_p": tot("BIM_L_p"),
        "BIM-L": tot("BIM_L"),
        # ERK never phosphorylates BIM-S: its upper-band region holds background only, and the
        # densitometry of that region is what a blot measures
        "BIM-S_p": np.zeros(states.shape[1]),
        "BIM-S": tot("BIM_S"),
        "BCL2": vals[0],
        "BCLXL": vals[1],
        "MCL1": vals[2],
        "ACTB": one,
    }


def western_blots(
    lanes,
    *,
    targets: Sequence[str] = BLOT_TARGETS,
    hours: float = 24.0,
    seed: int = 0,
    noise: float = 0.08,
    loading_sd: float = 0.12,
    engine: str = "batched",
) -> Result:
    """Band intensities of each lane (one row of ``lanes``; optional ``blot`` and ``time_h``
    columns: lanes are numbered within each blot in row order; ``time_h`` overrides ``hours``).
    The loading factor of a lane scales every band of that lane (ACTB is the loading control).

    Returns
    -------
    Result
        Kind ``blots``: blot, lane, sample, target, intensity (background-subtracted
        densitometry, >= 0), time_h, the condition columns, source.
    """
    lanes = as_conditions(lanes, "blot lanes")
    bad = [t for t in targets if t not in _BAND_GAIN]
    if bad:
        raise InputError(
            f"unknown blot target '{bad[0]}'; known: {', '.join(BLOT_TARGETS)}."
            f"{did_you_mean(bad[0], BLOT_TARGETS)}"
        )
    if "sample" not in lanes:
        lanes["sample"] = lanes.get("genotype", pd.Series(["lane"] * len(lanes)))
    if "blot" not in lanes:
        lanes["blot"] = "blot1"
    times = (
        lanes["time_h"].astype(float).to_numpy()
        if "time_h" in lanes
        else np.full(len(lanes), float(hours))
    )
    sim = lanes.drop(columns=[c for c in ("sample", "blot", "time_h", "lane") if c in lanes])
    states = np.empty((len(NETWORK.species), len(lanes)))
    for t in np.unique(times):
        sel = times == t
        _, st = run_conditions(sim[sel], [float(t)], ["pERK"], engine=engine, where="blot lanes")
        states[:, sel] = st[-1]
    amounts = _band_amounts(states)
    rng = np.random.default_rng(seed)
    loading = np.exp(loading_sd * rng.standard_normal(len(lanes)))
    lane_no = lanes.groupby("blot", sort=False).cumcount().to_numpy() + 1
    cond_cols = [c for c in condition_columns(lanes) if c not in ("blot", "time_h", "lane")]
    records = []
    for t in targets:
        inten = _BAND_GAIN[t] * amounts[t] * loading * np.exp(
            noise * rng.standard_normal(len(lanes))
        ) + 0.002 * _BAND_GAIN[t] * rng.standard_normal(len(lanes))
        inten = np.maximum(inten, 0.0)  # background-subtracted densitometry floors at 0
        for i in range(len(lanes)):
            records.append(
                dict(
                    blot=str(lanes.at[i, "blot"]),
                    lane=int(lane_no[i]),
                    sample=str(lanes.at[i, "sample"]),
                    target=t,
                    intensity=float(inten[i]),
                    time_h=float(times[i]),
                    **{c: lanes.at[i, c] for c in cond_cols},
                )
            )
    df = pd.DataFrame(records).sort_values(["blot", "lane"], kind="stable")
    return simulated(
        df,
        "blots",
        "virtual western blots",
        {
            "assay": "western blot",
            "seed": seed,
            "noise": noise,
            "loading_sd": loading_sd,
            "loading_control": "ACTB",
            "phospho_upper_band": {"BIM-EL": "BIM-EL_p", "BIM-L": "BIM-L_p", "BIM-S": "BIM-S_p"},
        },
    )
