"""Summed target likelihood on hand-made observables."""

import numpy as np
import pandas as pd

from tallrx.calibration.likelihood import total_log_likelihood


def test_inside_all_bounds_is_zero_and_misses_add_up():
    obs = pd.DataFrame({"bim_mrna_fold_prednisolone": [6.0, 100.0],
                        "perk_fold_dox_NRAS_G12D": [5.0, 0.2]})
    ll = total_log_likelihood(obs)
    # row 2: BIM one decade above 10 (tol 0.1) -> -50; pERK one decade below 2 (tol 0.1) -> -50
    np.testing.assert_allclose(ll, [0.0, -100.0])
