"""validate_twins skips a virtual patient whose screen failed plate QC (no usable wells)."""

from __future__ import annotations

import pandas as pd

from tallrx.workflows.twin.validate import usable_patients


def test_patient_with_every_well_excluded_is_skipped():
    wells = []
    for sample, exclude in (("VP01", False), ("VP02", True)):
        for conc in (0.0, 1.0, 10.0):
            wells.append({"sample": sample, "drug_a": "prednisolone" if conc else "",
                          "conc_a": conc, "il7": 0.0, "viability": 100.0 - 5 * conc,
                          "role": "treated" if conc else "vehicle", "exclude": exclude})
    patients = pd.DataFrame({"sample": ["VP01", "VP02"], "gr_level": [1.0, 2.0]})
    kept, skipped = usable_patients(patients, pd.DataFrame(wells))
    assert skipped == ["VP02"]
    assert list(kept["sample"]) == ["VP01"] and kept["gr_level"].tolist() == [1.0]
