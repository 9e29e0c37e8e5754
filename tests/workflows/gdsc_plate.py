"""A GDSC-style raw 1536-well plate (written for tallrx's tests, issue 9 point 8).

GDSC screens (Iorio et al. 2016, Cell 166:740; the GDSC "raw data" releases) put blank wells (no
cells), DMSO negative-control wells and drug wells at several doses on one 1536-well plate, and
normalize each well as (I - mean blank) / (mean DMSO - mean blank) using every blank and DMSO well.
Here: column 1 = 32 blanks (~1,000 counts), columns 2-3 = 64 DMSO wells (~50,000 counts, three of
them planted outliers: 80,000, 20,000 and 78,000), columns 4-48 = 16 drugs x 9 doses x 10
replicates from a log-logistic curve with 3 % noise. Seeded, so the plate is the same every run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tallrx.plate import well_name

OUTLIERS = {"B2": 80_000.0, "K3": 20_000.0, "AD2": 78_000.0}


def gdsc_plate(folder: Path, plate: str = "gdsc_p1") -> tuple[Path, Path]:
    """Write ``layout.csv`` and ``<plate>.csv`` (long: well, signal) into ``folder``."""
    rng = np.random.default_rng(2016)
    layout, signal = [], []
    doses = 10.0 ** np.linspace(-3, 1, 9)  # uM, GDSC1-style 9-point 4-log range
    drug_wells = [(r, c) for c in range(4, 49) for r in range(1, 33)]
    for k, (r, c) in enumerate(drug_wells):
        drug, rest = divmod(k, 90)
        dose = doses[rest % 9]
        ic50 = 10.0 ** (-2 + 3 * drug / 15)
        frac = 1 / (1 + (dose / ic50) ** 1.2)
        layout.append((well_name(r, c), f"drug{drug + 1:02d}", dose, "treated"))
        signal.append(1000 + 49_000 * frac * (1 + 0.03 * rng.standard_normal()))
    for r in range(1, 33):
        layout.append((well_name(r, 1), "", 0.0, "blank"))
        signal.append(1000 + 30 * rng.standard_normal())
        for c in (2, 3):
            layout.append((well_name(r, c), "DMSO", 0.0, "vehicle"))
            signal.append(50_000 + 1500 * rng.standard_normal())
    lay = pd.DataFrame(layout, columns=["well", "drug", "conc", "role"])
    meas = pd.DataFrame({"well": lay["well"], "signal": signal})
    for well, value in OUTLIERS.items():
        meas.loc[meas["well"] == well, "signal"] = value
    folder.mkdir(parents=True, exist_ok=True)
    lay.to_csv(folder / "layout.csv", index=False)
    meas.to_csv(folder / f"{plate}.csv", index=False)
    return folder / "layout.csv", folder / f"{plate}.csv"


def gdsc_normalization(layout: Path, measurement: Path, drop: set[str] = frozenset()) -> pd.Series:
    """GDSC's per-well viability (fraction) computed from the files alone (pandas, no tallrx):
    (I - mean blank) / (mean DMSO - mean blank), DMSO wells in ``drop`` left out."""
    df = pd.read_csv(layout).merge(pd.read_csv(measurement), on="well")
    blank = df.loc[df["role"] == "blank", "signal"].mean()
    dmso = df.loc[(df["role"] == "vehicle") & ~df["well"].isin(drop), "signal"].mean()
    return ((df["signal"] - blank) / (dmso - blank)).set_axis(df["well"])


def gdsc_screen_results(folder: Path, n_plates: int = 1837):
    """A GDSC-scale screen's results (``ScreenResults``) for report tests: one real analysis of
    :func:`gdsc_plate` (16 drugs on a 1536-well plate), repeated over ``n_plates`` plates with a
    per-plate signal scale and noise. Two plates per sample (drugs 1-16 and 17-32), so 1,837
    plates are ~919 samples x 32 drugs; every 50th plate fails QC (Z' 0.2). Viability is kept for
    the first plate only (the report draws curves for the first samples). Seeded."""
    from tallrx.workflows.screen import ScreenResults, run_screen

    layout, meas = gdsc_plate(folder)
    one = run_screen(layout, [meas], n_boot=0)
    rng = np.random.default_rng(1837)
    k = len(one.wells)
    plate_ids = np.repeat(np.arange(n_plates), k)
    names = np.array([f"gdsc_p{i + 1:04d}" for i in range(n_plates)])
    samples = np.array([f"CL{i // 2 + 1:04d}" for i in range(n_plates)])
    wells = {c: np.tile(one.wells[c].to_numpy(), n_plates) for c in one.wells.columns
             if c not in ("plate", "sample", "signal")}
    wells = pd.DataFrame({
        "plate": pd.Categorical.from_codes(plate_ids, names),
        "sample": pd.Categorical.from_codes(plate_ids // 2, samples[::2]),
        **wells,
        "signal": np.tile(one.wells["signal"].to_numpy(), n_plates)
        * np.repeat(rng.uniform(0.7, 1.3, n_plates), k) * rng.normal(1, 0.02, k * n_plates),
    })
    fails = np.arange(n_plates) % 50 == 49
    qc = pd.concat([one.qc] * n_plates, ignore_index=True).assign(
        plate=names, sample=samples,
        z_prime=np.where(fails, 0.2, rng.uniform(0.55, 0.85, n_plates)),
        vehicle_cv=rng.uniform(3, 9, n_plates))
    qc["z_prime_pass"] = pd.array(~fails, dtype="boolean")
    qc["qc_pass"] = pd.array(~fails, dtype="boolean")
    c = len(one.curves)
    curves = pd.concat([one.curves] * n_plates, ignore_index=True)
    second = np.repeat(np.arange(n_plates) % 2 == 1, c)
    drug_no = curves["drug_a"].str[4:].astype(int) + np.where(second, 16, 0)
    curves = curves.assign(
        sample=np.repeat(samples, c), drug_a=[f"drug{d:02d}" for d in drug_no],
        auc=curves["auc"] * rng.uniform(0.6, 1.4, len(curves)))
    return ScreenResults(wells, one.viability, qc, curves)
