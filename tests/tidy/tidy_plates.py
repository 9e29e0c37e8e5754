"""Small hand-made plates for the tidy tests."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd


def make_wells(rows: list[dict], plate: str = "P1") -> pd.DataFrame:
    """A wells table from short dicts (role, signal, well, and optional sample/drug/conc/il7)."""
    out = []
    for r in rows:
        out.append(
            {
                "plate": r.get("plate", plate),
                "well": r["well"],
                "sample": r.get("sample", "S1"),
                "drug_a": r.get("drug_a", ""),
                "conc_a": r.get("conc_a", 0.0),
                "drug_b": "",
                "conc_b": 0.0,
                "role": r["role"],
                "signal": r["signal"],
                "replicate": r.get("replicate", 1),
                **({"il7": r["il7"]} if "il7" in r else {}),
                **({k: r[k] for k in ("exclude", "exclude_reason") if k in r}),
            }
        )
    return pd.DataFrame(out)


def dose_plate(
    *,
    seed: int = 0,
    edge_factor: float = 1.0,
    noise: float = 0.03,
    plate: str = "P1",
    sample: str = "S1",
) -> pd.DataFrame:
    """A 96-well plate: columns 1-2 vehicle, 3-11 nine prednisolone doses, column 12 blank;
    rows A-H are eight replicates. Signal = 1000 * viability fraction + 50 background, with
    multiplicative noise; edge wells (row A/H, column 1/12) are multiplied by ``edge_factor``."""
    rng = np.random.default_rng(seed)
    doses = np.logspace(-2, 2, 9)
    recs = []
    for ri, r in enumerate(string.ascii_uppercase[:8], start=1):
        for c in range(1, 13):
            if c <= 2:
                role, conc, true = "vehicle", 0.0, 1.0
            elif c == 12:
                role, conc, true = "blank", 0.0, 0.0
            else:
                role, conc = "treated", doses[c - 3]
                true = 1.0 / (1.0 + conc / 1.0)
            sig = (1000.0 * true + 50.0) * (1.0 + noise * rng.standard_normal())
            if ri in (1, 8) or c in (1, 12):
                sig *= edge_factor
            recs.append(
                {
                    "plate": plate,
                    "well": f"{r}{c:02d}",
                    "row": r,
                    "col": c,
                    "sample": sample,
                    "drug_a": "prednisolone" if role == "treated" else "",
                    "conc_a": conc,
                    "drug_b": "",
                    "conc_b": 0.0,
                    "role": role,
                    "signal": sig,
                    "replicate": ri,
                }
            )
    return pd.DataFrame(recs)


def three_well() -> pd.DataFrame:
    """Blank 10/14, vehicle 110/130, treated 72 -> blank 12, vehicle 108, viability 55.555...%."""
    return make_wells(
        [
            {"well": "A01", "role": "blank", "signal": 10.0},
            {"well": "A02", "role": "blank", "signal": 14.0},
            {"well": "B01", "role": "vehicle", "signal": 110.0},
            {"well": "B02", "role": "vehicle", "signal": 130.0},
            {
                "well": "C01",
                "role": "treated",
                "signal": 72.0,
                "drug_a": "prednisolone",
                "conc_a": 10.0,
            },
        ]
    )
