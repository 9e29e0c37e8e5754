"""Fixtures shared by the CLI tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.analysis.doseresponse.curves import ll4
from tallrx.cli import main


@pytest.fixture
def run(capsys):
    """``run(args)``: ``tallrx ARGS`` in-process -> (exit code, stderr text)."""

    def call(args: list) -> tuple[int, str]:
        code = main([str(a) for a in args])
        return code, capsys.readouterr().err

    return call


DOSES = np.logspace(-2, 2, 9)  # uM


@pytest.fixture
def viability(tmp_path):
    """Two samples x 2 drugs x +/-IL7, 3 replicates, shared vehicle wells (role column)."""
    rng = np.random.default_rng(0)
    rows = []
    for sample, shift in (("PDX1", 1.0), ("PDX2", 10.0)):
        for il7 in (0, 25):
            for drug, ic50 in (("prednisolone", 0.05), ("selumetinib", 0.5)):
                c = np.repeat(DOSES, 3)
                v = ll4(c, 5, 100, ic50 * shift * (4 if il7 else 1), 1.2) + rng.normal(0, 3, c.size)
                rows.append(
                    pd.DataFrame(
                        {
                            "sample": sample,
                            "drug_a": drug,
                            "conc_a": c,
                            "viability": v,
                            "il7": il7,
                            "role": "treated",
                        }
                    )
                )
            rows.append(
                pd.DataFrame(
                    {
                        "sample": sample,
                        "drug_a": "DMSO",
                        "conc_a": 0.0,
                        "viability": rng.normal(100, 3, 4),
                        "il7": il7,
                        "role": "vehicle",
                    }
                )
            )
    path = tmp_path / "viability.csv"
    pd.concat(rows, ignore_index=True).to_csv(path, index=False)
    return path
