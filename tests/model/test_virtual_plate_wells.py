"""Virtual plates name wells exactly as the plate readers do, so QC heatmaps and edge tests work."""

from __future__ import annotations

import pandas as pd

from tallrx.io.wells import parse_well
from tallrx.model.assays import viability_plates
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
