"""Bliss, HSA, Loewe and ZIP against the ``synergy`` package (GPL-3, test-only oracle).

The oracle works on E = fraction of untreated (E0 = 1) with scores = E_reference - E; tallrx works on
% viability with scores in percentage points of inhibition, so tallrx = 100 x oracle.
Data come from the oracle's own generators (its documented examples).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

synergy = pytest.importorskip("synergy")
from synergy.combination import HSA, ZIP, Bliss, Loewe  # noqa: E402
from synergy.single import Hill, LogLinear  # noqa: E402
from synergy.testing_utils.synthetic_data_generators import (  # noqa: E402
    MultiplicativeSurvivalReferenceDataGenerator,
    ShamDataGenerator,
)

from tallrx.analysis.synergy import score_synergy  # noqa: E402


def _table(d1, d2, E) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sample": "x",
            "drug_a": "d1",
            "conc_a": d1,
            "drug_b": "d2",
            "conc_b": d2,
            "viability": 100.0 * np.asarray(E),
        }
    )


def _oracle_cells(d1, d2, syn) -> pd.DataFrame:
    df = pd.DataFrame({"conc_a": d1, "conc_b": d2, "s": 100.0 * np.asarray(syn)})
    return df.groupby(["conc_a", "conc_b"], as_index=False)["s"].mean()


def _ours(res, method) -> pd.DataFrame:
    surf = res.extra["surface"]
    return surf[["conc_a", "conc_b", method]]


def _compare(d1, d2, E, model, method, replicates):
    res = score_synergy(_table(d1, d2, E), methods=method, n_null=0, n_boot=0)
    mean = np.mean if replicates > 1 else np.median
    m = model(
        drug1_model=LogLinear(aggregation_function=mean),
        drug2_model=LogLinear(aggregation_function=mean),
    )
    syn = m.fit(d1, d2, E)
    oracle = _oracle_cells(d1, d2, syn)
    ours = _ours(res, method)
    both = oracle.merge(ours, on=["conc_a", "conc_b"])
    assert len(both) == len(oracle)
    np.testing.assert_allclose(both[method], both["s"], rtol=0, atol=1e-9)
    combo = both[(both.conc_a > 0) & (both.conc_b > 0)]
    assert res.table[method].iloc[0] == pytest.approx(combo["s"].mean(), abs=1e-9)


@pytest.mark.parametrize("replicates", [1, 3])
@pytest.mark.parametrize("model,method", [(Bliss, "bliss"), (HSA, "hsa")])
def test_bliss_hsa_match_oracle_on_its_bliss_example(model, method, replicates):
    np.random.seed(42)
    d1, d2, E = MultiplicativeSurvivalReferenceDataGenerator.get_combination(
        Hill(E0=1.0, Emax=0.3, h=1.2, C=1.0),
        Hill(E0=1.0, Emax=0.1, h=0.8, C=0.3),
        0.01,
        10,
        0.01,
        10,
        n_points1=6,
        n_points2=7,
        replicates=replicates,
        include_zero=True,
    )
    _compare(d1, d2, E, model, method, replicates)


@pytest.mark.parametrize("model,method", [(Bliss, "bliss"), (HSA, "hsa")])
def test_bliss_hsa_match_oracle_on_its_sham_example(model, method):
    np.random.seed(89645)  # the seed of the oracle's bundled sham example (log-spaced grid here)
    d1, d2, E = ShamDataGenerator.get_combination(
        Hill(E0=1, Emax=0, C=1, h=1), 0.05, 20, 6, replicates=1, logscale=True, include_zero=True
    )
    _compare(d1, d2, E, model, method, 1)


def _grid(n=7, lo=0.01, hi=30.0):
    d = np.concatenate([[0.0], np.geomspace(lo, hi, n - 1)])
    g1, g2 = np.meshgrid(d, d, indexing="ij")
    return g1.ravel(), g2.ravel()


def test_loewe_matches_oracle_delta_hsa_on_noise_free_surface():
    """Noise-free single agents: our fitted 4PL equals the oracle's Hill; the references agree."""
    h1 = Hill(E0=1.0, Emax=0.2, h=1.3, C=0.5)
    h2 = Hill(E0=1.0, Emax=0.5, h=0.9, C=2.0)
    d1, d2 = _grid()
    # an arbitrary (synergistic) observed surface; only the reference matters for the comparison
    E = h1.E(d1) * h2.E(d2) * (1 - 0.2 * (d1 > 0) * (d2 > 0))
    E = np.where((d1 == 0) | (d2 == 0), np.where(d2 == 0, h1.E(d1), h2.E(d2)), E)
    E[(d1 == 0) & (d2 == 0)] = 1.0
    oracle = Loewe(mode="delta_hsa", drug1_model=h1, drug2_model=h2)
    syn = oracle.fit(d1, d2, E)
    res = score_synergy(_table(d1, d2, E), methods="loewe", n_null=0, n_boot=0)
    both = _oracle_cells(d1, d2, syn).merge(_ours(res, "loewe"), on=["conc_a", "conc_b"])
    np.testing.assert_allclose(both["loewe"], both["s"], atol=0.05)  # pp


def test_zip_matches_oracle_on_noise_free_synergistic_surface():
    h1 = Hill(E0=1.0, Emax=0.1, h=1.0, C=0.3)
    d1, d2 = _grid()
    shift = 1 + 2.0 * d1 / (d1 + 0.3)  # drug 1 makes drug 2 more potent
    E = h1.E(d1) * Hill(E0=1.0, Emax=0.2, h=1.5, C=1.0).E(d2 * shift)
    oracle = ZIP(
        drug1_model=Hill(E0=1.0, Emax=0.1, h=1.0, C=0.3),
        drug2_model=Hill(E0=1.0, Emax=0.2, h=1.5, C=1.0),
    )
    syn = oracle.fit(d1, d2, E)
    res = score_synergy(_table(d1, d2, E), methods="zip", n_null=0, n_boot=0)
    both = _oracle_cells(d1, d2, syn).merge(_ours(res, "zip"), on=["conc_a", "conc_b"])
    assert np.abs(both["zip"] - both["s"]).max() < 0.5  # pp, two independent optimizers
    assert res.table["zip"].iloc[0] == pytest.approx(
        both.loc[(both.conc_a > 0) & (both.conc_b > 0), "s"].mean(), abs=0.2
    )
