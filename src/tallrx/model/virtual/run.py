"""The step every virtual assay shares: a conditions table -> simulated observables and states
(identical rows simulated once), and the tidy Result tagged ``source = simulated``.

A conditions table has one row per sample / lane / IP / cDNA: ``genotype``, ``dox``, ``il7``,
drug columns in uM, optional ``p.<parameter>`` columns for virtual patients; any other column is
a condition carried into the assay's output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from tallrx._result import Result
from tallrx.errors import InputError
from tallrx.model import observables as obs
from tallrx.model.network import NETWORK
from tallrx.model.simulate import PARAM_PREFIX, conditions_to_parameters, simulate_states
from tallrx.schema import validate


def condition_columns(conditions: pd.DataFrame) -> list[str]:
    """User-facing condition columns (no ``p.*`` parameters, no ``sample``)."""
    return [
        c
        for c in conditions.columns
        if not str(c).startswith(PARAM_PREFIX) and c not in ("sample",)
    ]


def as_conditions(rows, where: str) -> pd.DataFrame:
    """A fresh conditions DataFrame of ``rows`` (records or a DataFrame); InputError when empty."""
    df = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    if len(df) == 0:
        raise InputError(f"{where}: no rows; give at least one sample / condition")
    return df.reset_index(drop=True)


def run_conditions(
    conditions: pd.DataFrame,
    hours: Sequence[float],
    names: Sequence[str] = obs.NAMES,
    *,
    engine: str = "batched",
    jobs: int = 1,
    mapper: Callable | None = None,
    where: str = "conditions",
) -> tuple[np.ndarray, np.ndarray]:
    """Simulate each row (identical rows once): (observables (m, k, W), states (m, n, W))."""
    P = conditions_to_parameters(conditions.reset_index(drop=True), where=where)
    uniq, inverse = np.unique(P, axis=1, return_inverse=True)
    states, ref = simulate_states(uniq, hours, engine=engine, jobs=jobs, mapper=mapper)
    values = obs.compute(NETWORK, states, ref, names)
    inv = inverse.ravel()
    return values[..., inv], states[..., inv]


def simulated(records, kind: str, where: str, meta: dict, order=None) -> Result:
    """Tidy table of ``kind`` from records, tagged source = simulated and validated."""
    df = pd.DataFrame(records)
    df["source"] = "simulated"
    if order is not None:
        df = df[order]
    return Result(kind, validate(df.reset_index(drop=True), kind, where=where), meta=meta)
