"""The Result every analysis returns: a tidy table plus metadata, saved and loaded as a folder."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from tallrx._atomic import atomic_dir
from tallrx.errors import InputError

__all__ = ["Result", "load_result", "checksum", "json_safe"]


@functools.lru_cache(maxsize=1)  # the installed version does not change within a process
def _version() -> str:
    try:
        from importlib.metadata import version

        return version("tallrx")
    except Exception:  # pragma: no cover - running from a source tree without install
        return "0+unknown"


def checksum(obj: pd.DataFrame | bytes | str | os.PathLike) -> str:
    """SHA-256 of a DataFrame's CSV form, of bytes, or of a file's contents (first 16 hex)."""
    h = hashlib.sha256()
    if isinstance(obj, pd.DataFrame):
        h.update(pd.util.hash_pandas_object(obj, index=False).to_numpy().tobytes())
        h.update(",".join(map(str, obj.columns)).encode())
    elif isinstance(obj, bytes):
        h.update(obj)
    else:
        h.update(Path(obj).read_bytes())
    return h.hexdigest()[:16]


def json_safe(value: Any) -> Any:
    """Convert numpy scalars/arrays, NaN and paths into JSON-safe Python values (NaN -> None)."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(value, os.PathLike):
        return str(value)
    return value


@dataclass(frozen=True)
class Result:
    """A frozen analysis result.

    ``table`` is the main tidy table; ``extra`` holds further named tables (e.g. a synergy surface);
    ``meta`` records method, units, arguments, package version and input checksum.
    """

    kind: str
    table: pd.DataFrame
    meta: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        meta = {"version": _version(), **dict(self.meta)}
        object.__setattr__(self, "meta", MappingProxyType(meta))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))

    def summary(self) -> dict[str, Any]:
        """A JSON-safe dict: kind, row count, meta and per-column summaries of numeric columns."""
        num = self.table.select_dtypes("number")
        cols = {c: {"mean": json_safe(num[c].mean()), "min": json_safe(num[c].min()),
                    "max": json_safe(num[c].max())} for c in num.columns}
        return json_safe({"kind": self.kind, "n_rows": len(self.table), "meta": dict(self.meta),
                          "columns": cols, "extra": {k: len(v) for k, v in self.extra.items()}})

    def save(self, folder: str | os.PathLike) -> Path:
        """Write ``table.csv``, one CSV per extra table and ``meta.json`` atomically into ``folder``."""
        with atomic_dir(folder) as tmp:
            self.table.to_csv(tmp / "table.csv", index=False)
            for name, df in self.extra.items():
                df.to_csv(tmp / f"{name}.csv", index=False)
            payload = {"kind": self.kind, "meta": json_safe(dict(self.meta)),
                       "extra": sorted(self.extra)}
            (tmp / "meta.json").write_text(json.dumps(payload, indent=2), encoding="utf-8")
        return Path(folder)


def load_result(folder: str | os.PathLike) -> Result:
    """Read a Result written by :meth:`Result.save`."""
    folder = Path(folder)
    meta_file = folder / "meta.json"
    if not meta_file.exists():
        raise InputError(f"{folder}: not a saved tallrx result (no meta.json); "
                         "pass the folder written by Result.save()")
    payload = json.loads(meta_file.read_text(encoding="utf-8"))
    extra = {name: pd.read_csv(folder / f"{name}.csv") for name in payload.get("extra", [])}
    return Result(kind=payload["kind"], table=pd.read_csv(folder / "table.csv"),
                  meta=payload.get("meta", {}), extra=extra)
