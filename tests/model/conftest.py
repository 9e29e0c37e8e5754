"""Shared fixtures of the model tests: one roadrunner instance per session (compiling the SBML
takes about a second) and a helper building parameter matrices from condition dicts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.model import conditions_to_parameters
from tallrx.model.solvers import RoadRunnerEngine


@pytest.fixture(scope="session")
def rr_engine():
    return RoadRunnerEngine()


def pmatrix(rows: list[dict], params=None) -> np.ndarray:
    """(n_parameters, len(rows)) matrix from condition dicts (missing inputs are 0)."""
    return conditions_to_parameters(pd.DataFrame(rows).fillna(0.0), params)


@pytest.fixture(scope="session")
def big(request) -> bool:
    """True under ``pytest -m slow``: the robustness tests run their full sizes."""
    expr = request.config.getoption("-m", default="") or ""
    return "slow" in expr and "not slow" not in expr
