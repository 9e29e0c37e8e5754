"""The fast paths of ``tallrx fit`` give the same numbers as the plain computation they replace.

Oracles: pandas' own ``groupby(sort=True, dropna=False)`` for the curve grouping, numpy's
``sort_values``-equivalent stable sort for the point order, and the full 3 x 5 product sum for the
Jacobian sums (every entry the fitter uses must be the same number, bit for bit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.analysis.doseresponse import grouping
from tallrx.analysis.doseresponse._ll4_profile import (
    Curves,
    _schur_terms,
    jacobian_sums,
    point_sum,
    profile,
)

TEXT = np.array(["b", "a", "B", "é", "a b", "10", "9", "", None], dtype=object)


def _groupby(frame: pd.DataFrame, keys: list[str]):
    g = frame.groupby(keys, sort=True, dropna=False)
    return g.size().reset_index(name="_rows")[keys], g.ngroup().to_numpy()


@pytest.mark.parametrize("seed", range(12))
def test_group_ids_match_pandas_groupby(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 200))
    frame = pd.DataFrame(
        {
            "sample": pd.Series(rng.choice(TEXT, n), dtype="str"),
            "drug_a": pd.Series(rng.choice(TEXT[:4], n), dtype="str"),
            "il7": pd.Series(rng.choice(TEXT, n), dtype="str"),
        },
        index=rng.permutation(n) * 3,  # a filtered frame: index neither 0..n-1 nor sorted
    )
    for keys in (["sample"], ["sample", "drug_a"], ["sample", "drug_a", "il7"]):
        groups, gid = grouping._group_ids(frame, keys)
        want_groups, want_gid = _groupby(frame, keys)
        pd.testing.assert_frame_equal(groups, want_groups)
        assert np.array_equal(gid, want_gid)


def test_group_ids_other_key_types_take_the_groupby():
    frame = pd.DataFrame({"sample": ["s2", "s1", "s2"], "dose_set": [2, 1, 2]})
    frame["sample"] = frame["sample"].astype(object)
    groups, gid = grouping._group_ids(frame, ["sample", "dose_set"])
    want_groups, want_gid = _groupby(frame, ["sample", "dose_set"])
    pd.testing.assert_frame_equal(groups, want_groups)
    assert gid.tolist() == want_gid.tolist() == [1, 0, 1]


def test_points_are_sorted_by_curve_then_conc_with_bad_conc_last():
    v = pd.DataFrame(
        {
            "sample": pd.Series(["s2", "s1", "s2", "s1", "s1", "s2"], dtype="str"),
            "drug_a": pd.Series(["d"] * 6, dtype="str"),
            "conc_a": [10.0, 1.0, 1.0, 10.0, 0.1, 0.1],
            "viability": [50.0, 90.0, 80.0, 40.0, 100.0, 95.0],
        }
    )
    df, keys, vkeys = grouping.prepare(v, by=None, response="viability", unit="uM", where="t")
    groups, pts = grouping.points(df, keys, vkeys)
    assert groups["sample"].tolist() == ["s1", "s2"]
    assert pts["gid"].tolist() == [0, 0, 0, 1, 1, 1]
    assert pts["conc"].tolist() == [0.1, 1.0, 10.0, 0.1, 1.0, 10.0]
    assert pts["y"].tolist() == [100.0, 90.0, 40.0, 95.0, 80.0, 50.0]


def test_jacobian_sums_equal_the_full_product_sum_bit_for_bit():
    rng = np.random.default_rng(3)
    n_pts, n = 9, 257
    pts = np.empty((5, n_pts, n))
    pts[0] = np.log(np.logspace(-2, 2, n_pts))[:, None]
    pts[1] = rng.normal(0.0, 1.0, (n_pts, n))
    pts[2] = rng.integers(1, 4, (n_pts, n)).astype(float)
    pts[3] = 1.0
    pts[4] = pts[2] * pts[1]
    per = np.stack([point_sum(pts[4], pts[1]), point_sum(pts[2]), point_sum(pts[4]),
                    *np.full((4, n), [[-np.inf], [-np.inf], [np.inf], [np.inf]])])
    data = Curves(pts, per, "free")
    u, h = rng.normal(0.0, 2.0, n), rng.lognormal(0.0, 0.5, n)
    z, _ = profile(data, u, h)
    got = jacobian_sums(data, u, z)
    # the plain computation: every (k, column) sum of w q L^k x (a, s, r, q, r (a - s))
    q = z[0] * z[1]
    cols = np.stack([z[0], z[1], z[2], q, (z[0] - z[1]) * z[2]])
    ell = pts[0] - u
    left = np.stack([pts[2] * q, pts[2] * q * ell, pts[2] * q * ell * ell])
    full = point_sum(left.transpose(1, 0, 2)[:, :, None, :], cols.transpose(1, 0, 2)[:, None])
    assert np.array_equal(got[:2], full[:2])
    assert np.array_equal(got[2, 3:], full[2, 3:])
    assert np.isnan(got[2, :3]).all()  # never used by the fitter


def test_schur_terms_are_einsums_numbers_for_any_batch_size():
    rng = np.random.default_rng(5)
    K, inv = rng.normal(size=(2, 2, 2, 300)), rng.normal(size=(2, 2, 300))
    want = np.einsum("vilm,ljm,vkjm->vikm", K, inv, K)  # its order on a batch of several
    got = _schur_terms(K, inv)
    for row, (i, k) in enumerate(((0, 0), (0, 1), (1, 1))):
        assert np.array_equal(got[:, row], want[:, i, k])
    for m in range(0, 300, 37):  # a start alone in the pool gets the same numbers
        assert np.array_equal(_schur_terms(K[..., m : m + 1], inv[..., m : m + 1])[..., 0],
                              got[..., m])


def test_a_curve_left_alone_in_the_pool_fits_as_in_a_crowd():
    """Curve 23,210 of the issue 11 benchmark (bench_fit.synthetic(30000), seed 0): its best start
    runs 200 steps and was, for its last steps, the only start left in a small batch's pool; the
    fit then depended on the batch (ic50 2e-8 apart alone, among 200 or among 10,000 curves)."""
    from tallrx.analysis.doseresponse.curves import ll4
    from tallrx.analysis.doseresponse.fitting import fit_ll4

    rng = np.random.default_rng(0)
    n, x = 30_000, np.repeat(np.logspace(-2, 2, 9), 3)
    ic50, hill = 10 ** rng.uniform(-3, 3, n), rng.lognormal(0.0, 0.5, n)
    top, bottom, sd = rng.normal(100, 5, n), rng.uniform(0, 60, n), rng.uniform(3, 10, n)
    y = ll4(x[None], bottom[:, None], top[:, None], ic50[:, None], hill[:, None])
    y = (y + rng.normal(0.0, 1.0, y.shape) * sd[:, None])[23_110:23_311]

    def fit(rows):
        lo, hi = np.minimum(-50.0, y[rows].min(1)), np.maximum(200.0, y[rows].max(1))
        return fit_ll4(x, y[rows], bounds={"bottom": (lo, hi), "top": (lo, hi)})

    crowd, alone = fit(slice(0, 201)), fit(slice(100, 101))
    for name in ("bottom", "top", "ic50", "hill", "sse"):
        assert getattr(alone, name)[0] == getattr(crowd, name)[100], name


@pytest.mark.parametrize("m", [1, 2, 3, 8, 33, 8192])
def test_schur_terms_of_one_start_are_those_it_gets_in_a_batch(m):
    """The batch-of-one loop and the einsum (batches > 1) give a start the same numbers."""
    rng = np.random.default_rng(m)
    K, inv = rng.normal(size=(2, 2, 2, m)), rng.normal(size=(2, 2, m))
    batch = _schur_terms(K, inv)
    for c in {0, m // 2, m - 1}:
        assert np.array_equal(_schur_terms(K[..., c : c + 1], inv[..., c : c + 1])[..., 0],
                              batch[..., c])
