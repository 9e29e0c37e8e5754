"""Observable helpers on hand-made engine output; line observables at the nominal parameters."""

import numpy as np
import pandas as pd

from tallrx.calibration.observables import auc_fold, fold, line_observables
from tallrx.calibration.targets import load_targets


def test_auc_fold_hand_worked():
    doses = np.array([0.01, 0.1, 1.0, 10.0])  # 3 decades
    flat = np.full((1, 4), 100.0)  # AUC 300
    half = np.full((1, 4), 50.0)  # AUC 150
    ramp = np.array([[100.0, 100.0, 0.0, 0.0]])  # 100 + 50 + 0 = 150
    np.testing.assert_allclose(auc_fold(flat, half, doses), [2.0])
    np.testing.assert_allclose(auc_fold(ramp, flat, doses), [0.5])
    assert np.isnan(fold(np.array([1.0]), np.array([0.0]))[0])


def test_line_observables_names_and_direction():
    t = load_targets()
    line = set(t.loc[~t["context"].str.contains("PDX"), "target"])
    obs = line_observables(pd.DataFrame(index=[0]))  # one set: the nominal parameters
    assert set(obs.columns) == line  # every SUPT-1 line target has its observable
    # the paper's direction at the hand-tuned parameters: NRAS G12D raises pERK and the AUC
    assert obs["perk_fold_dox_NRAS_G12D"].iloc[0] > 1
    assert obs["auc_fold_dox_NRAS_G12D"].iloc[0] > 1
