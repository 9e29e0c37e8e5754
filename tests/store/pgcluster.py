"""A throwaway PostgreSQL cluster on loopback (initdb + pg_ctl in a temporary folder), for the
store tests and benchmarks/bench_store.py. As root, the cluster runs as the ``postgres`` user."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

MISSING = ("PostgreSQL binaries (initdb, pg_ctl) not found; install them with "
           "'bash tools/services.sh' (Debian package postgresql)")


def bindir() -> Path | None:
    """The folder holding initdb and pg_ctl (PATH, then /usr/lib/postgresql/*/bin), or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    cands = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(cands[-1]).parent if cands else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster; yield its base URL ``postgresql://postgres@127.0.0.1:PORT``; stop it."""
    bins = bindir()
    if bins is None:
        raise RuntimeError(MISSING)
    root = Path(tempfile.mkdtemp(prefix="tallrx-pg-"))
    as_pg: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        as_pg = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()
    try:
        subprocess.run([*as_pg, str(bins / "initdb"), "-D", str(data), "-A", "trust", "-U",
                        "postgres", "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
        subprocess.run([*as_pg, str(bins / "pg_ctl"), "-D", str(data), "-l", str(root / "log"),
                        "-w", "-o", f"-p {port} -h 127.0.0.1 -k {root} -F", "start"],
                       check=True, capture_output=True)
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([*as_pg, str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate",
                            "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def database(base: str) -> Iterator[str]:
    """A fresh, empty database on the server at ``base``; dropped afterwards."""
    import uuid

    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{base}/postgres".replace("postgresql://", "postgresql+psycopg://"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
