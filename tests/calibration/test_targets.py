"""The cited target table parses and scores hand-worked cases."""

import numpy as np
import pandas as pd

from tallrx.calibration.targets import COLUMNS, load_targets, log_likelihood
from tallrx.model import observables

COHORT_FLAGS = {"il7_responsive", "il7_dependent_resistant", "ruxolitinib_responder",
                "mek_responder", "auc_prednisolone", "ci"}


def test_every_row_parses_and_is_sourced():
    t = load_targets()
    assert tuple(t.columns[: len(COLUMNS)]) == COLUMNS
    assert t["target"].is_unique
    assert t["source"].str.len().gt(10).all()
    assert set(t["observable"]) <= set(observables.NAMES) | COHORT_FLAGS
    # the paper's BIM range and IL7-responsive count
    bim = t.set_index("target").loc["bim_mrna_fold_prednisolone"]
    assert (bim["lower"], bim["upper"]) == (4, 10)
    assert t.set_index("target").loc["il7_responsive_share", "tolerance"] == "12/46"


def test_soft_bound_hand_worked():
    row = pd.Series({"lower": 4.0, "upper": 10.0, "comparison": "interval_log10",
                     "tolerance": 0.1})
    ll = log_likelihood(row, np.array([6.0, 100.0, 0.4, np.nan]))
    # inside -> 0; 100 is one decade above 10 -> -0.5 (1/0.1)^2 = -50; 0.4 likewise -> -50
    np.testing.assert_allclose(ll[:3], [0.0, -50.0, -50.0])
    assert ll[3] == -np.inf


def test_binomial_peaks_at_observed_share():
    row = pd.Series({"lower": 0.2, "upper": 0.33, "comparison": "binomial", "tolerance": "12/46"})
    p = np.array([12 / 46, 0.1, 0.5])
    ll = log_likelihood(row, p)
    assert ll[0] == 0.0 and ll[1] < 0 and ll[2] < 0
    # hand-worked: 12 ln(0.5/(12/46)) + 34 ln(0.5/(34/46))
    want = 12 * np.log(0.5 * 46 / 12) + 34 * np.log(0.5 * 46 / 34)
    np.testing.assert_allclose(ll[2], want)
