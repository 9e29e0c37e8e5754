"""Scalable screen figures: per-plate QC rows and one-pixel-per-well plate thumbnails, checked on
hand-made tables whose answers are worked out by hand in each test."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from PIL import Image

from tallrx.plots.screen import plate_qc_table, plate_thumbnails


def test_plate_qc_table_worst_metrics_and_failing_checks():
    # plate A: two groups, one fails Z' (0.3 < 0.5) -> fails, worst Z' 0.3, worst CV 12
    # plate B: one group passing; plate C: nothing assessable -> NA
    qc = pd.DataFrame({
        "plate": ["A", "A", "B", "C"],
        "z_prime": [0.7, 0.3, 0.8, np.nan],
        "vehicle_cv": [5.0, 12.0, 4.0, np.nan],
        "z_prime_pass": pd.array([True, False, True, pd.NA], dtype="boolean"),
        "vehicle_cv_pass": pd.array([True, True, True, pd.NA], dtype="boolean"),
        "qc_pass": pd.array([True, False, True, pd.NA], dtype="boolean"),
    })
    per = plate_qc_table(qc).set_index("plate")
    assert per.loc["A", "n_groups"] == 2
    assert per.loc["A", "z_prime"] == 0.3 and per.loc["A", "vehicle_cv"] == 12.0
    assert per.loc["A", "qc_pass"] is False or per.loc["A", "qc_pass"] == False  # noqa: E712
    assert per.loc["A", "failing"] == "z_prime"
    assert bool(per.loc["B", "qc_pass"]) and per.loc["B", "failing"] == ""
    assert pd.isna(per.loc["C", "qc_pass"])
    assert list(per.index) == ["A", "B", "C"]  # screen order kept


def test_thumbnail_pixels_are_wells():
    # a 96-well plate: A1 lowest signal, H12 highest, B2 excluded, C3..: empty
    # levels: (v - p2) / (p98 - p2) clipped to 0..1, times 29 -> A1 level 0, H12 level 29
    wells = pd.DataFrame({
        "plate": "P1",
        "row": [1, 8, 2, 4, 5],
        "col": [1, 12, 2, 6, 7],
        "signal": [0.0, 1000.0, 500.0, 500.0, 500.0],
        "exclude": [False, False, True, False, False],
    })
    png = plate_thumbnails(wells, ["P1"])["P1"]
    img = Image.open(io.BytesIO(png))
    assert img.size == (12, 8) and img.mode == "P"
    px = np.array(img)
    assert px[0, 0] == 0 and px[7, 11] == 29  # lowest and highest wells at the palette ends
    assert px[1, 1] == 30  # excluded: red
    assert px[2, 2] == 31  # no well: grey
    palette = np.array(img.getpalette()[:96]).reshape(-1, 3)
    assert tuple(palette[30]) == (214, 39, 40)
    assert len(png) < 400  # a 96-well thumbnail is a few hundred bytes
