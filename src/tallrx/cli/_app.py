"""The typer application object and the small helpers every command shares.

Commands live in sibling modules (one per job) and register themselves on :data:`app`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from tallrx.errors import InputError
from tallrx.paper import DSS_THRESHOLD_PCT

if TYPE_CHECKING:  # heavy modules load inside the functions that use them (start-up time)
    import pandas as pd
    from matplotlib.figure import Figure

    from tallrx.report.html import Section

app = typer.Typer(
    name="tallrx",
    help="tallrx: steroid-resistance workbench for T-ALL (measure + model).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global_options(
    quiet: bool = typer.Option(
        False, "--quiet", help="No progress bars or status lines (errors and warnings still "
        "print); may be given anywhere on the command line."),
    debug: bool = typer.Option(
        False, "--debug", help="Print the traceback of an internal error (and every warning); "
        "may be given anywhere on the command line."),
) -> None:
    """Options of every command (tallrx.cli.main reads them wherever they are given)."""


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
#: [True] while a command runs with --quiet (set by tallrx.cli.main): no status lines, no bars
QUIET: list[bool] = [False]


DSS_THRESHOLD_HELP = (
    "Activity threshold of the drug sensitivity scores dss1-dss3, % inhibition (0 < t < 100; "
    "Yadav et al. 2014 default 10). DSS is computed for % viability input."
)
CONTROLS_HELP = (
    "Healthy donors' DSS per drug (a wide table: donors as rows, drugs as columns, as FIMM "
    "publishes it; or long: drug, donor, dss). Adds sdss, zdss, rdss, n_controls."
)
COHORT_HELP = (
    "Add auc_z: the z-score of each sample's log10 AUC among this run's samples for the same "
    "drug and condition (the Zurich drug-response-profiling convention)."
)


def dss_threshold_option():
    """``--dss-threshold``: the DSS activity threshold (% inhibition)."""
    return typer.Option(DSS_THRESHOLD_PCT, "--dss-threshold", help=DSS_THRESHOLD_HELP)


def controls_option():
    """``--controls FILE``: healthy donors' DSS per drug (selective DSS)."""
    return typer.Option(None, "--controls", help=CONTROLS_HELP)


def cohort_option():
    """``--cohort``: z-scores of log AUC among the run's samples."""
    return typer.Option(False, "--cohort", help=COHORT_HELP)


JOBS_HELP = (
    "Worker processes: 1 = in this process (default); N > 1 = a local Dask cluster of N "
    "single-threaded workers (needs the dask extra). Results are identical either way."
)
SCHEDULER_HELP = (
    "Address of a running Dask scheduler (e.g. tcp://127.0.0.1:8786, a Slurm or Kubernetes "
    "cluster's); the work runs there, results are identical to the in-process run."
)


def jobs_option():
    """``--jobs N``: worker processes of a local Dask cluster (1 = in process)."""
    return typer.Option(1, "--jobs", min=1, help=JOBS_HELP)


def scheduler_option():
    """``--scheduler ADDRESS``: run the chunks on an existing Dask scheduler."""
    return typer.Option(None, "--scheduler", metavar="ADDRESS", help=SCHEDULER_HELP)


@contextmanager
def on_cluster(jobs: int, scheduler: str | None) -> Iterator:
    """Run the block's chunked work on Dask per ``--jobs``/``--scheduler`` (in process for 1 and
    no scheduler); the dashboard link is said once on stderr (not with ``--quiet``)."""
    from tallrx import parallel

    with parallel.announcing(say), parallel.cluster(jobs, scheduler) as client:
        yield client


@contextmanager
def model_on_cluster(jobs: int, scheduler: str | None) -> Iterator:
    """:func:`on_cluster` whose client also runs the model's simulation chunks (cohort,
    simulate, reproduce); in process (or the model's own pool) without a cluster."""
    from tallrx import parallel
    from tallrx.model.simulate import mapping

    with on_cluster(jobs, scheduler) as client, contextlib.ExitStack() as stack:
        if client is not None:
            stack.enter_context(mapping(parallel.mapper(client)))
        yield client


def check_dss_threshold(value: float) -> None:
    """``--dss-threshold`` inside (0, 100), else a one-line user error."""
    if not 0.0 < value < 100.0:
        raise InputError(
            f"--dss-threshold {value:g}: expected a % inhibition between 0 and 100 (default "
            f"{DSS_THRESHOLD_PCT:g})"
        )


def read_controls(path: Path | None):
    """The ``--controls`` table as long ``drug, donor, dss`` (None when not given)."""
    if path is None:
        return None
    from tallrx.io.assays.dss_controls import read_dss_controls

    return read_dss_controls(path)


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
    """Print a status line to stderr (kept off stdout so CSV/JSON on stdout stay clean); nothing
    with ``--quiet``."""
    if not QUIET[0]:
        err_console.print(message)


@contextmanager
def progress(description: str, total: int | None = None, unit: str = "steps") -> Iterator:
    """A :func:`tallrx.progress.task` (a rich bar on a terminal, see :mod:`tallrx.cli._progress`);
    yields its ``advance(n)``. Work that counts nothing (an engine that does not call
    :func:`tallrx.progress.advance`) shows its total as done when it ends."""
    from tallrx import progress as _progress

    with _progress.task(description, total, unit) as task:
        yield task.advance
        if task.done == 0 and task.total:  # the work did not count its units: all done at once
            task.advance(task.total)


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


TABLE_FORMAT_HELP = (
    "Format of the written tables: csv (default) or parquet (typed, compact, fast to read back; "
    "an output path ending in .parquet implies parquet)."
)


def table_format_option():
    """The ``--table-format csv|parquet`` option of the commands that write large tables."""
    return typer.Option(None, "--table-format", help=TABLE_FORMAT_HELP)


def check_table_format(value: str | None, out: Path | None = None,
                       db: str | None = None) -> str | None:
    """``value`` of ``--table-format`` checked (None: decide from the output path), before any
    work: an output file whose suffix says the other format is a user error, and so is Parquet
    with a results store (``--db`` or $TALLRX_DB; the store records CSV tables)."""
    from tallrx._atomic import TABLE_FORMATS, table_format

    fmt = value.lower() if value is not None else (
        table_format(out) if out is not None and out.suffix else None)
    if fmt == "parquet" and (db is not None or os.environ.get("TALLRX_DB", "").strip()):
        raise InputError(
            "--table-format parquet: the results store (--db / TALLRX_DB) records CSV tables; "
            "write CSV (the default) to record the run, or leave the store out"
        )
    if value is None:
        return None
    if fmt not in TABLE_FORMATS:
        raise InputError(f"--table-format {value!r}: expected one of {', '.join(TABLE_FORMATS)}")
    if out is not None and out.suffix.lower() in (".csv", ".parquet", ".pq") \
            and table_format(out) != fmt:
        raise InputError(
            f"-o {out}: the name says {table_format(out)} but --table-format is {fmt}; "
            f"name the file *.{fmt} or drop --table-format"
        )
    return fmt


def read_table(path: Path, what: str) -> pd.DataFrame:
    """Read a tidy table written by tallrx or by hand: CSV, an Excel workbook's first sheet (by
    its zip magic bytes), or Parquet (by the ``.parquet`` / ``.pq`` suffix or the file's ``PAR1``
    magic bytes). Unreadable or empty files become an
    InputError naming the file."""
    import pandas as pd

    from tallrx.io._cells import first_sheet_frame, is_workbook, without_repeated_headers

    (path,) = existing_files([path])
    if path.is_dir():
        raise InputError(f"{path}: is a folder; pass the {what} CSV or Parquet file inside it")
    if _is_parquet(path):
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds; all mean unreadable
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"{path}: not a readable Parquet file ({first})") from None
        if len(df) == 0:
            raise InputError(f"{path}: has no rows; expected one row per {what} entry")
        return df
    if is_workbook(path):  # an Excel workbook (.xlsx): its first sheet
        df = first_sheet_frame(path, f"save the {what} table as .xlsx or comma-separated text")
        return _titled_table(df.dropna(how="all"), path, what)
    european = _spreadsheet_text(path, what)
    if european is not None:
        return without_repeated_headers(european, str(path))
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
    return _titled_table(df, path, what)


def _titled_table(df: pd.DataFrame, path: Path, what: str) -> pd.DataFrame:
    """``df`` under its title line (Excel's merged title cell), without repeated header rows;
    an InputError when no row is left."""
    from tallrx.io._cells import renumber, without_repeated_headers
    from tallrx.io.assays._tables import below_title

    titled = below_title(df)
    if titled is not df:
        df = renumber(titled.reset_index(drop=True))
    if len(df) == 0:
        raise InputError(f"{path}: has a header but no rows; expected one row per {what} entry")
    return without_repeated_headers(df, str(path))


_HEADER_UNIT = re.compile(r"^(.*?)[\s_]*[(\[]\s*([^)\]]+?)\s*[)\]]\s*$")


def named_columns(
    df: pd.DataFrame, wanted: Mapping[str, Sequence[str]], *, where: str,
    unit_of: str | None = None,
) -> tuple[pd.DataFrame, str | None]:
    """``df`` with each missing ``wanted`` column taken from the one column that names it another
    way: any case or spacing (``Conc_A``, ``AUC``) or one of its aliases (normalized names, e.g.
    the layout's ``cell_line_name`` / ``drug_name`` / ``conc``); and the unit written in the
    header of the ``unit_of`` column (``conc (nM)`` -> 'nM'), or None. A status line names every
    column so read; two candidates for one column leave it missing (the caller's error names
    both)."""
    from tallrx.io._columns import normalize_name

    renames: dict[object, str] = {}
    header_unit = None
    for canonical, aliases in wanted.items():
        if canonical in df.columns:
            continue
        names = {normalize_name(canonical), *aliases}
        hits = []
        for column in df.columns:
            match = _HEADER_UNIT.match(str(column)) if canonical == unit_of else None
            bare = match.group(1) if match else str(column)
            if column not in renames and normalize_name(bare) in names:
                hits.append((column, match.group(2) if match else None))
        if len(hits) == 1:
            renames[hits[0][0]] = canonical
            header_unit = hits[0][1] or header_unit
    if renames:
        said = ", ".join(f"'{c}' as {n}" for c, n in renames.items())
        say(f"{where}: reading {said}" + (f" (unit {header_unit})" if header_unit else ""))
    return df.rename(columns=renames), header_unit


def _spreadsheet_text(path: Path, what: str) -> pd.DataFrame | None:
    """A table saved by a spreadsheet in another locale or encoding (';' or tab between fields,
    decimal commas, a BOM, UTF-16), read with :mod:`tallrx.io`'s text reader and its numbers
    parsed per column ('0,25' in a ';' table is 0.25); None for plain comma-separated UTF-8,
    which pandas reads directly."""
    import pandas as pd

    from tallrx.io._cells import SNIFF_CHARS, decode, text_table
    from tallrx.io._numbers import numbers_if_all
    from tallrx.io.assays._tables import below_title

    with path.open("rb") as fh:
        head = fh.read(SNIFF_CHARS)
    plain = not head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) and b"\x00" not in head
    header = head.decode("utf-8", errors="replace").split("\n", 1)[0]
    if plain and ("," in header or not (";" in header or "\t" in header)):
        return None  # comma-separated (or one column): pandas' own reader, as always
    kind = f"a {what} table"
    df = text_table(decode(path.read_bytes(), str(path), what=kind), where=str(path), what=kind)
    delimiter = df.attrs.get("delimiter")
    df = below_title(df).reset_index(drop=True)  # a title line above the header
    if len(df) == 0:
        raise InputError(f"{path}: has a header but no rows; expected one row per {what} entry")
    for column in df.columns:
        if not pd.api.types.is_numeric_dtype(df[column]):
            cells = df[column].copy()
            cells.attrs["delimiter"] = delimiter
            df[column] = numbers_if_all(cells, where=str(path))
    return df


#: the former name of :func:`read_table` (it reads Parquet too now)
read_table_csv = read_table


def _is_parquet(path: Path) -> bool:
    if path.suffix.lower() in (".parquet", ".pq"):
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PAR1"
    except OSError:
        return False


def write_table(out: Path, table: pd.DataFrame, name: str, fmt: str | None = None) -> Path:
    """Write ``table`` atomically to ``out``: a file path, or a folder that gets ``name`` inside
    (its suffix follows ``fmt``: csv or parquet). Returns the file written."""
    from tallrx._atomic import table_format
    from tallrx._atomic import write_table as _write

    if out.is_dir():
        out = out / name
        if fmt is not None:
            out = out.with_suffix(f".{fmt}")
    return _write(out, table, table_format(out, fmt))


def write_outputs(
    out: Path,
    tables: Mapping[str, pd.DataFrame],
    figures: Mapping[str, Figure | bytes],
    title: str,
    sections: Sequence[Section],
    *,
    meta: Mapping | None = None,
    subtitle: str = "",
    table_format: str | None = None,
) -> Path:
    """Write ``NAME.csv`` (or ``NAME.parquet`` with ``table_format="parquet"``) per table,
    ``figures/NAME.png`` per figure (a Figure is saved at 150 dpi, PNG bytes as they are),
    ``meta.json`` (when given) and ``report.html`` into ``out``, atomically (all or nothing).
    Returns the report's path."""
    from tallrx._atomic import atomic_dir, save_table
    from tallrx._result import json_safe
    from tallrx.report.html import render_report

    ext = table_format or "csv"
    with atomic_dir(out) as tmp:
        for name, table in tables.items():
            save_table(table, tmp / f"{name}.{ext}", ext)
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
