"""Hypothesis properties of the layout/plate readers.

- unit round trip: a dose written in any supported unit comes out in uM such that
  tallrx.units.from_um gives the written number back (to_um/from_um are the oracle);
- row order: shuffling the layout's rows does not change the wells table.
"""

import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tallrx.errors import DegenerateDataWarning
from tallrx.io import read_plates
from tallrx.io.plates.layout import normalize_layout
from tallrx.units import MASS_TO_UG_PER_ML, MOLAR_TO_UM, MOLECULAR_WEIGHTS, from_um, to_um

DOSES = st.floats(1e-4, 1e5, allow_nan=False, allow_infinity=False)


@given(
    DOSES,
    st.sampled_from(sorted(MOLAR_TO_UM) + sorted(MASS_TO_UG_PER_ML)),
    st.sampled_from(sorted(MOLECULAR_WEIGHTS)),
)
def test_units_round_trip_through_the_layout(dose, unit, drug):
    layout = pd.DataFrame({"well": ["A1"], "drug": [drug], "conc": [dose], "unit": [unit]})
    conc_um = normalize_layout(layout)["conc_a"].item()
    assert np.isclose(conc_um, float(to_um(dose, unit, drug=drug)), rtol=1e-12)
    assert np.isclose(float(from_um(conc_um, unit, drug=drug)), dose, rtol=1e-12)


@given(DOSES, st.sampled_from(sorted(MOLAR_TO_UM)))
def test_to_um_from_um_inverse(dose, unit):
    assert np.isclose(float(from_um(to_um(dose, unit), unit)), dose, rtol=1e-12)


def _screen():
    rng = np.random.default_rng(3)
    rows = []
    for r in range(1, 9):
        for c in range(1, 13):
            well = f"{chr(64 + r)}{c}"
            if c == 1:
                rows.append((well, "DMSO", 0.0, 0))
            elif c == 12:
                rows.append((well, "blank", 0.0, 0))
            else:
                rows.append(
                    (well, ["prednisolone", "selumetinib"][r % 2], 10.0 ** (c - 6), 25 * (r > 4))
                )
    layout = pd.DataFrame(rows, columns=["well", "drug", "conc", "il7"])
    measured = pd.concat(
        [
            pd.DataFrame(
                {"plate": p, "well": layout["well"], "signal": rng.uniform(0, 1e5, len(layout))}
            )
            for p in ("P1", "P2")
        ],
        ignore_index=True,
    )
    return layout, measured


LAYOUT, MEASURED = _screen()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DegenerateDataWarning)
    REFERENCE = read_plates(LAYOUT, MEASURED)


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(len(LAYOUT))))
def test_layout_row_order_does_not_matter(order):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateDataWarning)
        got = read_plates(LAYOUT.iloc[list(order)], MEASURED)
    # the table comes out in plate/well order; sorting again must not be needed, but is harmless
    pd.testing.assert_frame_equal(got, REFERENCE)
    pd.testing.assert_frame_equal(
        got.sort_values(["plate", "row", "col"], ignore_index=True),
        REFERENCE.sort_values(["plate", "row", "col"], ignore_index=True),
    )
    # prednisolone (even rows) at 1 uM (column 6) without IL7 (rows A-D): B6 and D6 replicate
    p1 = got[got["plate"] == "P1"].set_index("well")
    assert p1.loc[["B6", "D6", "F6"], "replicate"].tolist() == [1, 2, 1]
