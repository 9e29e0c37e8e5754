"""The typer application object and the small helpers every command shares.

Commands live in sibling modules (one per job) and register themselves on :data:`app`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import typer
from matplotlib.figure import Figure
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from tallrx._atomic import atomic_dir, write_csv
from tallrx._result import json_safe
from tallrx.errors import InputError
from tallrx.report.html import Section, render_report

app = typer.Typer(
    name="tallrx",
    help="tallrx: steroid-resistance workbench for T-ALL (measure + model).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
model_app = typer.Typer(help="Inspect and export the mechanistic model.", no_args_is_help=True)
app.add_typer(model_app, name="model")

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
out_console = Console(highlight=False, soft_wrap=True)

OUT_HELP = "Output folder (created if missing; files are written atomically)."
DB_HELP = (
    "Record this run in a results store: a SQLAlchemy URL (sqlite:///FILE.db, "
    "postgresql://user@host/db) or a .db path. Default: $TALLRX_DB; neither: not recorded."
)

#: the command line of the command being run (set by tallrx.cli.main; recorded with --db)
ARGV: list[str] = []


def db_option():
    """The ``--db URL`` option every analysis command takes (see :func:`record_run`)."""
    return typer.Option(None, "--db", help=DB_HELP)


def record_run(db: str | None, out: Path, command: str, inputs: Iterable[Path] = ()) -> None:
    """Record a finished command's output ``out`` in the results store named by ``db`` (or
    $TALLRX_DB); nothing happens when neither is set. Inputs are identified by content."""
    if db is None and not os.environ.get("TALLRX_DB", "").strip():
        return
    from tallrx import store  # lazy: SQLAlchemy and Alembic load only when recording

    run = store.record_cli_run(db, out, command, argv=list(ARGV), inputs=list(inputs))
    if run is not None:
        say(f"recorded as run {run} in the results store")


def say(message: str) -> None:
    """Print a status line to stderr (kept off stdout so CSV/JSON on stdout stay clean)."""
    err_console.print(message)


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator:
    """A rich progress bar on a terminal; silent when stderr is piped. Yields an ``advance(n)``."""
    if not sys.stderr.isatty():
        yield lambda n=1: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}"
                  "/{task.total}"), TimeElapsedColumn(), console=err_console,
                  transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


def say_summary(n_scored: int, n_flagged: int, where: object = "") -> None:
    """The one closing line of a batch command: ``464 scored, 2 flagged: see message column``
    (``-> where`` appended when given). Flagged units are rows whose ``message`` says why."""
    tail = ": see message column" if n_flagged else ""
    dest = f" -> {where}" if str(where) else ""
    say(f"{n_scored} scored, {n_flagged} flagged{tail}{dest}")


def parse_csv_list(value: str | None) -> list[str] | None:
    """'a,b , c' -> ['a', 'b', 'c']; None stays None."""
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def existing_files(paths: Iterable[Path]) -> list[Path]:
    """Check that every path exists; a missing one is a user error naming it."""
    out = []
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise InputError(f"{p}: no such file; check the path (relative to {Path.cwd()})")
        out.append(p)
    return out


def read_table_csv(path: Path, what: str) -> pd.DataFrame:
    """Read a tidy CSV; unreadable or empty files become an InputError naming the file."""
    (path,) = existing_files([path])
    if path.is_dir():
        raise InputError(f"{path}: is a folder; pass the {what} CSV file inside it")
    try:
        df = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise InputError(
            f"{path}: the file is empty; expected a {what} CSV with a header row"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"{path}: not a readable CSV ({first}); save the {what} table as comma-separated text"
        ) from None
    if len(df) == 0:
        raise InputError(f"{path}: has a header but no rows; expected one row per {what} entry")
    return df


def write_table(out: Path, table: pd.DataFrame, name: str) -> Path:
    """Write ``table`` atomically to ``out``: a CSV path, or a folder that gets ``name`` inside.
    Returns the file written."""
    return write_csv(out / name if out.is_dir() else out, table)


def write_outputs(
    out: Path,
    tables: Mapping[str, pd.DataFrame],
    figures: Mapping[str, Figure | bytes],
    title: str,
    sections: Sequence[Section],
    *,
    meta: Mapping | None = None,
    subtitle: str = "",
) -> Path:
    """Write ``NAME.csv`` per table, ``figures/NAME.png`` per figure (a Figure is saved at 150 dpi,
    PNG bytes as they are), ``meta.json`` (when given) and ``report.html`` into ``out``, atomically
    (all or nothing). Returns the report's path."""
    with atomic_dir(out) as tmp:
        for name, table in tables.items():
            table.to_csv(tmp / f"{name}.csv", index=False)
        (tmp / "figures").mkdir()
        for name, fig in figures.items():
            png = tmp / "figures" / f"{name}.png"
            if isinstance(fig, bytes):
                png.write_bytes(fig)
            else:
                fig.savefig(png, dpi=150, bbox_inches="tight")
        if meta is not None:
            (tmp / "meta.json").write_text(
                json.dumps(json_safe(dict(meta)), indent=2), encoding="utf-8"
            )
        render_report(title, sections, tmp / "report.html", subtitle=subtitle)
    return out / "report.html"
