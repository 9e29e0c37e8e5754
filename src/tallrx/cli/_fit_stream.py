"""``tallrx fit`` of a CSV larger than memory: whole samples at a time, rows appended to one file.

A long viability CSV of at least :data:`STREAM_MIN_BYTES` (environment variable
``TALLRX_FIT_STREAM_BYTES`` overrides it) whose ``sample`` column is sorted is read in chunks of
:data:`CHUNK_ROWS` rows; the rows of the chunk's last sample are carried into the next chunk, so
every curve and its sample's vehicle wells are fitted together. Each chunk's curves are fitted
(in process or on the open Dask cluster), scored and appended to a temporary file renamed onto
the output at the end (never a half-written output). Sorted samples keep the rows in the order of
the in-memory path (curves sorted by their keys), so the output is the same file. Row numbers in
messages (errors and the ``message`` column) count the file's data rows, as in the in-memory path. Anything else (Parquet, ``--by``,
``--cohort``, Parquet output, unsorted samples, a small file) takes the in-memory path.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import re
import shutil
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
        carry, head = chunk[tail], (chunk[~tail] if not tail.all() else None)
        del chunk  # only the frame handed out stays alive while it is fitted
        if head is not None:
            yield head
            del head
    if carry is not None and len(carry):
        yield carry


_ROW = re.compile(r"\brow (\d+)\b")


def file_rows(text: str, index: Any) -> str:
    """``text`` with every 'row N' (N counted from 1 within a frame) turned into the frame's
    ``index[N - 1] + 1``: the data row of the file (row 1 = the line under the header), the number
    the in-memory path gives."""
    def swap(m: re.Match) -> str:
        n = int(m.group(1))
        return f"row {int(index[n - 1]) + 1}" if 1 <= n <= len(index) else m.group(0)

    return _ROW.sub(swap, text)


def _fit_frame(frame: Any, path: Path, controls: Any, fit_options: dict) -> tuple[Any, dict]:
    """One frame fitted and scored: (curves with file row numbers in ``message``, meta counts);
    a user error names the file and its file row number."""
    from tallrx.analysis.doseresponse.batch import fit_dose_response
    from tallrx.analysis.doseresponse.scores import add_scores
    from tallrx.errors import TallrxError

    index = frame.index.to_numpy()
    try:
        result = fit_dose_response(frame, where=str(path), **fit_options)
    except TallrxError as exc:
        exc.args = (file_rows(str(exc), index), *exc.args[1:])
        raise
    curves = add_scores(result.table, controls=controls)
    if "message" in curves.columns:
        msg = curves["message"]
        has = msg.notna() & msg.astype(str).str.contains("row ", regex=False)
        if has.any():
            curves.loc[has, "message"] = [file_rows(m, index) for m in msg[has]]
    return curves, {key: int(result.meta[key]) for key in COUNTS}


def _release() -> None:
    """Give the finished frame's memory back before the next frame is read: its reference
    cycles, Arrow's pooled buffers (the CSV writer) and glibc's free heap pages (without this
    the resident size creeps up frame after frame through heap fragmentation)."""
    gc.collect()
    with contextlib.suppress(ImportError):
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):  # glibc only (Linux)
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def fit_stream(path: Path, out: Path, controls: Any, **fit_options: Any) -> tuple[dict, Path]:
    """Fit, score and write the curves of ``path`` frame by frame; (summed meta counts, file).

    Each frame's rows go to the output as soon as they are scored and nothing of a frame is kept
    once it is written, so peak memory is that of one frame whatever the number of curves."""
    from tallrx._atomic import atomic_path
    from tallrx._csv import write_csv

    target = out / "curves.csv" if out.is_dir() else out
    counts = dict.fromkeys(COUNTS, 0)
    with atomic_path(target) as tmp, open(tmp, "wb") as sink:
        part = tmp.with_name(tmp.name + ".part")
        try:
            for frame in _frames(path, CHUNK_ROWS):
                curves, meta = _fit_frame(frame, path, controls, fit_options)
                del frame
                write_csv(curves, part)
                n = len(curves)
                del curves
                with open(part, "rb") as fh:
                    header = fh.readline()
                    if sink.tell() == 0:
                        sink.write(header)
                    shutil.copyfileobj(fh, sink, 1 << 20)
                for key in COUNTS:
                    counts[key] += meta[key]
                _release()
                progress.advance(n)
        finally:
            part.unlink(missing_ok=True)
    return counts, target
