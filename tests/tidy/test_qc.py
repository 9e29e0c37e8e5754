"""plate_qc: hand-computed Z', robust Z', SSMD, CV; edge test; outlier flagging."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from tidy_plates import dose_plate, make_wells

from tallrx.errors import AnalysisError
from tallrx.tidy.normalize import normalize_viability
from tallrx.tidy.qc import QCThresholds, plate_qc
from tallrx.tidy.qc_metrics import robust_z_prime, ssmd, z_prime


def _controls(blank=(10.0, 12.0, 8.0, 10.0), positive=()):
    rows = [
        {"well": f"A{i + 1:02d}", "role": "vehicle", "signal": s}
        for i, s in enumerate((100.0, 110.0, 90.0, 100.0))
    ]
    rows += [{"well": f"B{i + 1:02d}", "role": "blank", "signal": s} for i, s in enumerate(blank)]
    rows += [
        {"well": f"C{i + 1:02d}", "role": "positive", "signal": s} for i, s in enumerate(positive)
    ]
    rows += [{"well": "D01", "role": "treated", "signal": 50.0, "conc_a": 1.0}]
    return make_wells(rows)


def test_hand_computed_metrics():
    # vehicle 100, 110, 90, 100: mean 100, SD sqrt(200/3) = 8.1650, median 100, MAD 5
    # blank 10, 12, 8, 10:       mean 10,  SD sqrt(8/3)   = 1.6330, median 10,  MAD 1
    # Z' (Zhang 1999) = 1 - 3 (8.1650 + 1.6330) / 90 = 0.67340
    # robust Z'       = 1 - 3 * 1.4826 * (5 + 1) / 90 = 0.70348
    # SSMD            = 90 / sqrt(200/3 + 8/3)          = 10.8087
    # vehicle CV      = 100 * 8.1650 / 100              = 8.1650 %
    qc, _ = plate_qc(_controls())
    row = qc.iloc[0]
    sd_v, sd_b = math.sqrt(200 / 3), math.sqrt(8 / 3)
    assert row["z_prime"] == pytest.approx(1 - 3 * (sd_v + sd_b) / 90)
    assert row["z_prime"] == pytest.approx(0.67340, abs=1e-5)
    assert row["robust_z_prime"] == pytest.approx(0.70348, abs=1e-5)
    assert row["ssmd"] == pytest.approx(10.8087, abs=1e-4)
    assert row["vehicle_cv"] == pytest.approx(8.1650, abs=1e-4)
    assert row["low_control"] == "blank" and row["n_vehicle"] == 4 and row["n_low"] == 4
    assert bool(row["z_prime_pass"]) and bool(row["qc_pass"])
    assert "blank wells used as low control" in row["note"]


def test_zhang_1999_limits():
    # Z' = 1 when the controls have no spread; Z' = 0 when the 3-SD bands touch;
    # Z' < 0 when they overlap (Zhang, Chung & Oldenburg 1999, Table 1)
    assert float(z_prime(100, 0, 0, 0)) == 1.0
    assert float(z_prime(100, 10, 40, 10)) == pytest.approx(0.0)
    assert float(z_prime(100, 20, 40, 20)) < 0
    assert np.isnan(z_prime(50, 1, 50, 1))
    # independent check: SSMD of two normal groups equals the d' of their difference
    assert float(ssmd(10, 3, 2, 4)) == pytest.approx(8 / 5)
    assert float(robust_z_prime(100, 0, 0, 0)) == 1.0


def test_positive_control_preferred_over_blank():
    qc, _ = plate_qc(_controls(positive=(20.0, 22.0, 18.0)))
    row = qc.iloc[0]
    assert row["low_control"] == "positive"
    sd_p = 2.0
    assert row["z_prime"] == pytest.approx(1 - 3 * (math.sqrt(200 / 3) + sd_p) / 80)


def test_swapped_control_roles_fail_qc_with_a_note():
    # positive control (kill) wells at 300 > vehicle mean 100: the roles are swapped in the
    # layout; SSMD = (100 - 300) / sqrt(200/3 + 4) < 0 fails, and the note says why
    qc, _ = plate_qc(_controls(positive=(300.0, 302.0, 298.0)))
    row = qc.iloc[0]
    assert row["ssmd"] == pytest.approx(-200 / math.sqrt(200 / 3 + 4))
    assert not bool(row["qc_pass"])
    assert "below the positive control mean 300" in row["note"] and "swapped" in row["note"]
    ok, _ = plate_qc(_controls(positive=(20.0, 22.0, 18.0)))
    assert "swapped" not in ok.iloc[0]["note"]


def test_missing_controls_give_nan_and_note_not_error():
    w = _controls(blank=())
    qc, flagged = plate_qc(w)
    row = qc.iloc[0]
    assert np.isnan(row["z_prime"]) and np.isnan(row["ssmd"]) and np.isnan(row["robust_z_prime"])
    assert pd.isna(row["z_prime_pass"]) and pd.isna(row["ssmd_pass"])
    assert "no low control" in row["note"]
    assert row["vehicle_cv"] == pytest.approx(8.1650, abs=1e-4)  # still computed
    assert "edge test not run" in row["note"]
    assert bool(row["qc_pass"])  # the CV could be assessed and passed
    only_treated = make_wells([{"well": "A01", "role": "treated", "signal": 5.0}])
    qc2, _ = plate_qc(only_treated)
    assert pd.isna(qc2.loc[0, "qc_pass"]) and "0 vehicle well(s)" in qc2.loc[0, "note"]


def test_configurable_thresholds():
    qc, _ = plate_qc(_controls(), thresholds=QCThresholds(z_prime_min=0.9, vehicle_cv_max=5.0))
    row = qc.iloc[0]
    assert not row["z_prime_pass"] and not row["vehicle_cv_pass"] and not row["qc_pass"]
    assert bool(row["robust_z_prime_pass"])
    with pytest.raises(AnalysisError, match="QCThresholds"):
        plate_qc(_controls(), thresholds={"z_prime_min": 0.9})


def test_edge_effect_detected_and_flat_plate_not_flagged():
    hit, _ = plate_qc(dose_plate(edge_factor=0.75, seed=3))
    assert hit.loc[0, "edge_p"] < 1e-4
    assert hit.loc[0, "edge_ratio"] == pytest.approx(0.75, abs=0.05)
    assert not hit.loc[0, "edge_pass"]
    flags = []
    for seed in range(20):
        flat, _ = plate_qc(dose_plate(edge_factor=1.0, seed=seed))
        assert flat.loc[0, "edge_ratio"] == pytest.approx(1.0, abs=0.05)
        flags.append(bool(flat.loc[0, "edge_pass"]))
    assert all(flags)
    # the dose gradient runs across the columns: matching edge wells to inner replicates of the
    # same dose keeps it from reading as an edge effect
    assert hit.loc[0, "edge_n"] == 28  # rows A/H of columns 2-11 + column-1 vehicle rows B-G


def test_edge_test_reads_well_names_without_row_col_columns():
    plate = dose_plate(edge_factor=0.7, seed=5).drop(columns=["row", "col"])
    qc, _ = plate_qc(plate)
    assert not qc.loc[0, "edge_pass"]


def test_outlier_vehicle_well_flagged_not_deleted_and_viability_recomputed():
    w = dose_plate(seed=1)
    bad = w.index[(w["well"] == "C02")][0]
    w.loc[bad, "signal"] *= 1.8
    v = normalize_viability(w)
    qc, flagged = plate_qc(v)
    assert len(flagged) == len(v)
    assert qc.loc[0, "n_outliers"] == 1
    row = flagged.loc[bad]
    assert bool(row["exclude"]) and row["exclude_reason"].startswith("QC: vehicle outlier")
    assert flagged["exclude"].sum() == 1
    # the new vehicle mean is the mean of the other 15 blank-subtracted vehicle wells
    blank = w.loc[w["role"] == "blank", "signal"].mean()
    others = w.loc[(w["role"] == "vehicle") & (w.index != bad), "signal"] - blank
    assert flagged["vehicle_signal"].iloc[0] == pytest.approx(others.mean())
    treated = flagged["role"] == "treated"
    expect = 100 * (w.loc[treated, "signal"] - blank) / others.mean()
    np.testing.assert_allclose(flagged.loc[treated, "viability"], expect)
    # wells input: flagged the same way, no viability column added
    qc_w, flagged_w = plate_qc(w)
    assert "viability" not in flagged_w and bool(flagged_w.loc[bad, "exclude"])


def test_tight_replicates_are_not_outliers():
    qc, flagged = plate_qc(dose_plate(seed=2, noise=0.001))
    assert qc.loc[0, "n_outliers"] == 0 and not flagged["exclude"].any()


def test_several_samples_and_conditions_per_plate():
    a = dose_plate(seed=1, sample="S1")
    b = dose_plate(seed=2, sample="S2", plate="P1")
    b = b.assign(well=b["well"] + "x", row=b["row"], col=b["col"])
    both = pd.concat([a.assign(il7=0), b.assign(il7=25)], ignore_index=True)
    qc, _ = plate_qc(both)
    assert len(qc) == 2
    assert set(zip(qc["sample"], qc["il7"], strict=True)) == {("S1", 0), ("S2", 25)}
    assert qc["z_prime"].notna().all()


def test_exclude_failed_groups_and_below_blank_count():
    w = dose_plate(seed=4, noise=0.3)
    qc, flagged = plate_qc(w, thresholds=QCThresholds(exclude_failed=True, vehicle_cv_max=1.0))
    assert not qc.loc[0, "qc_pass"]
    group = flagged["role"].isin(["treated", "vehicle"])
    assert flagged.loc[group, "exclude"].all()
    assert flagged.loc[group, "exclude_reason"].str.contains("failed plate QC").all()
    assert not flagged.loc[flagged["role"] == "blank", "exclude"].any()
    blank = w.loc[w["role"] == "blank", "signal"].mean()
    expected = int(((w["signal"] < blank) & w["role"].isin(["treated", "vehicle"])).sum())
    assert qc.loc[0, "n_below_blank"] == expected
