"""tallrx._csv writes what pandas writes, byte for byte (pandas' to_csv is the oracle)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tallrx._csv import format_floats, write_csv


def test_floats_are_written_as_repr():
    rng = np.random.default_rng(0)
    v = np.concatenate(
        [
            rng.normal(size=20_000) * 10.0 ** rng.integers(-20, 20, 20_000),
            rng.integers(-1000, 1000, 1000).astype(float),
            [0.0, -0.0, np.inf, -np.inf, np.nan, 1e16, 1e-4, 1e-5, 5e-324, 9999999999999998.0],
        ]
    )
    want = ["" if x != x else repr(float(x)) for x in v]
    assert format_floats(v).tolist() == want


def test_tables_pandas_writes_itself_are_byte_identical(tmp_path):
    """Dates, categories and mixed objects go to pandas; so does a one-column table."""
    n = 6_000
    df = pd.DataFrame(
        {
            "when": pd.date_range("2020-01-01", periods=n, freq="h"),
            "kind": pd.Categorical(np.where(np.arange(n) % 2, "a", "b")),
            "mixed": [1, "x"] * (n // 2),
            "v": np.linspace(0, 1, n),
        }
    )
    for frame in (df, df[["v"]]):
        frame.to_csv(tmp_path / "pandas.csv", index=False)
        write_csv(frame, tmp_path / "fast.csv")
        assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_a_mixed_table_is_byte_identical(tmp_path):
    rng = np.random.default_rng(1)
    n = 6_000
    df = pd.DataFrame(
        {
            "sample": rng.choice(["s1", "a,b", 'q"t', "", None], n),
            "n": rng.integers(0, 5, n),
            "x": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n) * 1e3),
            "ci": rng.lognormal(size=n) * 10.0 ** rng.integers(-8, 18, n),
            "flag": rng.random(n) < 0.5,
            "whole": rng.integers(0, 100, n).astype(float),
            "text": pd.array(rng.choice(["x y", "line\nbreak", "r\rx", "ok"], n), dtype="string"),
            "small": rng.integers(0, 3, n).astype(np.int32),
            "f32": rng.normal(size=n).astype(np.float32),
        }
    )
    df.to_csv(tmp_path / "pandas.csv", index=False)
    write_csv(df, tmp_path / "fast.csv")
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
    write_csv(df, tmp_path / "chunked.csv", chunk_rows=1_000)  # 6 chunks, one header
    assert (tmp_path / "chunked.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
