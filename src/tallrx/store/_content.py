"""What a run consists of, read from an output folder or a Result: tables, meta, inputs, key.

Nothing here touches the database. Files are identified by their SHA-256; names are file names
(or paths relative to the output folder), never absolute paths.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tallrx._result import Result, json_safe
from tallrx.errors import InputError
from tallrx.store._schema import KIND_FILES, ROW_COLUMNS

#: file name -> queryable kind
FILE_KINDS = {name: kind for kind, name in KIND_FILES.items()}
#: which tables identify which command (first match wins)
COMMAND_SIGNS = [
    ("reproduce", {"claims.json"}),
    ("screen", {"curves.csv", "strata.csv", "wells.csv"}),
    ("synergy", {"combinations.csv"}),
    ("coip", {"binding.csv"}),
    ("qpcr", {"expression.csv"}),
    ("blot", {"bands.csv"}),
    ("cohort", {"cohort.csv"}),
    ("fit", {"curves.csv"}),
    ("stratify", {"strata.csv"}),
    ("simulate", {"timecourse.csv"}),
]
#: the one subfolder of tables a command writes (tallrx reproduce: tables/*.csv)
SUBFOLDER = "tables"
#: meta keys that may name input files (recorded by content when the file still exists)
INPUT_KEYS = ("file", "files", "input", "inputs", "layout", "samples", "lanes", "plates")


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data`` (64 characters)."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class Table:
    """One output table: its name in the folder, kind (or None) and content."""

    name: str
    data: bytes
    frame: pd.DataFrame | None = None  # parsed rows (queryable kinds)
    records: list[dict] | None = None  # claims.json entries

    @property
    def kind(self) -> str | None:
        return FILE_KINDS.get(self.name)


@dataclass
class RunContent:
    """Everything recorded for one run."""

    command: str
    tables: list[Table]
    meta: dict[str, Any] | None = None  # meta.json (None: the run wrote none)
    inputs: dict[str, str] = field(default_factory=dict)  # name -> sha256
    input_bytes: dict[str, bytes] = field(default_factory=dict)  # sha256 -> content
    argv: list[str] | None = None
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    label: str = ""
    tallrx_version: str | None = None  # the version that ran it, when known besides meta

    @property
    def key(self) -> str:
        """Content identity: SHA-256 over the tables' names and hashes and the meta."""
        h = hashlib.sha256(self.command.encode())
        for t in sorted(self.tables, key=lambda t: t.name):
            h.update(f"\0{t.name}\0{sha256(t.data)}".encode())
        h.update(json.dumps(self.meta, sort_keys=True, default=str).encode())
        return h.hexdigest()

    def add_input(self, name: str, data: bytes) -> None:
        """Record an input file by name and content."""
        digest = sha256(data)
        self.inputs[name] = digest
        self.input_bytes[digest] = data

    @property
    def version(self) -> str:
        meta = self.meta or {}
        return str(meta.get("version") or meta.get("tallrx_version") or self.tallrx_version
                   or "unknown")


def _read_table(name: str, data: bytes, where: Path | str) -> Table:
    """A Table; queryable kinds are parsed (a damaged one is an InputError naming the file)."""
    table = Table(name, data)
    if table.kind is None:
        return table
    try:
        if table.kind == "claims":
            records = json.loads(data.decode("utf-8"))
            if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                raise ValueError("expected a list of claim objects")
            table.records = records
        elif not data.strip():  # a table with no rows and no columns (e.g. no IL7 pairs)
            table.frame = pd.DataFrame()
        else:
            table.frame = pd.read_csv(io.BytesIO(data))
            if not isinstance(table.frame.index, pd.RangeIndex):
                raise ValueError("its rows have more fields than its header")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(f"{where}: cannot read {name} ({first}); is this an intact tallrx "
                         "output?") from None
    return table


def _command_of(names: set[str], meta: dict) -> str | None:
    if isinstance(meta.get("command"), str) and meta["command"].strip():
        return meta["command"].split()[0]
    for command, sign in COMMAND_SIGNS:
        if sign <= names:
            return command
    return None


def _meta_inputs(meta: dict, base: Path) -> dict[str, Path]:
    """Input files named in meta.json that still exist (relative names resolved from ``base``)."""
    found: dict[str, Path] = {}
    for key in INPUT_KEYS:
        values = meta.get(key)
        for v in values if isinstance(values, list) else [values]:
            if not isinstance(v, str) or not v or len(v) > 4096:
                continue
            p = Path(v) if Path(v).is_absolute() else base / v
            if p.is_file():
                found[p.name] = p
    return found


def hash_inputs(paths: list[str | os.PathLike]) -> dict[str, bytes]:
    """name -> bytes of each input file (a missing one is an InputError)."""
    out = {}
    for p in map(Path, paths):
        if not p.is_file():
            raise InputError(f"{p}: input file not found; pass existing files to inputs=")
        out[p.name] = p.read_bytes()
    return out


#: the table a single-CSV command writes (its -o may name the file anything)
SINGLE_TABLE = {"fit": "curves.csv", "stratify": "strata.csv", "simulate": "timecourse.csv"}


def read_folder(path: str | os.PathLike, command: str | None = None) -> RunContent:
    """The run written to output folder ``path`` (or a single table file: curves.csv,
    strata.csv, or any CSV name when ``command`` is fit / stratify / simulate)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such folder; pass the output folder of a tallrx command")
    files = [path] if path.is_file() else sorted(
        p for pattern in ("*", f"{SUBFOLDER}/*") for p in path.glob(pattern)
        if p.is_file() and p.suffix in (".csv", ".json"))
    base = path.parent if path.is_file() else path
    names = {p.relative_to(base).as_posix(): p for p in files}
    if path.is_file() and command in SINGLE_TABLE:
        names = {SINGLE_TABLE[command]: path}
    meta: dict | None = None
    if "meta.json" in names:
        try:
            meta = json.loads(names.pop("meta.json").read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}/meta.json: not readable JSON ({exc}); is this an intact "
                             "tallrx output?") from None
        meta = meta if isinstance(meta, dict) else {"meta": meta}
    command = _command_of(set(names), meta or {})
    if command is None:
        want = ", ".join(sorted({n for _, sign in COMMAND_SIGNS for n in sign}))
        raise InputError(f"{path}: not a tallrx output folder (none of {want} found); pass the "
                         "-o folder of tallrx screen / synergy / coip / qpcr / blot / reproduce")
    tables = [_read_table(n, p.read_bytes(), path) for n, p in names.items()]
    stamp = max(p.stat().st_mtime for p in files) if files else None
    content = RunContent(command=command, tables=tables, meta=meta, label=path.name,
                         created_at=_time(stamp))
    for name, p in _meta_inputs(meta or {}, base).items():
        content.add_input(name, p.read_bytes())
    return content


def _time(stamp: float | None) -> dt.datetime:
    return dt.datetime.fromtimestamp(stamp, dt.UTC) if stamp else dt.datetime.now(dt.UTC)


def from_result(result: Result, command: str | None = None) -> RunContent:
    """A RunContent from a :class:`~tallrx._result.Result` (main table + extras)."""
    frames = {f"{result.kind}.csv": result.table,
              **{f"{k}.csv": v for k, v in result.extra.items()}}
    tables = [_read_table(n, df.to_csv(index=False).encode(), f"Result {result.kind}")
              for n, df in frames.items()]
    return RunContent(command=command or result.kind, tables=tables,
                      meta=json_safe(dict(result.meta)), label=result.kind)

#: the queryable kinds, for messages
KINDS = tuple(ROW_COLUMNS)
