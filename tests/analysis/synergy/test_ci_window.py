"""The therapeutic window of the mean CI leaves out points whose effect is within plate noise.

Near a drug's top plateau Dx(fa) -> 0, so d / Dx explodes; a steroid-resistant sample tested from
sub-active doses has many such points. Invariant used: on no-interaction (Bliss) plates the mean CI
is of order 1 -- finite, never astronomically large.
"""

from __future__ import annotations

import numpy as np

from tallrx.analysis.synergy import engine, score_synergy
from tallrx.analysis.synergy.chou_talalay import CI_WINDOW_MIN_FA
from tallrx.analysis.synergy.simulate import DrugModel, simulate_table

STEROID = DrugModel("prednisolone", bottom=80.0, ic50=5.0, hill=0.8,
                    doses=tuple(np.geomspace(0.01, 100.0, 7)))
MEKI = DrugModel("selumetinib", bottom=30.0, ic50=0.3, hill=1.2,
                 doses=tuple(np.geomspace(0.001, 3.0, 7)))


def _ci_means(table):
    res = score_synergy(table, methods=["ci"], n_null=0, seed=0)
    return res.table["ci_mean"].to_numpy(float), res


def test_window_mean_ci_stays_of_order_one_on_null_plates():
    table = simulate_table(12, a=STEROID, b=MEKI, model="bliss", sd=3.0, seed=4)
    ci, res = _ci_means(table)
    assert np.isfinite(ci).all()
    assert ci.max() < 5.0
    assert res.table["message"].str.contains("left out of the CI window").all()


def test_without_the_window_the_mean_is_dominated_by_noise_points(monkeypatch):
    """The same plates scored with every point in the window: the mean blows up (the bug)."""
    table = simulate_table(12, a=STEROID, b=MEKI, model="bliss", sd=3.0, seed=4)
    monkeypatch.setattr(engine, "CI_WINDOW_MIN_FA", 1e-12)
    ci, _ = _ci_means(table)
    assert np.nanmax(ci) > 50.0
    assert CI_WINDOW_MIN_FA == 0.10
