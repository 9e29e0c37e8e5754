"""Layout concentrations and units -> uM (activity units such as asparaginase's U/l kept as U/l)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from tallrx.errors import UnitError, did_you_mean
from tallrx.io._columns import normalize_name, warn
from tallrx.io.plates.layout._values import located_error
from tallrx.units import UNITS, normalize_unit, to_um

# Enzyme-activity doses (asparaginase) have no molar equivalent: kept as U/l (factor to U/l).
ACTIVITY_UNITS: dict[str, float] = {
    "u/l": 1.0,
    "iu/l": 1.0,
    "u/ml": 1e3,
    "iu/ml": 1e3,
    "mu/ml": 1.0,
    "ku/l": 1e3,
}
ACTIVITY_DRUG = re.compile(r"asparaginase|aspargase|crisantaspase|erwinase|erwinaze|oncaspar")


def default_unit(unit: str | None) -> str:
    """Validated ``unit=`` argument (default uM)."""
    if unit is None:
        return "uM"
    if unit.replace(" ", "").lower() in ACTIVITY_UNITS:
        return unit
    try:
        return normalize_unit(unit)
    except UnitError as exc:
        raise UnitError(f"unit={unit!r}: {exc}") from None


def unit_parser(where: str, locs: list[str]):
    options = list(UNITS) + ["U/l", "U/ml"]

    def parse(text: str, k: int) -> str:
        key = text.replace(" ", "").replace("µ", "u").replace("μ", "u").lower()
        if key in ACTIVITY_UNITS:
            return key
        try:
            return normalize_unit(text)
        except UnitError:
            raise located_error(
                UnitError,
                where,
                locs[k],
                f"unknown concentration unit '{text}'; use one of "
                f"{', '.join(options)}.{did_you_mean(text, options)}",
            ) from None

    return parse


def convert(
    conc: np.ndarray,
    units: np.ndarray,
    drugs: np.ndarray,
    mws: np.ndarray,
    active: np.ndarray,
    where: str,
    locs: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Concentrations in uM (activity units: in U/l) and the unit label of each row."""
    out = np.where(active, conc, 0.0).astype(float)
    labels = np.full(len(conc), "uM", dtype=object)
    combos = pd.DataFrame({"unit": units, "drug": drugs, "mw": mws})[active]
    keys = ["unit", "drug", "mw"]
    for (unit, drug, mw), group in combos.groupby(keys, dropna=False, sort=False):
        idx = group.index.to_numpy()
        if unit in ACTIVITY_UNITS:
            out[idx] = conc[idx] * ACTIVITY_UNITS[unit]
            labels[idx] = "U/l"
            continue
        try:
            factor = float(
                to_um(1.0, unit, drug=drug or None, mw=None if np.isnan(mw) else float(mw))
            )
        except UnitError as exc:
            raise located_error(UnitError, where, locs[idx[0]], str(exc)) from None
        out[idx] = conc[idx] * factor
    return out, labels


def row_units(
    given: np.ndarray,
    default: str,
    drugs: np.ndarray,
    drug_units: dict[str, str],
    parse,
    needed: np.ndarray,
) -> tuple[np.ndarray, list[str]]:
    """Canonical unit per row ('' where not needed) and the activity drugs read as U/l."""
    units = np.full(len(given), "", dtype=object)
    reinterpreted: list[str] = []
    table = pd.DataFrame({"drug": drugs, "text": given})[needed]
    for (drug, text), group in table.groupby(["drug", "text"], sort=False):
        k = int(group.index[0])
        dkey = normalize_name(drug)
        if dkey in drug_units:
            unit = parse(drug_units[dkey], k)
        else:
            unit = parse(text or default, k)
            if ACTIVITY_DRUG.search(dkey) and unit not in ACTIVITY_UNITS:
                reinterpreted.append(drug)
                unit = "u/l"
        units[group.index.to_numpy()] = unit
    return units, reinterpreted


def warn_activity(where: str, drug_a, drug_b, label_a, label_b, reinterpreted) -> None:
    drugs = sorted(set(drug_a[label_a != "uM"]) | set(drug_b[label_b != "uM"]))
    if not drugs:
        return
    message = (
        f"{where}: {', '.join(drugs)} dosed in enzyme activity units, which have no uM "
        "equivalent; conc_a keeps the dose in U/l and conc_unit says 'U/l'"
    )
    if reinterpreted:
        names = sorted(set(reinterpreted))
        message += (
            f". The layout gives {', '.join(names)} a molar/mass unit, but "
            f"{'it is' if len(names) == 1 else 'they are'} dosed in activity units, so the "
            f"numbers were read as U/l; pass drug_units={{'{names[0]}': 'nM'}} if they "
            "really are molar"
        )
    warn(message)
