"""Atomic file output: write to a temporary file in the target folder, then rename.

A crash or a user error half-way never leaves a half-written output behind, and an output never
replaces an input: paths registered with :func:`protect` (the CLI registers every file named on
its command line) are refused as targets with an :class:`~tallrx.errors.InputError`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tallrx.errors import InputError

if TYPE_CHECKING:  # pandas loads when a table is written, not when tallrx starts
    import pandas as pd

#: file formats of written tables (``--table-format``); CSV is the default everywhere
TABLE_FORMATS = ("csv", "parquet")

#: resolved paths of the current command's input files (never written over)
_PROTECTED: set[Path] = set()


def protect(paths: Iterable[str | os.PathLike]) -> None:
    """Register input files that no output of this process may replace."""
    for p in paths:
        with contextlib.suppress(OSError, RuntimeError, ValueError):
            p = Path(p)
            if p.is_file():
                _PROTECTED.add(p.resolve())


def unprotect_all() -> None:
    """Forget every registered input (the CLI calls it when a command ends)."""
    _PROTECTED.clear()


def _refuse_input(target: Path) -> None:
    """Raise when writing ``target`` would replace a registered input file."""
    with contextlib.suppress(OSError, RuntimeError):
        if target.resolve() in _PROTECTED:
            raise InputError(
                f"{target}: is one of the input files; choose another output path "
                "(tallrx never overwrites its inputs)"
            )


def check_target(path: str | os.PathLike) -> None:
    """Refuse an output path early (before any work): an input file, or a path below an existing
    file. Nothing is created; writability is checked when writing."""
    target = Path(path)
    _refuse_input(target)
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(
                    f"{target}: cannot write here: {parent} is an existing file, not a folder; "
                    "choose another output path"
                )
            break


def _make_parent(folder: Path, target: Path) -> None:
    """Create ``folder`` (and parents) or raise an InputError saying why the output cannot go there."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError(
            f"{target}: cannot write here: a part of the path is an existing file, not a folder; "
            "choose another output path"
        ) from None
    except NotADirectoryError:
        raise InputError(
            f"{target}: cannot write here: a part of the path is a file, not a folder; "
            "choose another output path"
        ) from None
    except OSError as exc:
        raise InputError(
            f"{target}: cannot create the output folder ({exc.strerror or exc}); "
            "choose a writable output path"
        ) from None


def _mkstemp_in(folder: Path, target: Path, *, directory: bool = False) -> Path:
    """A temporary file (or folder) next to ``target``; an InputError when the folder is not writable."""
    try:
        if directory:
            return Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder))
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        os.close(fd)
        return Path(tmp)
    except OSError as exc:
        raise InputError(
            f"{target}: cannot write the output ({exc.strerror or exc}); "
            "choose a writable output path"
        ) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` when the block succeeds."""
    target = Path(path)
    _refuse_input(target)
    if target.is_dir():
        raise InputError(f"{target}: is a folder; give a file name for this output")
    _make_parent(target.parent, target)
    tmp_path = _mkstemp_in(target.parent, target)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Atomically write ``text`` (UTF-8) to ``path``."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Atomically write ``data`` to ``path``."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_csv(path: str | os.PathLike, df: pd.DataFrame) -> Path:
    """Atomically write ``df`` as CSV (no index) to ``path``."""
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)
    return Path(path)


def table_format(path: str | os.PathLike, fmt: str | None = None) -> str:
    """The format a table at ``path`` is written in: ``fmt`` when given, else ``parquet`` for a
    ``.parquet`` / ``.pq`` name and ``csv`` otherwise."""
    if fmt is not None:
        if fmt not in TABLE_FORMATS:
            raise InputError(f"table format {fmt!r}: expected one of {', '.join(TABLE_FORMATS)}")
        return fmt
    return "parquet" if Path(path).suffix.lower() in (".parquet", ".pq") else "csv"


def save_table(df: pd.DataFrame, path: str | os.PathLike, fmt: str | None = None) -> Path:
    """Write ``df`` (no index) to ``path`` as CSV or Parquet (see :func:`table_format`); not
    atomic by itself: use it inside :func:`atomic_dir` / :func:`atomic_path`.

    Parquet keeps dtypes (numbers, booleans, text with missing values). A text column that also
    holds numbers (mixed Python objects, which Parquet cannot type) is stored as text, as in CSV.
    """
    if table_format(path, fmt) == "csv":
        from tallrx._csv import write_csv  # pandas' bytes, float columns formatted faster

        write_csv(df, path)
        return Path(path)
    import pyarrow as pa

    try:
        df.to_parquet(path, index=False)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        mixed = {c: "string" for c in df.columns if df[c].dtype == object
                 and df[c].dropna().map(type).nunique() > 1}
        df.astype(mixed).to_parquet(path, index=False)
    return Path(path)


def write_table(path: str | os.PathLike, df: pd.DataFrame, fmt: str | None = None) -> Path:
    """Atomically write ``df`` to ``path`` as CSV or Parquet (see :func:`save_table`)."""
    with atomic_path(path) as tmp:
        save_table(df, tmp, table_format(path, fmt))
    return Path(path)


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary folder; on success its files replace those of ``path`` (merged in).

    Outputs of a command are built in the temporary folder, so a failure (or Ctrl-C) leaves
    ``path`` as it was. A ``path`` that is an existing file, or whose files would replace an input,
    is refused before anything is moved. While the files are moved in, Ctrl-C is held until the
    move ends, and an error half-way puts back every file as it was.
    """
    target = Path(path)
    _refuse_input(target)
    if target.exists() and not target.is_dir():
        raise InputError(
            f"{target}: is an existing file; this command writes a folder of outputs, "
            "so give a folder path"
        )
    _make_parent(target.parent, target)
    tmp = _mkstemp_in(target.parent, target, directory=True)
    try:
        yield tmp
        files = sorted(tmp.rglob("*"))
        for src in files:  # check everything before moving anything
            dst = target / src.relative_to(tmp)
            _refuse_input(dst)
            if dst.is_dir() and not src.is_dir():
                raise InputError(f"{dst}: is a folder where an output file goes; remove or rename it")
        with _holding_interrupts():
            _commit(tmp, files, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def _holding_interrupts() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) while the block runs; one that came meanwhile is raised after it.

    Only the main thread can hold signals; elsewhere the block runs as is."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    before = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)
        if caught and before is signal.default_int_handler:
            raise KeyboardInterrupt
        if caught and callable(before):
            before(signal.SIGINT, None)


def _commit(tmp: Path, files: list[Path], target: Path) -> None:
    """Move ``files`` (below ``tmp``) into ``target``; on any error (or interrupt) undo every move,
    restoring replaced files from their backups (kept below ``tmp`` until it is removed)."""
    keep = tmp / ".tallrx-replaced"
    created: list[Path] = []
    moved: list[tuple[Path, Path | None]] = []

    def mkdirs(folder: Path) -> None:
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        folder.mkdir(parents=True, exist_ok=True)
        created.extend(reversed(missing))

    try:
        if not target.exists():
            _make_parent(target, target)
            created.append(target)
        for src in files:
            rel = src.relative_to(tmp)
            dst = target / rel
            if src.is_dir():
                mkdirs(dst)
                continue
            mkdirs(dst.parent)
            backup = None
            if dst.exists():
                backup = keep / rel
                backup.parent.mkdir(parents=True, exist_ok=True)
                os.replace(dst, backup)
            moved.append((dst, backup))
            os.replace(src, dst)
    except BaseException:
        for dst, backup in reversed(moved):
            with contextlib.suppress(OSError):
                if backup is not None:
                    os.replace(backup, dst)
                elif dst.exists():
                    dst.unlink()
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
