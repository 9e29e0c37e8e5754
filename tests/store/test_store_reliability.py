"""Store reliability on both engines: one transaction per run, concurrent writers, migrations."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import tallrx.store as store
from tallrx.errors import TallrxError
from tallrx.store import _engine, _schema, _store

ROW_KINDS = list(_schema.ROW_COLUMNS)


def _counts(db) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {t: conn.scalar(sa.select(sa.func.count()).select_from(_schema.TABLES[t]))
                for t in _schema.TABLES}


def test_failure_mid_record_leaves_no_partial_run(url, screen_out, monkeypatch):
    """An exception after the run row, files and some tables were written rolls back it all."""
    calls = []
    real = _store._insert_rows

    def failing(conn, kind, run_id, rows):
        calls.append(kind)
        if len(calls) == 2:  # the second row table of the run
            raise RuntimeError("power cut")
        return real(conn, kind, run_id, rows)

    with store.open(url) as db:
        before = _counts(db)
        monkeypatch.setattr(_store, "_insert_rows", failing)
        with pytest.raises(RuntimeError, match="power cut"):
            db.import_folder(screen_out)
        assert calls[0] == "curves"  # rows of one table had been inserted
        assert _counts(db) == before == dict.fromkeys(_schema.TABLES, 0)
        monkeypatch.setattr(_store, "_insert_rows", real)
        run = db.import_folder(screen_out)  # and the retry records the whole run
        assert len(db.query("curves", run=run)) == len(pd.read_csv(screen_out / "curves.csv"))


def test_processes_recording_at_once_all_land(url, synergy_out, tmp_path):
    """Three processes import into one store at the same time: two different folders land as
    two runs, the same folder imported twice is one run."""
    with store.open(url):
        pass  # schema created first, as `tallrx db init` would
    script = textwrap.dedent("""
        import sys, tallrx.store as s
        with s.open(sys.argv[1]) as db:
            print(db.import_folder(sys.argv[2]))
    """)
    second = tmp_path / "synergy_copy"
    shutil.copytree(synergy_out, second)
    (second / "combinations.csv").write_text(
        (synergy_out / "combinations.csv").read_text().replace("s1,", "s9,"))
    procs = [subprocess.Popen([sys.executable, "-c", script, url, str(folder)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for folder in (second, synergy_out, synergy_out)]
    outs = [p.communicate(timeout=240) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-500:] for o in outs]
    ids = [int(o[0]) for o in outs]
    assert ids[1] == ids[2] != ids[0]
    with store.open(url) as db:
        assert sorted(db.runs()["id"]) == sorted(set(ids))
        assert {"s1", "s9"} <= set(db.query("combinations")["sample"])


def test_upgrade_from_the_previous_revision_keeps_runs(url, synergy_out, tmp_path):
    """A store made at revision 0001 (before n_flagged and the indexes) upgrades to head with
    its runs intact; the upgraded schema is exactly the package's tables (no drift)."""
    parsed = _engine.resolve_url(url)
    engine = _engine.make_engine(parsed)
    _engine.upgrade(engine, parsed, "0001")
    with engine.connect() as conn:
        cols = {c["name"] for c in sa.inspect(conn).get_columns("runs")}
    assert "n_flagged" not in cols
    # a run written by the 0001 code: the columns that existed then
    old = sa.MetaData()
    tables = _schema.build(old, 1)
    with engine.begin() as conn:
        conn.execute(tables["runs"].insert().values(
            run_key="k" * 64, created_at=pd.Timestamp("2025-01-01", tz="UTC"),
            recorded_at=pd.Timestamp("2025-01-02", tz="UTC"), command="fit",
            tallrx_version="0.0.9", status="ok", label="old", argv=None, meta={"seed": 1}))
        conn.execute(tables["curves"].insert().values(
            run_id=1, row_index=0, sample="PDX01", drug_a="prednisolone", auc=321.0,
            extra={"il7": 25}))
        conn.execute(tables["run_tables"].insert().values(
            run_id=1, name="curves.csv", kind="curves", n_rows=1,
            columns=[["sample", "object"], ["drug_a", "object"], ["auc", "float64"],
                     ["il7", "int64"]], sha256="0" * 64))
    engine.dispose()
    with store.open(url) as db:
        assert db.revision() == "0002"
        runs = db.runs()
        assert list(runs["command"]) == ["fit"] and runs.loc[0, "tallrx_version"] == "0.0.9"
        got = db.query("curves", where="auc > 300 and il7 == 25")
        assert list(got["sample"]) == ["PDX01"]
        new = db.import_folder(synergy_out)
        assert new == 2
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), _schema.metadata)
            idx = {i["name"] for i in sa.inspect(conn).get_indexes("curves")}
    assert diff == []
    assert {"ix_curves_sample", "ix_curves_drug_a"} <= idx


def test_downgrade_and_upgrade_again(url, claims_out):
    with store.open(url) as db:
        db.import_folder(claims_out)
        _engine.downgrade(db.engine, "0001")
        assert db.revision() == "0001"
        assert db.init() == "0002"
        assert db.init() == "0002"  # idempotent
        assert len(db.query("claims")) == 2
        _engine.downgrade(db.engine, "base")
        assert db.revision() is None
        with db.engine.connect() as conn:
            assert not set(sa.inspect(conn).get_table_names()) & set(_schema.TABLES)


def test_store_made_by_a_newer_tallrx_is_refused(url):
    with store.open(url) as db, db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(TallrxError, match="newer tallrx"):
        store.open(url)


def test_kill_9_mid_record_leaves_no_partial_run(url, screen_out):
    """A recording process killed with SIGKILL after writing part of a run leaves nothing."""
    with store.open(url):
        pass
    script = textwrap.dedent("""
        import sys, time
        import tallrx.store as s
        from tallrx.store import _store
        real = _store._insert_rows
        def slow(conn, kind, run_id, rows):
            real(conn, kind, run_id, rows)
            print("mid-record", flush=True)
            time.sleep(60)
        _store._insert_rows = slow
        s.open(sys.argv[1]).import_folder(sys.argv[2])
    """)
    proc = subprocess.Popen([sys.executable, "-c", script, url, str(screen_out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "mid-record", proc.stderr.read()[-500:]
    finally:
        proc.kill()  # SIGKILL
        proc.wait(timeout=30)
    with store.open(url) as db:
        assert _counts(db) == dict.fromkeys(_schema.TABLES, 0)
        run = db.import_folder(screen_out)  # the store is usable (lock released) afterwards
        assert len(db.query("strata", run=run)) == len(pd.read_csv(screen_out / "strata.csv"))
