"""PEtab (v1) export of a calibration problem on the mechanistic model: the SBML model plus the
condition, observable, measurement and parameter tables and the problem YAML, so that pyPESTO /
AMICI / COPASI users can rerun a calibration.

This module holds the PEtab side only: :func:`write_petab` takes measurements already stated in
model terms (:class:`Measurement`: an observable formula over SBML ids, the condition as input
parameter values, a time in h, a value and its noise sd). Turning the rows of
``calibration_targets.csv`` into measurements (and listing those PEtab cannot express, such as
cohort-level statistics or the CI of a combination) is the caller's job.

The estimated parameters are the uncertain kinetic and level parameters (those
``tallrx reproduce --sensitivity`` varies), with their stated bounds: log10 scale when the lower bound is positive, linear otherwise.
``petab`` is imported lazily (the ``test`` extra installs it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["Measurement", "petab_tables", "write_petab", "lint"]

PROBLEM_FILE = "problem.yaml"
FILES = {
    "sbml": "model.xml",
    "condition": "conditions.tsv",
    "observable": "observables.tsv",
    "measurement": "measurements.tsv",
    "parameter": "parameters.tsv",
}


@dataclass(frozen=True)
class Measurement:
    """One PEtab measurement in model terms.

    ``observable`` is a formula over SBML ids (e.g. ``"BIM_mRNA"``), ``condition`` the input
    parameters set (e.g. ``{"prednisolone": 690.0}``, concentrations in uM), ``time`` in h,
    ``value`` the measured number and ``sd`` its noise standard deviation (same unit, or log10
    units when ``transformation`` is ``"log10"``). ``preequilibration``: the inputs of the state
    brought to steady state before ``condition`` starts (PEtab's preequilibrationConditionId);
    ``None`` starts from the SBML initial values. Condition keys may be SBML parameters or species
    (a species value re-initializes it when the condition starts).
    """

    observable_id: str
    observable: str
    value: float
    sd: float
    time: float
    condition: Mapping[str, float] = field(default_factory=dict)
    preequilibration: Mapping[str, float] | None = None
    transformation: str = "lin"


def _condition_id(cond: Mapping[str, float]) -> str:
    if not cond:
        return "control"
    text = "__".join(f"{k}_{v:g}" for k, v in sorted(cond.items()))
    return "c_" + re.sub(r"[^A-Za-z0-9_]", "_", text)


def _estimated() -> list:
    """The uncertain parameters (the set ``tallrx reproduce --sensitivity`` varies: kinetic and
    level parameters with a stated range, except the per-patient ones)."""
    from tallrx.model import NETWORK
    from tallrx.model.virtual.cohort import PARAMS

    return [
        p for p in NETWORK.parameters
        if p.kind in ("kinetic", "level") and p.high > p.low and p.name not in PARAMS
    ]


def _defaults(keys: Sequence[str]) -> dict[str, float]:
    """Value of a condition column where a condition leaves it out: the parameter's nominal
    value, NaN for a species (PEtab: keep the state as it is)."""
    from tallrx.model import NETWORK

    params = {p.name: float(p.value) for p in NETWORK.parameters}
    return {k: params.get(k, float("nan")) for k in keys}


def petab_tables(measurements: Sequence[Measurement]) -> dict[str, pd.DataFrame]:
    """The four PEtab tables (condition, observable, measurement, parameter) of ``measurements``."""
    every = [m.condition for m in measurements] + [
        m.preequilibration for m in measurements if m.preequilibration is not None
    ]
    inputs = sorted({k for c in every for k in c})
    conds = {_condition_id(c): c for c in every}
    default = _defaults(inputs)
    condition = pd.DataFrame(
        [{"conditionId": cid, **{k: float(c.get(k, default[k])) for k in inputs}}
         for cid, c in conds.items()]
    )
    observable = pd.DataFrame(
        [
            {
                "observableId": oid,
                "observableFormula": formula,
                "observableTransformation": transformation,
                "noiseFormula": f"noiseParameter1_{oid}",
                "noiseDistribution": "normal",
            }
            for oid, (formula, transformation) in {
                m.observable_id: (m.observable, m.transformation) for m in measurements
            }.items()
        ]
    )
    measurement = pd.DataFrame(
        [
            {
                "observableId": m.observable_id,
                "simulationConditionId": _condition_id(m.condition),
                "measurement": float(m.value),
                "time": float(m.time),
                "noiseParameters": float(m.sd),
                **(
                    {"preequilibrationConditionId": _condition_id(m.preequilibration)}
                    if m.preequilibration is not None else {}
                ),
            }
            for m in measurements
        ]
    )
    parameter = pd.DataFrame(
        [
            {
                "parameterId": p.name,
                "parameterScale": "log10" if p.low > 0 else "lin",
                "lowerBound": float(p.low),
                "upperBound": float(p.high),
                "nominalValue": float(p.value),
                "estimate": 1,
            }
            for p in _estimated()
            if p.name not in inputs
        ]
    )
    return {
        "condition": condition,
        "observable": observable,
        "measurement": measurement,
        "parameter": parameter,
    }


def write_petab(out: str | Path, measurements: Sequence[Measurement]) -> Path:
    """Write the SBML model, the PEtab tables and ``problem.yaml`` into folder ``out``.

    Returns
    -------
    pathlib.Path
        The problem YAML.
    """
    import petab.v1 as petab

    from tallrx.model import NETWORK
    from tallrx.model.network.sbml import to_sbml

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / FILES["sbml"]).write_text(to_sbml(NETWORK))
    tables = petab_tables(measurements)
    petab.write_condition_df(tables["condition"], out / FILES["condition"])
    petab.write_observable_df(tables["observable"], out / FILES["observable"])
    petab.write_measurement_df(tables["measurement"], out / FILES["measurement"])
    petab.write_parameter_df(tables["parameter"], out / FILES["parameter"])
    petab.create_problem_yaml(
        sbml_files=str(out / FILES["sbml"]),
        condition_files=str(out / FILES["condition"]),
        measurement_files=str(out / FILES["measurement"]),
        parameter_file=str(out / FILES["parameter"]),
        observable_files=str(out / FILES["observable"]),
        yaml_file=out / PROBLEM_FILE,
        relative_paths=True,
    )
    return out / PROBLEM_FILE


def lint(problem_yaml: str | Path) -> bool:
    """True when the ``petab`` linter finds errors in the problem (it logs them)."""
    import petab.v1 as petab

    return bool(petab.lint_problem(petab.Problem.from_yaml(str(problem_yaml))))
