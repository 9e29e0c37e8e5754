"""Concentration units and molecular weights. Tables always hold uM.

Molecular weights (g/mol, free base or the form used in screens) from PubChem:
prednisolone 360.44, dexamethasone 392.46, selumetinib 457.68, trametinib 615.39,
binimetinib 441.23, ruxolitinib 306.37, CI1040 (PD184352) 478.66, bortezomib 384.24.

>>> round(float(to_um(250, "ug/ml", drug="prednisolone")), 1)
693.6
>>> float(to_um(500, "nM"))
0.5
>>> normalize_unit("nmol/L"), normalize_unit("µmol/l"), normalize_unit("ng/µl")
('nM', 'uM', 'ug/ml')
"""

from __future__ import annotations

import numpy as np

from tallrx.errors import UnitError, did_you_mean

MOLECULAR_WEIGHTS: dict[str, float] = {
    "prednisolone": 360.44,
    "dexamethasone": 392.46,
    "selumetinib": 457.68,
    "trametinib": 615.39,
    "binimetinib": 441.23,
    "ruxolitinib": 306.37,
    "ci1040": 478.66,
    "bortezomib": 384.24,
}

# factor that converts a molar unit to uM
MOLAR_TO_UM: dict[str, float] = {"pM": 1e-6, "nM": 1e-3, "uM": 1.0, "mM": 1e3, "M": 1e6}
# factor that converts a mass unit to ug/ml (= mg/l)
MASS_TO_UG_PER_ML: dict[str, float] = {"pg/ml": 1e-6, "ng/ml": 1e-3, "ug/ml": 1.0, "mg/ml": 1e3,
                                       "mg/l": 1.0, "g/l": 1e3}

_ALIASES = {"µm": "uM", "μm": "uM", "um": "uM", "micromolar": "uM", "nm": "nM", "nanomolar": "nM",
            "mm": "mM", "millimolar": "mM", "pm": "pM", "m": "M", "molar": "M",
            "µg/ml": "ug/ml", "μg/ml": "ug/ml", "ug/ml": "ug/ml", "ng/ml": "ng/ml", "mg/ml": "mg/ml",
            "pg/ml": "pg/ml", "mg/l": "mg/l", "g/l": "g/l",
            # same mass concentration, other spellings: 1 ug/l = 1 ng/ml, 1 ng/ul = 1 ug/ml
            "ug/l": "ng/ml", "µg/l": "ng/ml", "μg/l": "ng/ml", "ng/l": "pg/ml",
            "ng/ul": "ug/ml", "ng/µl": "ug/ml", "ng/μl": "ug/ml",
            "ug/ul": "mg/ml", "µg/µl": "mg/ml", "μg/μl": "mg/ml"}
# amount per litre as clinical labs and some instruments write it: nmol/L = nM, umol/L = uM, ...
_ALIASES.update({f"{prefix}mol/l": unit for prefix, unit in (
    ("p", "pM"), ("n", "nM"), ("u", "uM"), ("µ", "uM"), ("μ", "uM"), ("m", "mM"), ("", "M"))})

UNITS = tuple(MOLAR_TO_UM) + tuple(MASS_TO_UG_PER_ML)


def normalize_unit(unit: str) -> str:
    """Canonical spelling of a concentration unit ('µM' -> 'uM'); UnitError when unknown."""
    key = str(unit).strip().replace(" ", "").lower()
    if key in _ALIASES:
        return _ALIASES[key]
    raise UnitError(f"unknown concentration unit '{unit}'; use one of {', '.join(UNITS)}."
                    f"{did_you_mean(str(unit), UNITS)}")


def molecular_weight(drug: str) -> float:
    """Molecular weight of a known drug in g/mol (case and dash insensitive)."""
    key = str(drug).strip().lower().replace("-", "").replace(" ", "")
    if key not in MOLECULAR_WEIGHTS:
        raise UnitError(
            f"no molecular weight known for drug '{drug}', so mass units cannot be converted "
            f"to uM; give concentrations in a molar unit or add it to "
            f"tallrx.units.MOLECULAR_WEIGHTS.{did_you_mean(key, MOLECULAR_WEIGHTS)}"
        )
    return MOLECULAR_WEIGHTS[key]


def to_um(value, unit: str, drug: str | None = None, mw: float | None = None):
    """Convert concentration(s) ``value`` in ``unit`` to uM (mass units need ``drug`` or ``mw``)."""
    u = normalize_unit(unit)
    v = np.asarray(value, dtype=float)
    if u in MOLAR_TO_UM:
        return v * MOLAR_TO_UM[u]
    weight = mw if mw is not None else molecular_weight(drug) if drug is not None else None
    if weight is None:
        raise UnitError(f"converting '{unit}' to uM needs the drug's molecular weight")
    # 1 ug/ml = 1 mg/l; (mg/l) / (g/mol) = mmol/l = 1e3 uM
    return v * MASS_TO_UG_PER_ML[u] / weight * 1e3


def from_um(value, unit: str, drug: str | None = None, mw: float | None = None):
    """Convert concentration(s) in uM to ``unit`` (inverse of :func:`to_um`)."""
    one = float(to_um(1.0, unit, drug=drug, mw=mw))
    return np.asarray(value, dtype=float) / one
