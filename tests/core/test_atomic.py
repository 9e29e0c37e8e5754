"""Atomic outputs: nothing half-written on failure, usual permissions on success."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from tallrx._atomic import atomic_dir, write_csv, write_text


def test_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "out.csv"
    write_text(target, "old")
    with pytest.raises(RuntimeError):
        with atomic_dir(tmp_path / "folder") as tmp:
            (tmp / "a.csv").write_text("partial")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert not (tmp_path / "folder").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_written_files_get_umask_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        path = write_csv(tmp_path / "t.csv", pd.DataFrame({"a": [1]}))
    finally:
        os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
