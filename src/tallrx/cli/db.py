"""`tallrx db`: the results store (init, import, runs, query, export).

Every subcommand takes ``--db URL`` (default: ``TALLRX_DB``, else a SQLite file in the user data
folder). Database problems (bad URL, unreachable server, unknown run) are one-line errors, exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tallrx.cli._app import OUT_HELP, app, out_console, say, write_table

db_app = typer.Typer(help="The results store: record runs, list, query and export them.",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")

DbOption = Annotated[str | None, typer.Option(
    "--db", help="Store URL: sqlite:///FILE.db, FILE.db or postgresql://user@host:port/db "
                 "(default: TALLRX_DB, else tallrx.db in the user data folder).")]


def _open(url: str | None):
    from tallrx import store

    return store.open(url)


@db_app.command("init")
def init_command(db: DbOption = None) -> None:
    """Create or migrate the store's schema (Alembic upgrade head; safe to repeat)."""
    with _open(db) as st:
        say(f"store {st.url.render_as_string(hide_password=True)} at revision {st.revision()}")


@db_app.command("import")
def import_command(
    folder: Annotated[Path, typer.Argument(help="Output folder of a tallrx command (or a "
                                               "single curves.csv / strata.csv).")],
    db: DbOption = None,
) -> None:
    """Record a finished output folder (meta.json + tables); the same folder twice is one run."""
    with _open(db) as st:
        before = set(st.runs()["id"])
        run_id = st.import_folder(folder)
        row = st.runs().set_index("id").loc[run_id]
    state = "already recorded as" if run_id in before else "recorded as"
    rows = sum(row["rows"].values())
    say(f"{folder}: {state} run {run_id} ({row['command']}, {rows} rows, {row['status']})")


@db_app.command("runs")
def runs_command(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runs as JSON.")] = False,
) -> None:
    """List the recorded runs: id, time, command, version, inputs, row counts, status."""
    with _open(db) as st:
        table = st.runs()
    if as_json:
        out_console.print(json.dumps(table.to_dict("records"), indent=2), markup=False,
                          highlight=False, soft_wrap=True)
        return
    if table.empty:
        say("no runs recorded yet (tallrx db import OUT/ records one)")
        return
    for r in table.to_dict("records"):
        inputs = ", ".join(f"{i['name']} ({i['sha256'][:12]})" for i in r["inputs"]) or "-"
        rows = ", ".join(f"{k.rsplit('.', 1)[0]} {v}" for k, v in r["rows"].items())
        flagged = f" ({r['n_flagged']} flagged)" if r["n_flagged"] else ""
        out_console.print(
            f"{r['id']:>4}  {r['time']}  {r['command']:<10} tallrx {r['tallrx_version']:<8} "
            f"{r['status']}{flagged}  inputs: {inputs}  rows: {rows}",
            markup=False, highlight=False, soft_wrap=True)


@db_app.command("query")
def query_command(
    table: Annotated[str, typer.Option(
        "--table", help="curves | strata | combinations | binding | expression | claims")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output CSV (a folder gets "
                                                          "TABLE.csv inside).")],
    where: Annotated[str | None, typer.Option(
        "--where", help="Filter, e.g. \"auc > 300 and drug_a == 'prednisolone' and il7 == 25\" "
                        "(and / or / not, ( ), == != < <= > >=, in (...), is null).")] = None,
    run: Annotated[list[int] | None, typer.Option("--run", help="Only this run id "
                                                              "(repeatable).")] = None,
    db: DbOption = None,
) -> None:
    """Rows of one table across runs (run_id, command, sample/condition columns) -> CSV."""
    with _open(db) as st:
        rows = st.query(table, where=where, run=run or None)
    target = write_table(out, rows, f"{table}.csv")
    n_runs = rows["run_id"].nunique() if len(rows) else 0
    say(f"{len(rows)} {table} row(s) from {n_runs} run(s) -> {target}")


@db_app.command("export")
def export_command(
    run_id: Annotated[int, typer.Argument(help="Run id (see 'tallrx db runs').")],
    out: Annotated[Path, typer.Option("-o", "--out", help=OUT_HELP)],
    db: DbOption = None,
) -> None:
    """Write a run's tables (and meta.json) back into a folder."""
    with _open(db) as st:
        st.export(run_id, out)
    say(f"run {run_id} -> {out}/")
