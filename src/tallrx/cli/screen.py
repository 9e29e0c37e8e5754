"""`tallrx screen`: plate files -> viability, QC, curves, IL7 strata, figures and one HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tallrx.cli._app import (
    COHORT_HELP,
    CONTROLS_HELP,
    DB_HELP,
    DSS_THRESHOLD_HELP,
    OUT_HELP,
    TABLE_FORMAT_HELP,
    app,
    check_dss_threshold,
    check_table_format,
    existing_files,
    jobs_option,
    on_cluster,
    read_controls,
    record_run,
    say,
    say_summary,
    scheduler_option,
    write_outputs,
)
from tallrx.errors import InputError
from tallrx.paper import DSS_THRESHOLD_PCT

if TYPE_CHECKING:
    from tallrx.workflows.screen import ScreenResults


def screen_figures(res: ScreenResults) -> dict[str, bytes]:
    """The screen's figures as PNG bytes by file stem (plotting loads only when called)."""
    from tallrx.report.html import figure_png
    from tallrx.report.screen import screen_figures as figures

    return {name: fig if isinstance(fig, bytes) else figure_png(fig, dpi=120)
            for name, fig in figures(res).items()}


def write_screen_outputs(
    res: ScreenResults, out: Path, *, title: str, meta: dict | None = None,
    table_format: str | None = None,
) -> Path:
    """Write every table, figure, ``meta.json`` (when given) and the report into ``out``
    (atomically, all or nothing)."""
    from tallrx.report.screen import screen_sections

    figs = screen_figures(res)
    return write_outputs(out, res.tables(), figs, title, screen_sections(res, figs), meta=meta,
                         subtitle=f"{res.wells['plate'].nunique()} plates, "
                                  f"{res.wells['sample'].nunique()} samples, {len(res.wells)} wells",
                         table_format=table_format)


@app.command()
def screen(
    layout: Annotated[Path, typer.Argument(help="Plate layout: CSV/TSV/XLSX or wellmap TOML.")],
    files: Annotated[list[Path] | None, typer.Argument(
        help="Plate-reader exports (EnVision, SoftMax Pro, MARS, Gen5, Magellan, Kaleido, plate "
             "matrix or long CSV). None: the layout itself carries a signal column.")] = None,
    out: Annotated[Path, typer.Option("-o", "--out", help=OUT_HELP)] = Path("screen_out"),
    format: Annotated[str | None, typer.Option("--format", help="Force one reader format.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Concentration unit of the layout "
                                                           "when it has no unit column.")] = None,
    condition: Annotated[str, typer.Option(help="Column holding the IL7 dose (ng/ml).")] = "il7",
    drug: Annotated[str | None, typer.Option(
        help="Drug whose AUC fold defines IL7 response (default: prednisolone).")] = None,
    read: Annotated[str | None, typer.Option(
        "--read", help="The read to use when a file holds several (e.g. two wavelengths); "
                       "the error lists them.")] = None,
    keep_outliers: Annotated[bool, typer.Option(
        "--keep-outliers", help="Keep outlier vehicle wells in every mean (QC still flags "
                                "them): matches GDSC-style normalization.")] = False,
    window: Annotated[tuple[float, float] | None, typer.Option(
        help="AUC window LOW HIGH in uM (default: each curve's tested range).")] = None,
    n_boot: Annotated[int, typer.Option(help="Bootstrap draws for the IL7 call probabilities.")]
        = 200,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    table_format: Annotated[str | None, typer.Option("--table-format", help=TABLE_FORMAT_HELP)]
        = None,
    dss_threshold: Annotated[float, typer.Option("--dss-threshold", help=DSS_THRESHOLD_HELP)]
        = DSS_THRESHOLD_PCT,
    controls: Annotated[Path | None, typer.Option("--controls", help=CONTROLS_HELP)] = None,
    cohort: Annotated[bool, typer.Option("--cohort", help=COHORT_HELP)] = False,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    jobs: int = jobs_option(),
    scheduler: str | None = scheduler_option(),
) -> None:
    """Analyze a plate screen: wells, QC, viability, curves and IL7 strata + report."""
    from tallrx._result import _version, checksum
    from tallrx.workflows.screen import run_screen

    fmt = check_table_format(table_format, db=db)
    if n_boot < 0:
        raise InputError(f"--n-boot {n_boot}: the number of bootstrap draws must be >= 0 "
                         "(0 skips the IL7 call probabilities)")
    check_dss_threshold(dss_threshold)
    control_table = read_controls(controls)
    paths = existing_files([layout, *_folder_files(existing_files(files or []))])
    readers = paths[1:] or [paths[0]]
    if not files:
        say(f"no plate-reader files given: reading signals from the layout {layout}")
    with on_cluster(jobs, scheduler):
        res = run_screen(paths[0], readers, format=format, unit=unit, read=read,
                         condition=condition, drug=drug, window=window, n_boot=n_boot,
                         seed=seed, keep_outliers=keep_outliers, dss_threshold=dss_threshold,
                         controls=control_table, cohort=cohort)
    if res.curves.empty:
        raise InputError(f"{layout}: no treated wells with a concentration > 0 were found, so "
                         "there is nothing to fit; check the role and concentration columns")
    meta = {
        "command": "screen",
        "tallrx_version": _version(),
        "layout": paths[0].name,
        "plates": [p.name for p in paths[1:]],
        "inputs": [{"file": p.name, "sha256_16": checksum(p)} for p in paths],
        "options": {"format": format, "unit": unit, "condition": condition, "drug": drug,
                    "read": read, "keep_outliers": keep_outliers, "window": window,
                    "n_boot": n_boot, "seed": seed, "table_format": fmt or "csv",
                    "dss_threshold": dss_threshold,
                    "controls": None if controls is None else controls.name, "cohort": cohort},
    }
    report = write_screen_outputs(res, out, title="tallrx screen report", meta=meta,
                                  table_format=fmt)
    n_ok = int(res.curves["fit_ok"].astype(bool).sum())
    unread = res.wells["signal"].isna().groupby(res.wells["plate"], sort=False).all()
    if unread.any():
        say(f"plate(s) without readings (see exclude_reason in wells.csv): "
            f"{', '.join(map(str, unread.index[unread]))}")
    say(f"{len(res.wells)} wells, {len(res.curves)} curves; report: {report}")
    say_summary(n_ok, len(res.curves) - n_ok, f"{out}/")
    record_run(db, out, "screen", paths)


def _folder_files(paths: list[Path]) -> list[Path]:
    """``paths`` with each folder replaced by the files inside it (name order; hidden files and
    Excel's ``~$`` lock files left out), as a user passes a folder of plate exports; a status line
    names how many files each folder gave."""
    out: list[Path] = []
    for path in paths:
        if not path.is_dir():
            out.append(path)
            continue
        inside = sorted(p for p in path.iterdir()
                        if p.is_file() and not p.name.startswith((".", "~$")))
        if not inside:
            raise InputError(f"{path}: the folder holds no files; pass the plate-reader exports")
        say(f"{path}: reading the {len(inside)} file(s) inside: "
            + ", ".join(p.name for p in inside[:5]) + (" ..." if len(inside) > 5 else ""))
        out += inside
    return out
