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

import pandas as pd

from tallrx.errors import InputError

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


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary folder; on success its files replace those of ``path`` (merged in).

    Outputs of a command are built in the temporary folder, so a failure leaves ``path`` as it was.
    A ``path`` that is an existing file, or whose files would replace an input, is refused before
    anything is moved.
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
        _make_parent(target, target)
        for src in files:
            dst = target / src.relative_to(tmp)
            if src.is_dir():
                dst.mkdir(parents=True, exist_ok=True)
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dst)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
