"""Choosing the IL7-dependent and IL7-independent steroid-resistant samples from the strata."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx.reproduce.selection import resistant_groups


def test_resistant_groups_limit_order_and_undefined_folds():
    strata = pd.DataFrame(
        {
            "sample": list("abcdefg"),
            "drug_a": "prednisolone",
            "auc_without": [100, 120, 300, 250, 260, 90, np.nan],
            "auc_with": [250, 300, 310, 260, 150, 100, 200],
            "auc_fold": [2.5, 2.5, 1.03, 1.04, 0.58, 1.1, np.nan],
            "il7_responsive": [True, True, False, False, False, False, pd.NA],
            "il7_dependent_resistant": [True, True, False, False, False, False, pd.NA],
        }
    )
    g = resistant_groups(strata, n=1)
    assert g[["sample", "group"]].values.tolist() == [
        ["b", "IL7-dependent"],
        ["c", "IL7-independent"],
    ]
    assert set(resistant_groups(strata, n=6)["sample"]) == {"a", "b", "c", "d", "e"}
