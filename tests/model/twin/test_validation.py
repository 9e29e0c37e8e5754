"""Twins of 6 virtual patients against their held-out combination plates.

Truth comes from the simulator's known parameters (held-out noisy plates and noise-free
surfaces simulated from them), never from the twin's output. Tolerances: the 90 % prediction
intervals must cover the held-out cell means within a binomial tolerance (cells of one patient
are correlated, so the effective number is taken as 5 per patient x IL7 level, a design effect
of 5), the twin must beat the no-twin baseline (each cell predicted by the other patients'
mean) and chance (1/3 for three calls).
"""

from __future__ import annotations

import warnings

import pytest
from scipy.stats import binom

from tallrx.workflows.twin.run import Settings
from tallrx.workflows.twin.validate import validate_twins

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return validate_twins(
            6, seed=0, settings=Settings(library=192, rounds=2, per_round=48, draws=32, n_null=39)
        )


def test_prediction_intervals_cover_about_90_percent(result):
    s = result["summary"].iloc[0]
    n_eff = 6 * 2 * 5
    lo, hi = binom.ppf([0.0005, 0.9995], n_eff, 0.90) / n_eff
    assert lo <= s["coverage"] <= hi, s["coverage"]


def test_twin_beats_no_twin_and_chance(result):
    s = result["summary"].iloc[0]
    assert s["mae"] < s["mae_population"]
    assert s["call_accuracy"] > 1 / 3
    assert len(result["calls"]) == 12


def test_truth_is_the_simulators_not_the_twins(result):
    cells = result["cells"]
    # the noise-free truth differs from the twin's median: it is not the twin's own output
    assert (cells["truth"] - cells["model_median"]).abs().max() > 1.0
    assert cells["measured"].notna().all() and cells["truth"].notna().all()
