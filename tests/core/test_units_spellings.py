"""Unit spellings written by clinical labs and instruments map to the same concentration."""

import pytest

from tallrx.units import normalize_unit, to_um


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [("nmol/L", "nM"), ("µmol/l", "uM"), ("umol/L", "uM"), ("mmol/l", "mM"), ("pmol/L", "pM"),
     ("mol/l", "M"), ("µg/l", "ng/ml"), ("ng/µl", "ug/ml"), ("ug/uL", "mg/ml"), ("ng/L", "pg/ml")],
)
def test_spelling_is_the_same_unit(spelling, canonical):
    assert normalize_unit(spelling) == canonical


def test_per_litre_values_convert_by_hand():
    # 250 nmol/L = 0.25 uM; 360.44 ug/l prednisolone = 0.36044 mg/l, / 360.44 g/mol
    # = 0.001 mmol/l = 1 uM
    assert float(to_um(250, "nmol/L")) == pytest.approx(0.25)
    assert float(to_um(360.44, "ug/l", drug="prednisolone")) == pytest.approx(1.0)
