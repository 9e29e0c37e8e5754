"""Robustness (hypothesis): any dose layout and response, however degenerate, ends in either one
TallrxError or a Result whose NaN scores are explained in ``message`` -- never a traceback."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tallrx.analysis.synergy import score_synergy
from tallrx.errors import TallrxError

DOSES = np.geomspace(0.01, 100, 12)


@st.composite
def plates(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    na, nb, reps = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 3))
    da = np.r_[0, np.sort(rng.choice(DOSES, na, replace=False))]
    db = np.r_[0, np.sort(rng.choice(DOSES, nb, replace=False))]
    g1, g2 = np.meshgrid(da, db, indexing="ij")
    d1, d2 = np.tile(g1.ravel(), reps), np.tile(g2.ravel(), reps)
    keep = rng.random(len(d1)) >= draw(st.sampled_from([0.0, 0.1, 0.4]))
    d1, d2 = d1[keep], d2[keep]
    kind = draw(st.sampled_from(["random", "flat", "dead", "curves"]))
    if kind == "random":
        v = rng.uniform(-10, 130, len(d1))
    elif kind == "flat":
        v = 100 + rng.normal(0, 1, len(d1))
    elif kind == "dead":
        v = np.where((d1 > 0) | (d2 > 0), 0.0, 100.0)
    else:
        v = 100 / (1 + d1 / rng.uniform(0.1, 10)) / (1 + d2 / rng.uniform(0.1, 10))
        v = v + rng.normal(0, 3, len(d1))
    t = pd.DataFrame(
        {"sample": "s", "drug_a": "A", "conc_a": d1, "drug_b": "B", "conc_b": d2, "viability": v}
    )
    t["replicate"] = t.groupby(["conc_a", "conc_b"]).cumcount() + 1
    if draw(st.booleans()):
        t["exclude"] = rng.random(len(t)) < 0.2
    return t, draw(st.sampled_from(["median", "ll4", "auto"])), draw(st.sampled_from([0, 19]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plates())
def test_never_a_traceback_never_a_silent_nan(case):
    table, ci_dx, n_null = case
    try:
        res = score_synergy(table, ci_dx=ci_dx, n_null=n_null, n_boot=10)
    except TallrxError as exc:
        assert "\n" not in str(exc)
        return
    for _, row in res.table.iterrows():
        nan_scores = [c for c in ("ci_mean", "bliss", "hsa", "loewe", "zip") if pd.isna(row[c])]
        if nan_scores:
            assert row["message"], (nan_scores, row.to_dict())
        assert row["call"] in (
            "strong synergy",
            "synergy",
            "additive",
            "antagonism",
            "undetermined",
            "not calibrated",
            "not scored",
        )
        if row["call"] == "not scored":
            assert not row["fit_ok"] and row["message"]
