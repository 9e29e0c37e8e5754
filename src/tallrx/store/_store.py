"""The Store: record runs (one transaction each), list them, query rows across runs, export."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math
import os
import random
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc

from tallrx._atomic import atomic_dir
from tallrx._result import Result
from tallrx.errors import InputError, did_you_mean
from tallrx.store import _engine
from tallrx.store._content import RunContent, Table, from_result, read_folder, sha256
from tallrx.store._schema import (
    ROW_COLUMNS,
    ROW_TABLES,
    blobs,
    files,
    run_files,
    run_tables,
    runs,
)
from tallrx.store._where import Column, parse_where

#: attempts of a recording that meets a locked SQLite database or a serialization failure
RETRIES = 8
_JSON_TYPES = {  # JSON value type names as each database reports them
    "sqlite": {"float": ("integer", "real"), "text": ("text",), "bool": ("true", "false")},
    "postgresql": {"float": ("number",), "text": ("string",), "bool": ("boolean",)},
}


class Store:
    """A results store at ``url`` (see :func:`tallrx.store.open`)."""

    def __init__(self, url: sa.URL, engine: sa.Engine):
        self.url, self.engine = url, engine

    def __repr__(self) -> str:
        return f"Store({_engine.shown(self.url)!r})"

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *args) -> None:
        self.close()

    # ------------------------------------------------------------------ schema
    def init(self) -> str:
        """Create or migrate the schema to the newest revision (idempotent); the revision."""
        return _engine.upgrade(self.engine, self.url)

    def revision(self) -> str | None:
        """The database's schema revision (None: empty)."""
        with _engine.db_errors(self.url), self.engine.connect() as conn:
            return _engine.current_revision(conn)

    # ------------------------------------------------------------------ record
    def record(
        self,
        what: str | os.PathLike | Result,
        *,
        command: str | None = None,
        argv: list[str] | None = None,
        inputs: Iterable[str | os.PathLike] = (),
        tallrx_version: str | None = None,
    ) -> int:
        """Record an output folder (or a Result) as one run, in one transaction; its run id.

        Recording the same content again returns the existing run's id and changes nothing.
        ``inputs`` are files the run read: stored by name and SHA-256 (never by path).
        ``tallrx_version`` is used when the output's meta.json does not name one."""
        content = (from_result(what, command) if isinstance(what, Result)
                   else read_folder(what, command))
        if command:
            content.command = command
        content.tallrx_version = tallrx_version
        if argv is not None:
            content.argv = [str(a) for a in argv]
        for p in inputs:
            p = Path(p)
            if not p.is_file():
                raise InputError(f"{p}: input file not found; pass existing files as inputs")
            content.add_input(p.name, p.read_bytes())
        return self._record(content)

    def import_folder(self, out_dir: str | os.PathLike) -> int:
        """Record a finished output folder (meta.json + the tables it holds); its run id."""
        return self.record(out_dir)

    def _record(self, content: RunContent) -> int:
        key = content.key
        for attempt in range(RETRIES):
            try:
                with _engine.db_errors(self.url), self.engine.begin() as conn:
                    found = conn.scalar(sa.select(runs.c.id).where(runs.c.run_key == key))
                    if found is not None:
                        return int(found)
                    return _write_run(conn, content, key)
            except exc.IntegrityError:
                with self.engine.connect() as conn:  # recorded meanwhile by another process
                    found = conn.scalar(sa.select(runs.c.id).where(runs.c.run_key == key))
                if found is not None:
                    return int(found)
                raise
            except InputError as err:
                if "locked" not in str(err) and "could not serialize" not in str(err):
                    raise
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.05 * 2**attempt * (1 + random.random()))
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------ read
    def runs(self) -> pd.DataFrame:
        """One row per run: id, time, command, tallrx_version, status, n_flagged, label,
        inputs (list of {name, sha256}) and rows ({table: row count})."""
        with _engine.db_errors(self.url), self.engine.connect() as conn:
            rows = conn.execute(sa.select(runs).order_by(runs.c.id)).mappings().all()
            ins = conn.execute(sa.select(run_files).where(run_files.c.role == "input")
                               .order_by(run_files.c.name)).mappings().all()
            counts = conn.execute(sa.select(run_tables.c.run_id, run_tables.c.name,
                                            run_tables.c.n_rows)).all()
        inputs: dict[int, list] = {}
        for r in ins:
            inputs.setdefault(r["run_id"], []).append({"name": r["name"], "sha256": r["sha256"]})
        n_rows: dict[int, dict] = {}
        for run_id, name, n in counts:
            n_rows.setdefault(run_id, {})[name] = n
        return pd.DataFrame(
            [{"id": r["id"], "time": _iso(r["created_at"]), "recorded": _iso(r["recorded_at"]),
              "command": r["command"], "tallrx_version": r["tallrx_version"],
              "status": r["status"], "n_flagged": r["n_flagged"], "label": r["label"],
              "inputs": inputs.get(r["id"], []), "rows": n_rows.get(r["id"], {})}
             for r in rows],
            columns=["id", "time", "recorded", "command", "tallrx_version", "status",
                     "n_flagged", "label", "inputs", "rows"],
        )

    def query(self, table: str, where: str | None = None,
              run: int | Iterable[int] | None = None) -> pd.DataFrame:
        """Rows of ``table`` (curves, strata, combinations, binding, expression, claims) across
        runs, with run_id and command first; ``where`` is the filter language of
        :mod:`tallrx.store._where`; ``run`` limits to one run id or several."""
        tbl = _row_table(table)
        with _engine.db_errors(self.url), self.engine.connect() as conn:
            names = _known_columns(conn, table)
            stmt = (sa.select(runs.c.id.label("_run"), runs.c.command.label("_command"), tbl)
                    .join(runs, runs.c.id == tbl.c.run_id))
            if where is not None:
                cols = self._where_columns(tbl, [*ROW_COLUMNS[table], *names])
                stmt = stmt.where(parse_where(where, cols))
            if run is not None:
                ids = [int(run)] if isinstance(run, (int, np.integer, str)) else list(map(int, run))
                self._check_runs(conn, ids)
                stmt = stmt.where(tbl.c.run_id.in_(ids))
            result = conn.execute(stmt.order_by(tbl.c.run_id, tbl.c.row_index))
            keys = list(result.keys())  # plain tuples: pandas probes Row objects slowly
            frame = pd.DataFrame([tuple(r) for r in result], columns=keys)
        return _query_frame(frame, table, names)

    def _where_columns(self, tbl: sa.Table, names: list[str]) -> dict[str, Column]:
        cols = {"run_id": Column("run_id", "int", lambda _k: runs.c.id),
                "command": Column("command", "text", lambda _k: runs.c.command)}
        for name in names:
            kind = ROW_COLUMNS[tbl.name].get(name)
            if kind is not None:
                cols[name] = Column(name, kind, lambda _k, c=tbl.c[name]: c)
            else:
                cols[name] = Column(name, "json", lambda k, n=name: self._json_value(tbl, n, k))
        return cols

    def _json_value(self, tbl: sa.Table, name: str, kind: str) -> sa.ColumnElement:
        """``extra[name]`` as a ``kind`` value, NULL where the stored value is of another type
        (so 'il7 > 1' never casts a text value)."""
        item = tbl.c.extra[name]
        if kind == "null":
            return item.as_string()
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            jtype = sa.func.json_type(tbl.c.extra, sa.literal(f'$."{name}"'))
        else:
            jtype = sa.func.json_typeof(item)
        value = {"float": item.as_float(), "text": item.as_string(),
                 "bool": item.as_boolean()}[kind]
        return sa.case((jtype.in_(_JSON_TYPES[dialect][kind]), value), else_=sa.null())

    def _check_runs(self, conn: sa.Connection, ids: list[int]) -> None:
        have = set(conn.scalars(sa.select(runs.c.id).where(runs.c.id.in_(ids))))
        missing = [i for i in ids if i not in have]
        if missing:
            known = [str(i) for i in conn.scalars(sa.select(runs.c.id).order_by(runs.c.id))]
            hint = did_you_mean(str(missing[0]), known)
            raise InputError(f"run {missing[0]}: no such run in {_engine.shown(self.url)}.{hint}"
                             f" Latest runs: {', '.join(known[-10:]) or 'none'} "
                             "(see 'tallrx db runs')")

    def tables(self, run_id: int) -> dict[str, pd.DataFrame | list | bytes]:
        """The tables of run ``run_id`` as recorded: DataFrames for queryable kinds (same
        columns and dtypes as written), claims as a list of records, other files as bytes."""
        with _engine.db_errors(self.url), self.engine.connect() as conn:
            self._check_runs(conn, [int(run_id)])
            out: dict[str, Any] = {}
            for t in conn.execute(sa.select(run_tables).where(run_tables.c.run_id == run_id)
                                  .order_by(run_tables.c.name)).mappings():
                if t["kind"] is None:
                    data = conn.scalar(sa.select(blobs.c.gzip).where(blobs.c.sha256 == t["sha256"]))
                    out[t["name"]] = gzip.decompress(data)
                else:
                    out[t["name"]] = _read_rows(conn, t["kind"], int(run_id), t["columns"])
            return out

    def meta(self, run_id: int) -> dict | None:
        """The run's meta.json content (None when the run had none)."""
        with _engine.db_errors(self.url), self.engine.connect() as conn:
            self._check_runs(conn, [int(run_id)])
            return conn.scalar(sa.select(runs.c.meta).where(runs.c.id == run_id))

    def export(self, run_id: int, folder: str | os.PathLike) -> Path:
        """Write run ``run_id``'s tables (and meta.json) into ``folder``, atomically."""
        tables, meta = self.tables(run_id), self.meta(run_id)
        with atomic_dir(folder) as tmp:
            for name, value in tables.items():
                target = tmp / name
                target.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(value, bytes):
                    target.write_bytes(value)
                elif isinstance(value, list):
                    target.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
                else:
                    value.to_csv(target, index=False)
            if meta is not None:
                (tmp / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        return Path(folder)


# ---------------------------------------------------------------------- writing
def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


def _upsert(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    """Insert rows whose primary key is not there yet (content-addressed files and blobs)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(table).on_conflict_do_nothing(), rows)


def _write_run(conn: sa.Connection, content: RunContent, key: str) -> int:
    """Insert one run with every table; the caller's transaction makes it all or nothing."""
    now = dt.datetime.now(dt.UTC)
    run_id = conn.execute(runs.insert().values(
        run_key=key, created_at=content.created_at, recorded_at=now, command=content.command,
        tallrx_version=content.version[:40], status="recording", label=content.label,
        argv=content.argv, meta=content.meta,
    )).inserted_primary_key[0]
    outputs = {t.name: t.data for t in content.tables}
    _upsert(conn, files, [{"sha256": sha256(b), "size": len(b)}
                          for b in [*outputs.values(), *content.input_bytes.values()]])
    conn.execute(run_files.insert(), [
        *({"run_id": run_id, "role": "input", "name": n, "sha256": h}
          for n, h in content.inputs.items()),
        *({"run_id": run_id, "role": "output", "name": n, "sha256": sha256(b)}
          for n, b in outputs.items()),
    ])
    n_flagged = 0
    for table in content.tables:
        n_flagged += _write_table(conn, run_id, table)
    conn.execute(runs.update().where(runs.c.id == run_id).values(
        status="flagged" if n_flagged else "ok", n_flagged=n_flagged))
    return int(run_id)


def _write_table(conn: sa.Connection, run_id: int, table: Table) -> int:
    """Store one table (rows for queryable kinds, else a gzip blob); its flagged-row count."""
    digest = sha256(table.data)
    if table.kind is None:
        _upsert(conn, blobs, [{"sha256": digest, "gzip": gzip.compress(table.data, 6)}])
        n = table.data.count(b"\n") - 1 if table.name.endswith(".csv") else 0
        columns: list = []
        flagged = 0
    elif table.kind == "claims":
        columns, rows = _claim_rows(table.records or [])
        n, flagged = len(rows), sum(r.get("held") is not True for r in rows)
        _insert_rows(conn, table.kind, run_id, rows)
    else:
        columns, rows = _frame_rows(table.kind, table.frame)
        n, flagged = len(rows), _n_flagged(table.frame)
        _insert_rows(conn, table.kind, run_id, rows)
    conn.execute(run_tables.insert().values(run_id=run_id, name=table.name, kind=table.kind,
                                            n_rows=max(n, 0), columns=columns, sha256=digest))
    return flagged


def _insert_rows(conn: sa.Connection, kind: str, run_id: int, rows: list[dict]) -> None:
    for i, r in enumerate(rows):
        r["run_id"], r["row_index"] = run_id, i
    if rows:
        conn.execute(ROW_TABLES[kind].insert(), rows)


def _n_flagged(frame: pd.DataFrame) -> int:
    """Rows a command flagged: fit_ok False or flagged / exclude True; a table with none of
    those columns counts rows with a message (a note beside a good value is not a flag)."""
    bad = np.zeros(len(frame), bool)
    if "fit_ok" in frame:
        bad |= frame["fit_ok"].astype("string").str.lower().isin(["false", "0"]).to_numpy()
    for col in ("flagged", "exclude"):
        if col in frame:
            bad |= frame[col].astype("string").str.lower().isin(["true", "1"]).to_numpy()
    if "message" in frame and not {"fit_ok", "flagged", "exclude"} & set(frame.columns):
        msg = frame["message"].astype("string").fillna("").str.strip()
        bad |= (msg != "").to_numpy()
    return int(bad.sum())


def _fits(series: pd.Series, kind: str) -> bool:
    """Whether a column's values can live in a typed column of ``kind`` without loss."""
    values = series.dropna()
    if len(values) == 0:
        return True
    if kind == "float":
        return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if kind == "int":
        return pd.api.types.is_integer_dtype(series)
    if kind == "bool":
        return bool(values.map(lambda v: isinstance(v, (bool, np.bool_))).all())
    return bool(values.map(lambda v: isinstance(v, str)).all())


def _plain(values: pd.Series) -> list:
    """Python scalars with NaN -> None and +-inf kept as the strings 'inf' / '-inf' (JSON-safe)."""
    out = values.astype(object).where(values.notna(), None).tolist()
    return [("inf" if v > 0 else "-inf") if isinstance(v, float) and math.isinf(v) else v
            for v in out]


def _frame_rows(kind: str, frame: pd.DataFrame) -> tuple[list, list[dict]]:
    """(column list [[name, dtype]], row dicts of typed columns + extra JSON)."""
    spec = ROW_COLUMNS[kind]
    columns = [[str(c), str(frame[c].dtype)] for c in frame.columns]
    typed = [c for c in frame.columns if c in spec and _fits(frame[c], spec[c])]
    extra = [c for c in frame.columns if c not in typed]
    cols: dict[str, list] = {}
    for c in typed:
        s = frame[c]
        if spec[c] == "float":
            s = s.astype(float)
        cols[c] = s.astype(object).where(s.notna(), None).tolist()
    extras = {str(c): _plain(frame[c]) for c in extra}
    rows = []
    for i in range(len(frame)):
        row = {c: v[i] for c, v in cols.items()}
        row["extra"] = {c: v[i] for c, v in extras.items()}
        rows.append(row)
    return columns, rows


def _claim_rows(records: list[dict]) -> tuple[list, list[dict]]:
    spec = ROW_COLUMNS["claims"]
    keys: list[str] = []
    for r in records:
        keys += [k for k in r if k not in keys]
    rows = []
    for r in records:
        row = {k: r[k] for k in spec if k in r and _fits(pd.Series([r[k]]), spec[k])}
        row["extra"] = {k: v for k, v in r.items() if k not in row}
        rows.append(row)
    return [[k, "json"] for k in keys], rows


# ---------------------------------------------------------------------- reading
def _row_table(table: str) -> sa.Table:
    if table not in ROW_TABLES:
        raise InputError(f"--table {table}: not a stored table kind.{did_you_mean(table, ROW_TABLES)}"
                         f" Choose one of {', '.join(ROW_TABLES)}")
    return ROW_TABLES[table]


def _known_columns(conn: sa.Connection, kind: str) -> list[str]:
    """Every column name recorded for ``kind``, in first-seen order."""
    names: list[str] = []
    for cols in conn.scalars(sa.select(run_tables.c.columns).where(run_tables.c.kind == kind)
                             .order_by(run_tables.c.run_id)):
        names += [c for c, _ in cols if c not in names]
    return names


def _query_frame(frame: pd.DataFrame, kind: str, names: list[str]) -> pd.DataFrame:
    """run_id, command, the typed columns and the expanded extras, in recorded column order.
    A typed column that a row holds in ``extra`` (values that did not fit its type) takes the
    extra value."""
    order = ["run_id", "command", *names]
    if frame.empty:
        return pd.DataFrame(columns=order)
    typed = [c for c in ROW_COLUMNS[kind] if c in names or frame[c].notna().any()]
    out = frame[["_run", "_command", *typed]].rename(
        columns={"_run": "run_id", "_command": "command"}).reset_index(drop=True)
    extra = pd.DataFrame.from_records([e or {} for e in frame["extra"]])
    for c in extra.columns.intersection(out.columns):
        out[c] = out[c].astype(object).where(extra[c].isna(), extra[c])
    out = pd.concat([out, extra[extra.columns.difference(out.columns, sort=False)]], axis=1)
    return out[[c for c in order if c in out.columns]
               + [c for c in out.columns if c not in order]]


def _read_rows(conn: sa.Connection, kind: str, run_id: int, columns: list) -> Any:
    """One run's rows of ``kind`` as written: a DataFrame with the recorded columns and dtypes
    (claims: the list of records)."""
    tbl = ROW_TABLES[kind]
    rows = conn.execute(sa.select(tbl).where(tbl.c.run_id == run_id)
                        .order_by(tbl.c.row_index)).mappings().all()
    spec = ROW_COLUMNS[kind]

    def value(r, c):
        extra = r["extra"] or {}
        return extra[c] if c in extra else (r[c] if c in spec else None)

    if kind == "claims":
        return [{c: value(r, c) for c, _ in columns} for r in rows]
    data = {c: [value(r, c) for r in rows] for c, _ in columns}
    return pd.DataFrame({c: _as_dtype(pd.Series(data[c], dtype=object), d) for c, d in columns},
                        columns=[c for c, _ in columns])


def _as_dtype(values: pd.Series, dtype: str) -> pd.Series:
    if dtype.startswith("float"):
        return pd.to_numeric(values, errors="coerce").astype(dtype)
    if dtype.startswith(("int", "uint", "str")) or dtype in ("bool", "boolean"):
        return values.astype(dtype)
    return values
