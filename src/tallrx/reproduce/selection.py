"""Choosing the steroid-resistant PDX samples of Fig. 1E and Fig. 5B-C from the IL7 strata.

The choice uses only the analyzed screen (the :func:`tallrx.analysis.doseresponse.stratify.stratify_il7`
table), as a lab would; never the cohort's simulation parameters.

* IL7-dependent steroid resistant: ``il7_dependent_resistant`` (AUC fold > 1.5 and AUC(+IL7) >=
  175, Fig. 5B legend); the most resistant with IL7 first.
* IL7-independent steroid resistant: not IL7-responsive and AUC(-IL7) >= 175 (the paper: "steroid
  resistant PDX samples for which the steroid sensitivity was not affected by IL7"; the 175 cut-off
  is the paper's IL7-dependent one, applied without IL7); the most resistant first.
"""

from __future__ import annotations

import pandas as pd

from tallrx.analysis.doseresponse.stratify import IL7_DEPENDENT_MIN_AUC
from tallrx.reproduce._tables import drug_mask, is_on, numeric

__all__ = ["DEPENDENT", "INDEPENDENT", "resistant_groups"]

DEPENDENT, INDEPENDENT = "IL7-dependent", "IL7-independent"


def resistant_groups(
    strata: pd.DataFrame, n: int = 6, *, min_auc: float = IL7_DEPENDENT_MIN_AUC
) -> pd.DataFrame:
    """Up to ``n`` samples of each group: columns sample, group, auc_without, auc_with, auc_fold.

    >>> s = pd.DataFrame({"sample": ["a", "b", "c", "d"], "drug_a": "prednisolone",
    ...     "auc_without": [100, 250, 300, 90], "auc_with": [200, 260, 310, 100],
    ...     "auc_fold": [2.0, 1.04, 1.03, 1.1], "il7_responsive": [True, False, False, False],
    ...     "il7_dependent_resistant": [True, False, False, False]})
    >>> resistant_groups(s)[["sample", "group"]].values.tolist()
    [['a', 'IL7-dependent'], ['c', 'IL7-independent'], ['b', 'IL7-independent']]
    """
    s = strata[drug_mask(strata, "prednisolone")] if "drug_a" in strata else strata
    s = s.assign(
        auc_without=numeric(s["auc_without"]),
        auc_with=numeric(s["auc_with"]),
        auc_fold=numeric(s["auc_fold"]),
    )
    called = s["auc_fold"].notna()
    dep = s[called & is_on(s["il7_dependent_resistant"])]
    ind = s[called & ~is_on(s["il7_responsive"]) & (s["auc_without"] >= min_auc)]
    dep = dep.sort_values(["auc_with", "sample"], ascending=[False, True]).head(n)
    ind = ind.sort_values(["auc_without", "sample"], ascending=[False, True]).head(n)
    cols = ["sample", "auc_without", "auc_with", "auc_fold"]
    out = pd.concat(
        [dep[cols].assign(group=DEPENDENT), ind[cols].assign(group=INDEPENDENT)],
        ignore_index=True,
    )
    out["sample"] = out["sample"].astype("str")
    return out[["sample", "group", "auc_without", "auc_with", "auc_fold"]]
