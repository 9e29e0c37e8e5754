"""The twin prior reproduces the cohort generator's distributions (checked against an
independent draw of the generator, not against the prior's own reference sample) and reads a
calibration posterior."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.errors import InputError
from tallrx.model.twin.prior import build_prior, read_posterior
from tallrx.model.virtual import cohort


@pytest.fixture(scope="module")
def prior():
    return build_prior(n_ref=2000, seed=11)


def test_marginals_and_point_masses_match_the_generator(prior):
    z = np.random.default_rng(5).standard_normal((4000, prior.dim))
    ours = prior.parameters(z)
    theirs = cohort.sample_candidates(4000, 0, 99)
    assert set(cohort.PARAMS) <= set(ours.columns)
    for name in prior.names:
        a, b = ours[name].to_numpy(), theirs[name].to_numpy(float)
        for q in (0.1, 0.5, 0.9):
            lo, hi = np.quantile(b, [max(q - 0.05, 0), min(q + 0.05, 1)])
            assert lo - 1e-12 <= np.quantile(a, q) <= hi + 1e-12, (name, q)
        # share of exact zeros (no mutation) within 3 binomial SDs
        p = np.mean(b == 0)
        assert abs(np.mean(a == 0) - p) <= 3 * np.sqrt(p * (1 - p) / 4000) + 0.01, name
    for name, value in prior.fixed.items():
        assert (theirs[name] == value).all()


def test_posterior_adds_one_latent_draw_picker(tmp_path, prior):
    path = tmp_path / "posterior.csv"
    pd.DataFrame({"weight": [0.0, 1.0], "k_int": [1.0, 2.0], "gr_level": [9.0, 9.0]}).to_csv(
        path, index=False
    )
    post = read_posterior(path)
    assert list(post.columns) == ["k_int"]
    p = build_prior(post, n_ref=500)
    assert p.dim == len(p.names) + 1
    draws = p.parameters(np.random.default_rng(0).standard_normal((50, p.dim)))
    # weight 0 draw never chosen; the patient parameter gr_level stays with the cohort prior
    assert (draws["posterior_draw"] == 1).all()
    assert draws["gr_level"].nunique() > 1


def test_bad_posterior_is_an_input_error(tmp_path):
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"x": [1]}).to_csv(bad, index=False)
    with pytest.raises(InputError, match="weight"):
        read_posterior(bad)
