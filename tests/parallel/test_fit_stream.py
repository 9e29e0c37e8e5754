"""`tallrx fit` streaming a big CSV: the same curves file as the in-memory path, in process and
on Dask; unsorted samples fall back to the in-memory path."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tallrx.cli import _fit_stream, main

from .conftest import curves_table
from .test_fit_parallel import _same


def _table() -> pd.DataFrame:
    """30 samples x 2 drugs + one DMSO vehicle well per sample (shared by both drugs)."""
    pred = curves_table(30, seed=1)
    dex = curves_table(30, seed=2).assign(drug_a="dex")
    dmso = pd.DataFrame({"sample": pred["sample"].unique(), "drug_a": "DMSO", "conc_a": 0.0,
                         "viability": 100.0})
    both = pd.concat([pred, dex, dmso], ignore_index=True)
    return both.sort_values("sample", kind="stable").reset_index(drop=True)


@pytest.fixture
def streaming(monkeypatch):
    """Stream every file, 50 rows (a few samples) per chunk; count the frames fitted."""
    monkeypatch.setenv("TALLRX_FIT_STREAM_BYTES", "0")
    monkeypatch.setattr(_fit_stream, "CHUNK_ROWS", 50)
    frames = []
    real = _fit_stream._frames

    def counted(path, rows):
        for f in real(path, rows):
            frames.append(len(f))
            yield f

    monkeypatch.setattr(_fit_stream, "_frames", counted)
    return frames


def _fit(src: Path, out: Path, *extra: str) -> str:
    assert main(["--quiet", "fit", str(src), "-o", str(out), *extra]) == 0
    return out.read_text()


def test_streamed_file_equals_in_memory_file(tmp_path, streaming, monkeypatch):
    src = tmp_path / "v.csv"
    _table().to_csv(src, index=False)
    _fit(src, tmp_path / "streamed.csv")
    assert len(streaming) > 5  # it did stream, in many frames
    monkeypatch.setenv("TALLRX_FIT_STREAM_BYTES", str(10**12))
    _fit(src, tmp_path / "whole.csv")
    whole = pd.read_csv(tmp_path / "whole.csv")
    assert len(whole) == 60  # 30 samples x 2 drugs, DMSO is the shared vehicle
    _same(whole, pd.read_csv(tmp_path / "streamed.csv"))


def test_streamed_on_local_cluster_equals_in_memory(tmp_path, streaming, monkeypatch):
    src = tmp_path / "v.csv"
    _table().to_csv(src, index=False)
    _fit(src, tmp_path / "dask.csv", "--jobs", "2")
    assert len(streaming) > 5
    monkeypatch.setenv("TALLRX_FIT_STREAM_BYTES", str(10**12))
    _fit(src, tmp_path / "whole.csv")
    _same(pd.read_csv(tmp_path / "whole.csv"), pd.read_csv(tmp_path / "dask.csv"))


def test_unsorted_samples_take_the_in_memory_path(tmp_path, streaming):
    src = tmp_path / "v.csv"
    _table().iloc[::-1].to_csv(src, index=False)
    _fit(src, tmp_path / "out.csv")
    assert streaming == []
    assert len(pd.read_csv(tmp_path / "out.csv")) == 60


def _with_bad_cells(tmp_path: Path, cells: dict[int, str]) -> Path:
    """The table as CSV with ``cells`` {data row (1 = the line under the header): viability}."""
    table = _table().astype({"viability": object})
    for row, value in cells.items():
        table.loc[row - 1, "viability"] = value
    src = tmp_path / "v.csv"
    table.to_csv(src, index=False)
    lines = src.read_text().splitlines()
    for row, value in cells.items():  # data row N is file line N + 1 (line 1 = the header)
        assert lines[row].endswith("," + value)
    return src


def test_streamed_error_names_the_file_row_not_the_chunk_row(tmp_path, streaming, monkeypatch,
                                                               capsys):
    src = _with_bad_cells(tmp_path, {130: "abc"})  # in the third chunk of 50 rows
    assert main(["--quiet", "fit", str(src), "-o", str(tmp_path / "s.csv")]) == 2
    streamed = capsys.readouterr().err.splitlines()[0]  # (earlier frames may add a warning note)
    assert len(streaming) >= 3 and "row 130" in streamed and "'abc'" in streamed
    monkeypatch.setenv("TALLRX_FIT_STREAM_BYTES", str(10**12))
    assert main(["--quiet", "fit", str(src), "-o", str(tmp_path / "w.csv")]) == 2
    assert capsys.readouterr().err.splitlines()[0] == streamed  # the in-memory path says the same
    assert not (tmp_path / "s.csv").exists()


def test_streamed_curve_message_names_the_file_row(tmp_path, streaming, monkeypatch):
    src = _with_bad_cells(tmp_path, {250: "inf"})  # left out of its curve, named in its message
    _fit(src, tmp_path / "s.csv")
    streamed = pd.read_csv(tmp_path / "s.csv")
    hit = streamed["message"].fillna("").str.contains("(first: row 250)", regex=False)
    assert hit.sum() == 1
    monkeypatch.setenv("TALLRX_FIT_STREAM_BYTES", str(10**12))
    _fit(src, tmp_path / "w.csv")
    _same(pd.read_csv(tmp_path / "w.csv"), streamed)  # messages included


def test_nothing_of_a_written_frame_stays_alive(tmp_path, monkeypatch):
    """Flat memory: when a frame is fitted, every earlier frame and its scored curves are gone
    (weak references dead) and its rows are already in the output."""
    import weakref

    monkeypatch.setenv("TALLRX_FIT_STREAM_BYTES", "0")
    monkeypatch.setattr(_fit_stream, "CHUNK_ROWS", 50)
    src = tmp_path / "v.csv"
    _table().to_csv(src, index=False)
    alive: list[weakref.ref] = []
    written: list[int] = []
    real = _fit_stream._fit_frame

    def watched(frame, path, controls, options):
        assert all(ref() is None for ref in alive), "an earlier frame or its curves is alive"
        curves, meta = real(frame, path, controls, options)
        alive.extend([weakref.ref(frame), weakref.ref(curves)])
        written.append(len(curves))
        return curves, meta

    monkeypatch.setattr(_fit_stream, "_fit_frame", watched)
    _fit(src, tmp_path / "out.csv")
    assert len(written) > 5 and sum(written) == len(pd.read_csv(tmp_path / "out.csv")) == 60
