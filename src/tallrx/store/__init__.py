"""tallrx.store: a results store a lab can query for years (SQLAlchemy 2 + Alembic).

SQLite by default (a file under the user data folder, or ``TALLRX_DB``), PostgreSQL by URL
(``postgresql://user@host:5432/db``, driver psycopg 3). The schema is created and migrated by the
Alembic revisions shipped in ``tallrx/store/migrations`` (run in-process; no alembic.ini).

>>> import tallrx.store as store
>>> db = store.open("sqlite:///:memory:")   # doctest: +SKIP
>>> run = db.import_folder("out/screen")     # doctest: +SKIP
>>> db.query("strata", where="il7_responsive == true and auc_with >= 175")  # doctest: +SKIP

Storage design (stable across tallrx versions):

- ``runs``: one row per recorded run: id, ``run_key`` (SHA-256 over the run's table contents and
  meta, unique: recording the same output twice records one run), time the outputs were written,
  time recorded, command, tallrx version, status (``ok`` / ``flagged``), ``n_flagged`` (rows with
  fit_ok False, flagged / exclude True or a message), folder name, argv and meta.json (JSON).
- ``files`` (sha256, size) and ``run_files`` (run, role input|output, file name, sha256): files
  are identified by content, never by an absolute path.
- one row table per queryable kind (``curves``, ``strata``, ``combinations``, ``binding``,
  ``expression``, ``claims``): the kind's standard columns as typed SQL columns (float, text,
  boolean; indexed on sample / drug / protein / target), every other column of the row
  (conditions such as ``il7``, ``dox``, diagnostics, columns later versions add) in a JSON column
  ``extra``. A standard column whose values do not fit its type goes to ``extra`` unchanged.
- ``run_tables``: each recorded table's name, kind, row count, column order and pandas dtypes, so
  :meth:`Store.export` writes it back with the same rows, values and columns.
- ``blobs``: every other output table (wells, viability, qc, surface, ...) gzip-compressed,
  content-addressed (stored once however many runs share it).

Each run is recorded in one transaction (a failure leaves no partial run); SQLite runs in WAL
mode with a busy timeout, writers take the lock up front (``BEGIN IMMEDIATE``) and a locked
database is retried, so several processes can record at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from tallrx.errors import InputError
from tallrx.store._engine import ENV, default_url, make_engine, resolve_url
from tallrx.store._store import Store
from tallrx.store._where import HELP as WHERE_HELP

__all__ = ["ENV", "Store", "WHERE_HELP", "default_url", "open", "record_cli_run"]

#: the kinds ``query`` and ``tallrx db query --table`` accept
TABLE_KINDS = ("curves", "strata", "combinations", "binding", "expression", "claims")


def open(url: str | os.PathLike | None = None, *, upgrade: bool = True) -> Store:  # noqa: A001
    """The store at ``url`` (None: ``TALLRX_DB``, else a SQLite file in the user data folder;
    a plain path is a SQLite file). With ``upgrade`` the schema is created or migrated first."""
    parsed = resolve_url(url)
    store = Store(parsed, make_engine(parsed))
    if upgrade:
        store.init()
    return store


def record_cli_run(
    url: str | os.PathLike | None,
    out_path: str | os.PathLike,
    command: str,
    argv: list[str] | None = None,
    inputs: Iterable[str | os.PathLike] = (),
) -> int | None:
    """Record a finished command's output (``--db URL``, else ``TALLRX_DB``; neither: nothing
    is recorded and None is returned). Returns the run id; the same output twice is one run."""
    if url is None and not os.environ.get(ENV, "").strip():
        return None
    if not os.path.exists(out_path):
        raise InputError(f"{out_path}: the output to record does not exist")
    with open(url) as store:
        return store.record(out_path, command=command, argv=argv,
                            inputs=[p for p in inputs if os.path.isfile(p)],
                            tallrx_version=_installed_version())


def _installed_version() -> str:
    from tallrx._result import _version

    return _version()
