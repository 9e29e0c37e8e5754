"""The fuzz suite's size: bounded in CI, a campaign with ``pytest -m fuzz`` (or TALLRX_FUZZ=campaign).

Sets TALLRX_FUZZ for :data:`fuzzing.FUZZ`, the hypothesis settings every fuzz test uses (other
tests' hypothesis settings are left alone).
"""

from __future__ import annotations

import os


def pytest_configure(config) -> None:
    markexpr = config.getoption("-m", default="") or ""
    if "fuzz" in markexpr and "not fuzz" not in markexpr:
        os.environ["TALLRX_FUZZ"] = "campaign"
