"""Treatment designs of virtual plates: columns drug_a, conc_a, drug_b, conc_b (uM).

>>> treatments_matrix("selumetinib", [0.1, 1], "prednisolone", [1]).shape
(5, 4)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tallrx.model.genotypes import normalize_drug


def treatments_single(drug: str, doses: Sequence[float]) -> pd.DataFrame:
    """Single-agent dose series (uM)."""
    d = normalize_drug(drug)
    return pd.DataFrame(
        {"drug_a": d, "conc_a": np.asarray(doses, dtype=float), "drug_b": "", "conc_b": 0.0}
    )


def treatments_matrix(
    drug_a: str, doses_a: Sequence[float], drug_b: str, doses_b: Sequence[float]
) -> pd.DataFrame:
    """Full dose matrix: both single-agent series and every combination."""
    a, b = normalize_drug(drug_a), normalize_drug(drug_b)
    ca, cb = np.meshgrid(np.asarray(doses_a, float), np.asarray(doses_b, float), indexing="ij")
    combo = pd.DataFrame({"drug_a": a, "conc_a": ca.ravel(), "drug_b": b, "conc_b": cb.ravel()})
    return pd.concat(
        [treatments_single(a, doses_a), treatments_single(b, doses_b).assign(drug_a=b), combo],
        ignore_index=True,
    )


def treatments_ray(
    drug_a: str, doses_a: Sequence[float], drug_b: str, ratio: float
) -> pd.DataFrame:
    """Constant-ratio (Chou-Talalay) design: a, b = a * ratio, and a + b at each dose."""
    a, b = normalize_drug(drug_a), normalize_drug(drug_b)
    da = np.asarray(doses_a, dtype=float)
    return pd.concat(
        [
            treatments_single(a, da),
            treatments_single(b, da * ratio),
            pd.DataFrame({"drug_a": a, "conc_a": da, "drug_b": b, "conc_b": da * ratio}),
        ],
        ignore_index=True,
    )
