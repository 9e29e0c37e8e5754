"""Database URLs, engines (SQLite in WAL mode with a busy timeout) and Alembic upgrades."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event, exc

from tallrx.errors import InputError

#: environment variable naming the store URL
ENV = "TALLRX_DB"
#: seconds a SQLite writer waits for another one before giving up
BUSY_TIMEOUT_S = 60
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
URL_HELP = ("expected e.g. sqlite:///path/to/tallrx.db, a path ending in .db, or "
            "postgresql://user@host:5432/dbname")


def default_url() -> str:
    """TALLRX_DB, else a SQLite file in the user data folder (platformdirs)."""
    env = os.environ.get(ENV, "").strip()
    if env:
        return env
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('tallrx')) / 'tallrx.db'}"


def resolve_url(url: str | os.PathLike | None) -> sa.URL:
    """A SQLAlchemy URL from ``url`` (None -> :func:`default_url`; a plain path -> SQLite file;
    ``postgresql://`` -> the psycopg 3 driver). A malformed URL is an InputError."""
    text = default_url() if url is None else os.fspath(url).strip()
    if "://" not in text:
        if not text:
            raise InputError(f"--db '': empty database URL; {URL_HELP}")
        text = f"sqlite:///{Path(text).expanduser().resolve()}"
    try:
        parsed = sa.make_url(text)
    except exc.ArgumentError:
        raise InputError(f"--db '{text}': not a database URL; {URL_HELP}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(f"--db '{shown(parsed)}': unsupported database "
                         f"'{parsed.get_backend_name()}'; {URL_HELP}")
    return parsed


def shown(url: sa.URL) -> str:
    """The URL as printed in messages (password hidden)."""
    return url.render_as_string(hide_password=True)


def make_engine(url: sa.URL) -> sa.Engine:
    """An engine; SQLite gets WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE writes."""
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    db = url.database or ""
    if db and db != ":memory:":
        with contextlib.suppress(OSError):
            Path(db).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun below, not by pysqlite
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA foreign_keys = ON")
        if db and db != ":memory:":
            cur.execute("PRAGMA journal_mode = WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # one writer at a time, waits busy_timeout

    return engine


@contextlib.contextmanager
def db_errors(url: sa.URL) -> Iterator[None]:
    """Turn connection and database errors into one-line InputErrors naming the URL."""
    try:
        yield
    except exc.NoSuchModuleError:
        raise InputError(f"--db '{shown(url)}': no driver for this database; {URL_HELP}") from None
    except exc.DBAPIError as err:
        if not isinstance(err, (exc.OperationalError, exc.DatabaseError)) or isinstance(
            err, exc.IntegrityError
        ):
            raise
        first = (str(err.orig).strip().splitlines() or [type(err.orig).__name__])[0]
        raise InputError(
            f"--db '{shown(url)}': cannot use the database ({first}); check that the server is "
            "running and reachable, the file is a tallrx store and writable, and the URL is right"
        ) from None


def _alembic_config(conn: sa.Connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    """The newest migration's revision id."""
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)
    return ScriptDirectory.from_config(cfg).get_current_head()


def current_revision(conn: sa.Connection) -> str | None:
    """The database's revision (None: an empty database)."""
    from alembic.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine, url: sa.URL, revision: str = "head") -> str:
    """Migrate the database to ``revision`` in one transaction (idempotent; concurrent callers
    are serialized by the SQLite write lock or a PostgreSQL advisory lock). Returns it."""
    from alembic import command
    from alembic.util.exc import CommandError

    with db_errors(url), engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7204519)")
        want = head_revision() if revision == "head" else revision
        have = current_revision(conn)
        if have == want:
            return have
        try:
            command.upgrade(_alembic_config(conn), revision)
        except CommandError as err:
            raise InputError(
                f"--db '{shown(url)}': the store is at revision {have}, which this tallrx "
                f"does not know ({err}); it was made by a newer tallrx: upgrade tallrx"
            ) from None
        return current_revision(conn)


def downgrade(engine: sa.Engine, revision: str) -> None:
    """Migrate down to ``revision`` (``base`` = empty); for tests and rollbacks."""
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), revision)
