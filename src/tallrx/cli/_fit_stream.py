"""``tallrx fit`` of a CSV larger than memory: whole samples at a time, rows appended to one file.

A long viability CSV of at least :data:`STREAM_MIN_BYTES` (environment variable
``TALLRX_FIT_STREAM_BYTES`` overrides it) whose ``sample`` column is sorted is read in chunks of
:data:`CHUNK_ROWS` rows; the rows of the chunk's last sample are carried into the next chunk, so
every curve and its sample's vehicle wells are fitted together. Each chunk's curves are fitted
(in process or on the open Dask cluster), scored and appended to a temporary file renamed onto
the output at the end (never a half-written output). Sorted samples keep the rows in the order of
the in-memory path (curves sorted by their keys), so the output is the same file. Row numbers in
messages count from the first data row of the file. Anything else (Parquet, ``--by``,
``--cohort``, Parquet output, unsorted samples, a small file) takes the in-memory path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tallrx import progress

STREAM_MIN_BYTES = 256 * 2**20
CHUNK_ROWS = 600_000  # about 100,000 curves of 6 points per chunk
COUNTS = ("n_curves", "n_fit_ok", "n_flat", "n_at_bound", "n_flagged")


def _min_bytes() -> int:
    try:
        return int(os.environ.get("TALLRX_FIT_STREAM_BYTES", STREAM_MIN_BYTES))
    except ValueError:
        return STREAM_MIN_BYTES


def streamable(path: Path, *, by: Any, cohort: bool, fmt: str | None, out: Path) -> bool:
    """True when ``path`` is a big CSV with sorted samples and nothing needs the whole table."""
    from tallrx._atomic import table_format
    from tallrx.cli._app import _is_parquet

    target = out / "curves.csv" if out.is_dir() else out
    if by is not None or cohort or _is_parquet(path) or table_format(target, fmt) != "csv":
        return False
    if path.stat().st_size < _min_bytes():
        return False
    return _samples_sorted(path)


def _samples_sorted(path: Path) -> bool:
    """One cheap pass over the ``sample`` column: non-decreasing, no missing values."""
    import pandas as pd

    last = None
    try:
        for part in pd.read_csv(path, usecols=["sample"], chunksize=CHUNK_ROWS):
            s = part["sample"]
            if s.isna().any() or not s.is_monotonic_increasing:
                return False
            if last is not None and not last <= s.iloc[0]:
                return False
            last = s.iloc[-1]
    except (ValueError, TypeError, pd.errors.ParserError, UnicodeDecodeError):
        return False  # the in-memory path names the problem
    return True


def _frames(path: Path, rows: int) -> Iterator[Any]:
    """Frames of whole samples (the last sample of a chunk waits for the next chunk)."""
    import pandas as pd

    carry = None
    for chunk in pd.read_csv(path, chunksize=rows):
        if carry is not None:
            chunk = pd.concat([carry, chunk])
        last = chunk["sample"].iloc[-1]
        tail = chunk["sample"].to_numpy() == last
        carry = chunk[tail]
        if (~tail).any():
            yield chunk[~tail]
    if carry is not None and len(carry):
        yield carry


def fit_stream(path: Path, out: Path, controls: Any, **fit_options: Any) -> tuple[dict, Path]:
    """Fit, score and write the curves of ``path`` frame by frame; (summed meta counts, file)."""
    from tallrx._atomic import atomic_path
    from tallrx._csv import write_csv
    from tallrx.analysis.doseresponse.batch import fit_dose_response
    from tallrx.analysis.doseresponse.scores import add_scores

    target = out / "curves.csv" if out.is_dir() else out
    counts = dict.fromkeys(COUNTS, 0)
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline="") as sink:
        part = tmp.with_name(tmp.name + ".part")
        try:
            for frame in _frames(path, CHUNK_ROWS):
                first, last = int(frame.index[0]) + 1, int(frame.index[-1]) + 1
                where = f"{path}, data rows {first}-{last} (row N here = data row {first - 1} + N)"
                result = fit_dose_response(frame, where=where, **fit_options)
                curves = add_scores(result.table, controls=controls)
                write_csv(curves, part)
                with open(part, encoding="utf-8", newline="") as fh:
                    header = fh.readline()
                    if sink.tell() == 0:
                        sink.write(header)
                    for block in iter(lambda: fh.read(1 << 20), ""):
                        sink.write(block)
                for key in COUNTS:
                    counts[key] += int(result.meta[key])
                progress.advance(len(curves))
        finally:
            part.unlink(missing_ok=True)
    return counts, target
