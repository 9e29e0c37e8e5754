"""Each claim's figure draws from the same hand-made analysis tables its evaluator reads."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

from tallrx.plots.reproduce import CLAIM_FIGURES, sensitivity_figure

from .test_claims import (
    _claim1_tables,
    _claim3_tables,
    _claim5_tables,
    _cohort_curves,
    _combos,
    _expression,
    _fits,
    _perk_pdx,
    _strata,
)


def _inputs(claim_id: int) -> dict:
    if claim_id == 1:
        return dict(zip(("curves", "perk"), _claim1_tables(), strict=True))
    if claim_id == 2:
        return {"strata": _strata(12), "perk": _perk_pdx(4)}
    if claim_id == 3:
        return dict(zip(("shift", "perk", "viability"), _claim3_tables(), strict=True))
    if claim_id == 4:
        e = _expression()  # + the error-bar columns relative_expression emits
        return {
            "expression": e.assign(
                lower=e["relative_expression"] * 0.9, upper=e["relative_expression"] * 1.1
            )
        }
    if claim_id == 5:
        keys = ("binding_dox", "binding_drug", "binding_btz", "blots_btz")
        return dict(zip(keys, _claim5_tables(), strict=True))
    if claim_id == 6:
        return {"curves": _cohort_curves()}
    if claim_id == 7:
        pts = pd.DataFrame(
            {
                "drug_a": ["ruxolitinib"] * 3,
                "enhanced_viability": [110, 150, 200],
                "delta_auc": [0.95, 0.8, 0.6],
            }
        )
        return {"regression": _fits().assign(intercept=1.2), "points": pts}
    return dict(zip(("combinations", "groups"), _combos(), strict=True))


@pytest.mark.parametrize("claim_id", range(1, 9))
def test_claim_figure_draws(claim_id):
    fig = CLAIM_FIGURES[claim_id](**_inputs(claim_id))
    assert isinstance(fig, Figure) and fig.axes


def test_sensitivity_figure_draws_with_a_claim_that_never_ran():
    s = pd.DataFrame({"claim": [1, 2], "fraction_held": [0.75, float("nan")], "n_runs": [4, 0]})
    assert isinstance(sensitivity_figure(s), Figure)
