"""Well roles (treated / vehicle / blank / positive / unused): given, or inferred from names."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from tallrx.errors import InputError, did_you_mean
from tallrx.io._columns import normalize_name
from tallrx.io.plates.layout._values import cell_texts, first_index, located_error, name_keys

VEHICLE_NAMES = frozenset(
    {
        "dmso",
        "vehicle",
        "solvent",
        "medium",
        "media",
        "control",
        "ctrl",
        "untreated",
        "no_drug",
        "none",
        "water",
        "h2o",
        "pbs",
        "ethanol",
        "etoh",
    }
)
BLANK_NAMES = frozenset({"blank", "empty", "no_cells", "no_cell", "background", "cell_free"})
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "treated": ("treated", "treatment", "sample", "drug", "test", "compound"),
    "vehicle": (
        "vehicle",
        "negative",
        "neg",
        "negcon",
        "negative_control",
        "neg_ctrl",
        "neg_control",
        "nc",  # plate-assay shorthand: negative control
        "dmso",
        "solvent",
        "untreated",
        "control",
        "ctrl",
    ),
    "blank": ("blank", "empty", "background", "bkg", "no_cells", "medium_only", "media_only"),
    "positive": (
        "positive",
        "pos",
        "poscon",
        "positive_control",
        "pos_ctrl",
        "pos_control",
        "pc",  # plate-assay shorthand: positive control
        "kill",
        "kill_control",
    ),
    "unused": ("unused", "not_used", "none", "skip", "ignore", "-"),
}
_ROLE_OF = {alias: role for role, names in ROLE_ALIASES.items() for alias in names}


def well_roles(
    raw: pd.DataFrame,
    found: dict,
    drug_a: np.ndarray,
    conc_a: np.ndarray,
    drug_b: np.ndarray,
    sample: np.ndarray,
    where: str,
    locs: list[str],
) -> np.ndarray:
    """Explicit role where given (aliases allowed), inferred elsewhere."""
    dkey, skey = name_keys(drug_a), name_keys(sample)
    blank = np.isin(dkey, list(BLANK_NAMES)) | np.isin(skey, list(BLANK_NAMES))
    no_drug = (dkey == "") & (np.nan_to_num(conc_a) == 0) & (drug_b == "")
    # a vehicle named with its strength ('DMSO 0.1%', 'DMSO_0.1 %'); a control named by its role
    # in the drug column (Gen5's NEGCON / POSCON well ids), when no dose is given
    base = np.array([re.sub(r"(_[\d.,_]+)?_?%?$", "", k) for k in dkey], dtype=object)
    undosed = ~(np.nan_to_num(conc_a) > 0)
    by_role = np.array([_ROLE_OF.get(k, "") for k in dkey], dtype=object)
    vehicle = (np.isin(dkey, list(VEHICLE_NAMES)) | no_drug
               | np.isin(base, list(VEHICLE_NAMES)) & (base != dkey)
               | (by_role == "vehicle") & undosed)
    positive = (by_role == "positive") & undosed
    inferred = np.where(blank, "blank", np.where(vehicle, "vehicle", np.where(
        positive, "positive", "treated"))).astype(object)
    if "role" not in found:
        return inferred
    given = cell_texts(raw[found["role"]])
    out = inferred.copy()
    for k, text in enumerate(given):
        if not text:
            continue
        role = _ROLE_OF.get(normalize_name(text))
        if role is None:
            raise located_error(
                InputError,
                where,
                locs[k],
                f"role '{text}' is not known; use treated, vehicle, blank, positive or "
                f"unused.{did_you_mean(normalize_name(text), _ROLE_OF)}",
            )
        out[k] = role
    return out


def check_values(
    role, drug_a, conc_a, bad_a, drug_b, conc_b, bad_b, raw, found, where, locs
) -> None:
    """Treated wells need a drug and a positive concentration; none may be negative/non-numeric."""
    checked = ~np.isin(role, ["vehicle", "unused"])
    treated = role == "treated"
    cell_a = cell_texts(raw[found["conc_a"]]) if "conc_a" in found else np.full(len(role), "")
    cell_b = cell_texts(raw[found["conc_b"]]) if "conc_b" in found else np.full(len(role), "")
    problems = [
        (
            checked & bad_a & (drug_a != ""),
            lambda k: (
                f"concentration '{cell_a[k]}' of {drug_a[k]} is not a number; expected a "
                "number (put the unit in a 'unit' column)"
            ),
        ),
        (
            treated & (drug_a == ""),
            lambda k: (
                "a treated well with no drug; name the drug, or give the well role "
                "'vehicle' or 'blank'"
            ),
        ),
        (
            treated & ~(conc_a > 0),
            lambda k: (
                f"concentration {cell_a[k] or 'empty'} for treated drug '{drug_a[k]}'; "
                "treated wells need a concentration > 0 (mark controls with drug 'DMSO' or "
                "role 'vehicle')"
            ),
        ),
        (
            checked & (conc_a < 0),
            lambda k: f"negative concentration {cell_a[k]}; expected a value >= 0",
        ),
        (
            checked & (drug_b != "") & (bad_b | ~(conc_b > 0)),
            lambda k: (
                f"concentration '{cell_b[k] or 'empty'}' for second drug '{drug_b[k]}'; "
                "expected a number > 0"
            ),
        ),
        (
            checked & (drug_b == "") & (bad_b | (np.nan_to_num(conc_b) != 0)),
            lambda k: (
                f"a second-drug concentration ({cell_b[k]}) without a second drug; name "
                "drug_b or leave conc_b empty"
            ),
        ),
    ]
    for mask, message in problems:
        k = first_index(mask)
        if k is not None:
            raise located_error(InputError, where, locs[k], message(k))
