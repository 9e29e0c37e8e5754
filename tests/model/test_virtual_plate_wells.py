"""Virtual plates name wells exactly as the plate readers do, so QC heatmaps and edge tests work."""

from __future__ import annotations

import pandas as pd

from tallrx.model.virtual import viability_plates
from tallrx.plate import parse_well
from tallrx.schema import validate


def test_rows_and_cols_are_numbers_matching_the_well_names():
    treat = pd.DataFrame({"drug_a": ["prednisolone"] * 3, "conc_a": [0.1, 1.0, 10.0],
                          "drug_b": "", "conc_b": 0.0})
    wells = viability_plates([{"sample": "S1", "genotype": "parental"}], treat, replicates=2,
                             plate_format=96, seed=1).table
    validate(wells, "wells")
    parsed = [parse_well(w) for w in wells["well"]]
    assert wells["row"].tolist() == [r for r, _ in parsed]
    assert wells["col"].tolist() == [c for _, c in parsed]
    assert pd.api.types.is_integer_dtype(wells["row"])


def test_bim_s_upper_band_is_measured_and_holds_only_background():
    """Paper Fig. 1C / 2: ERK shifts BIM-EL and BIM-L, never BIM-S. The virtual blot measures the
    BIM-S upper-band region too, so 'never shifted' is a measurement, not an absent column."""
    from tallrx.analysis.assays.blots import upper_band_fraction
    from tallrx.model.virtual import western_blots

    lanes = pd.DataFrame({"genotype": ["NRAS_G12D", "NRAS_G12D"], "dox": [0, 1]})
    blots = western_blots(lanes, seed=3).table
    assert {"BIM-S_p", "BIM-S"} <= set(blots["target"])
    s = upper_band_fraction(blots, "BIM-S_p", "BIM-S")["fraction"]
    el = upper_band_fraction(blots, "BIM-EL_p", "BIM-EL")["fraction"]
    assert (s < 0.05).all()
    assert el.iloc[1] > el.iloc[0] + 0.2  # induction shifts BIM-EL
