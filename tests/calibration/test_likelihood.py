"""Summed target likelihood on hand-made observables."""

import numpy as np
import pandas as pd

from tallrx.calibration.likelihood import total_log_likelihood


def test_inside_all_bounds_is_near_zero_and_misses_add_up():
    obs = pd.DataFrame({"bim_mrna_fold_prednisolone": [6.0, 100.0],
                        "perk_fold_dox_NRAS_G12D": [20.0, 2.0]})
    ll = total_log_likelihood(obs)
    # row 1: BIM inside 4-10 -> 0; pERK one decade above its 2-fold bound is > 10 assay sigmas
    # inside the censored bound -> log Phi(> 10) ~ 0.
    # row 2: BIM one decade above 10 (soft, tol 0.1) -> -50; pERK exactly at its censored
    # 2-fold bound -> the noisy blot passes half the time: log 0.5
    np.testing.assert_allclose(ll, [0.0, -50.0 + np.log(0.5)], atol=1e-12)
