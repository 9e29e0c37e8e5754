"""CLI commands: fit (registered on the shared app)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tallrx import progress
from tallrx.cli._app import (
    app,
    check_dss_threshold,
    check_table_format,
    cohort_option,
    controls_option,
    db_option,
    dss_threshold_option,
    jobs_option,
    named_columns,
    on_cluster,
    parse_csv_list,
    read_controls,
    read_table,
    record_run,
    say,
    say_summary,
    scheduler_option,
    table_format_option,
    write_table,
)
from tallrx.cli._fit_stream import fit_stream, streamable
from tallrx.errors import InputError, UnitError

if TYPE_CHECKING:
    import pandas as pd


@app.command("fit")
def fit_command(
    viability: Path = typer.Argument(
        ..., help="Viability CSV, XLSX or Parquet: sample, drug_a, conc_a, viability (+ condition columns)."
    ),
    out: Path = typer.Option(
        ..., "-o", "--out", help="Output curves CSV (a folder gets curves.csv inside)."
    ),
    table_format: str | None = table_format_option(),
    by: str | None = typer.Option(
        None,
        "--by",
        help="Comma-separated group columns (default: sample, drug_a and every condition column).",
    ),
    unit: str = typer.Option(
        "uM", "--unit", help="Unit of conc_a and of --window: pM, nM, uM, mM, ng/ml, ug/ml, ..."
    ),
    window: tuple[float, float] | None = typer.Option(
        None,
        "--window",
        help="AUC window LOW HIGH in --unit (default: each curve's tested range); "
        "beyond the tested doses the fitted curve is integrated.",
    ),
    response: str = typer.Option(
        "viability", "--response", help="Response column (any numeric response fits)."
    ),
    anchor_top: bool = typer.Option(
        False, "--anchor-top", help="Fix the top plateau to the mean of the vehicle wells."
    ),
    plateau_bounds: tuple[float, float] | None = typer.Option(
        None,
        "--plateau-bounds",
        help="Box LOW HIGH for the top and bottom plateaus, in response units (default: "
        "-50 200 for % viability, else one data range beyond each curve's data); a curve's own "
        "data always fit inside. Estimates on a bound are flagged (at_bound, message).",
    ),
    dss_threshold: float = dss_threshold_option(),
    controls: Path | None = controls_option(),
    cohort: bool = cohort_option(),
    db: str | None = db_option(),
    jobs: int = jobs_option(),
    scheduler: str | None = scheduler_option(),
) -> None:
    """Fit a four-parameter log-logistic curve per sample x condition x drug; AUC, IC50, flags.

    A bad row (missing, infinite or absurd concentration, infinite response) is left out of its
    curve and named in that curve's message; it never stops the batch. The viability table may be
    CSV, an Excel workbook (first sheet) or Parquet."""
    from tallrx.analysis.doseresponse.batch import fit_dose_response
    from tallrx.analysis.doseresponse.scores import add_scores
    from tallrx.units import normalize_unit

    fmt = check_table_format(table_format, out, db)
    try:
        normalize_unit(unit)
    except UnitError as exc:
        raise UnitError(f"--unit: {exc}") from None
    keys = parse_csv_list(by)
    if keys is not None and not keys:
        raise InputError(
            f"--by {by!r}: names no column; pass comma-separated group columns such as "
            "sample,drug_a,il7, or leave --by out (default: sample, drug_a and every condition "
            "column)"
        )
    _check_pair("--window", window, positive=True)
    _check_pair("--plateau-bounds", plateau_bounds, positive=False)
    check_dss_threshold(dss_threshold)
    control_table = read_controls(controls)
    options = {"by": keys, "response": response, "window": window, "unit": unit,
               "anchor_top": anchor_top, "plateau_bounds": plateau_bounds,
               "dss_threshold": dss_threshold}
    with on_cluster(jobs, scheduler), progress.task(
        "fitting dose-response curves", unit="curves"
    ) as task:
        if viability.is_file() and streamable(viability, by=keys, cohort=cohort, fmt=fmt, out=out):
            m, target = fit_stream(viability, out, control_table, **options)
        else:
            table, options["unit"] = fit_columns(
                read_table(viability, "viability"), response, unit, where=str(viability))
            result = fit_dose_response(table, where=str(viability), **options)
            if task.done == 0:  # the fitter did not count: the whole batch is done at once
                task.set_total(len(result.table))
                task.advance(len(result.table))
            curves = add_scores(result.table, controls=control_table, cohort=cohort)
            target = write_table(out, curves, "curves.csv", fmt)
            m = result.meta
    say(
        f"{m['n_curves']} curve(s): {m['n_fit_ok']} fitted, {m['n_flat']} flat, "
        f"{m['n_at_bound']} with an estimate at its bound, "
        f"{m['n_curves'] - m['n_fit_ok'] - m['n_flat']} other not fitted"
    )
    say_summary(m["n_curves"] - m["n_flagged"], m["n_flagged"], target)
    record_run(db, target, "fit", [viability])


def fit_columns(
    df: pd.DataFrame, response: str, unit: str, *, where: str
) -> tuple[pd.DataFrame, str]:
    """``df`` with its columns named as ``tallrx fit`` needs them, and the concentration unit.

    A missing ``sample`` / ``drug_a`` / ``conc_a`` / response column is taken from the one column
    that names it another way (:func:`~tallrx.cli._app.named_columns`). A unit in the
    concentration header (``conc (nM)``) is the unit of the column, unless ``--unit`` names
    another one (an error)."""
    from tallrx.io._columns import normalize_name
    from tallrx.io.plates.layout.normalize import ALIASES
    from tallrx.units import normalize_unit

    wanted = {"sample": ALIASES["sample"], "drug_a": ALIASES["drug_a"],
              "conc_a": ALIASES["conc_a"], response: (normalize_name(response),)}
    df, header_unit = named_columns(df, wanted, where=where, unit_of="conc_a")
    if header_unit is not None:
        try:
            found = normalize_unit(header_unit)
        except UnitError as exc:
            raise UnitError(f"{where}: concentration header: {exc}") from None
        if normalize_unit(unit) not in (found, "uM"):
            raise InputError(
                f"{where}: the concentration header says {header_unit} but --unit says {unit}; "
                "drop --unit or the unit in the header")
        unit = found
    return df, unit


def _check_pair(option: str, pair: tuple[float, float] | None, *, positive: bool) -> None:
    """A LOW HIGH option: finite numbers with low < high (and low > 0 when ``positive``)."""
    if pair is None:
        return
    low, high = pair
    finite = all(v == v and abs(v) != float("inf") for v in pair)
    if not (finite and low < high and (low > 0 or not positive)):
        need = "0 < low < high" if positive else "finite numbers with low < high"
        raise InputError(f"{option} {low:g} {high:g}: expected {need}")
