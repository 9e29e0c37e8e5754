"""% viability of many parameter sets under many conditions on the batched engine.

A condition is (drug, conc in uM, il7 in ng/ml, ref_il7); a row ``drug_b``/``conc_b`` adds a
second drug. Viability = 100 x viable cells after 96 h / viable cells of the vehicle at
``ref_il7`` (the normalization of the screen's viability table). One parameter matrix holds every
(parameter set x condition) column plus the vehicles, so the whole batch is one engine call.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

ASSAY_HOURS = 96.0


def _columns(conditions: pd.DataFrame) -> pd.DataFrame:
    """Engine conditions (il7 + drug columns) of the conditions and their reference vehicles."""
    rows = []
    for r in conditions.itertuples(index=False):
        row = {"il7": float(r.il7)}
        for drug, conc in ((r.drug, r.conc), (getattr(r, "drug_b", ""), getattr(r, "conc_b", 0.0))):
            if drug and conc > 0:
                row[drug] = row.get(drug, 0.0) + float(conc)
        rows.append(row)
    refs = sorted(set(conditions["ref_il7"].astype(float)))
    rows += [{"il7": x} for x in refs]
    return pd.DataFrame(rows).fillna(0.0), refs


def simulate_viability(
    params: pd.DataFrame,
    conditions: pd.DataFrame,
    *,
    engine: str = "batched",
    jobs: int = 1,
    mapper: Callable | None = None,
) -> np.ndarray:
    """(len(params), len(conditions)) % viability (NaN where the engine failed).

    ``params``: one row per parameter set, columns = model parameter names.
    """
    from tallrx.model import observables as obs
    from tallrx.model.network import NETWORK
    from tallrx.model.simulate import conditions_to_parameters, simulate_states

    eng, refs = _columns(conditions)
    base = conditions_to_parameters(eng, where="twin conditions")  # (p, c)
    n, c = len(params), base.shape[1]
    P = np.repeat(base[:, None, :], n, axis=1).reshape(base.shape[0], n * c)
    idx = NETWORK.parameter_index
    for name in params.columns:
        if name in idx:
            P[idx[name]] = np.repeat(params[name].to_numpy(float), c)
    states, ref = simulate_states(
        P, [ASSAY_HOURS], engine=engine, jobs=jobs, mapper=mapper, failures={}
    )
    with np.errstate(all="ignore"):
        viable = obs.compute(NETWORK, states, ref, ["viable_cells"])[-1, 0].reshape(n, c)
    m = len(conditions)
    veh = {x: viable[:, m + i] for i, x in enumerate(refs)}
    ref_of = conditions["ref_il7"].astype(float).to_numpy()
    denom = np.column_stack([veh[x] for x in ref_of]) if m else np.empty((n, 0))
    with np.errstate(all="ignore"):
        return 100.0 * viable[:, :m] / denom
