"""Normalization and QC on the real pediatric ALL plate bundled in tallrx.data.examples.

The plate's README (Steffen-DRP-2025) says: normalize each well to the mean of the DMSO wells.
The reference values below are computed from the raw CSVs with plain pandas, not with tallrx.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tallrx
from tallrx.tidy import normalize_viability, plate_qc

PLATE = Path(tallrx.__file__).parent / "data" / "examples" / "kispi_drp_plate"


@pytest.fixture(scope="module")
def wells() -> pd.DataFrame:
    layout = pd.read_csv(PLATE / "layout.csv")
    measured = pd.read_csv(PLATE / "measurement.csv")
    w = layout.merge(measured, on=["row", "col"], how="inner")  # unused wells have no layout
    vehicle = w["drug"].eq("DMSO")
    return pd.DataFrame(
        {
            "plate": "kispi",
            "well": w["row"] + w["col"].astype(str),
            "row": w["row"],
            "col": w["col"],
            "sample": "relapse_ALL",
            "drug_a": np.where(vehicle, "", w["drug"]),
            "conc_a": np.where(vehicle, 0.0, w["concentration"] / 1000.0),
            "drug_b": "",
            "conc_b": 0.0,
            "role": np.where(vehicle, "vehicle", "treated"),
            "signal": w["response"].astype(float),
            "replicate": 1,
            "exclude": w["exclude"].astype(bool),
            "exclude_reason": "",
        }
    )


def test_viability_is_percent_of_dmso_mean(wells):
    v = normalize_viability(wells)
    dmso = wells.loc[wells["role"] == "vehicle", "signal"].mean()
    np.testing.assert_allclose(v["viability"], 100 * wells["signal"] / dmso, rtol=1e-12)
    assert v.loc[v["role"] == "vehicle", "viability"].mean() == pytest.approx(100.0)
    assert v["blank_signal"].isna().all()  # the plate has no blank wells: nothing subtracted
    assert (v["n_vehicle"] == 12).all()


def test_qc_on_a_plate_without_low_control_or_edge_wells(wells):
    qc, flagged = plate_qc(normalize_viability(wells))
    assert len(qc) == 1 and len(flagged) == len(wells)
    dmso = wells.loc[wells["role"] == "vehicle", "signal"]
    assert qc.loc[0, "vehicle_cv"] == pytest.approx(100 * dmso.std() / dmso.mean())
    assert np.isnan(qc.loc[0, "z_prime"]) and "no low control" in qc.loc[0, "note"]
    # rows C-N, columns 3-22 of a 384-well plate: no well on the outer ring
    assert qc.loc[0, "edge_n"] == 0 and "edge test not run" in qc.loc[0, "note"]
