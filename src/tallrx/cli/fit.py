"""CLI commands: fit (registered on the shared app)."""

from __future__ import annotations

from pathlib import Path

import typer

from tallrx.analysis.doseresponse import fit_dose_response
from tallrx.cli._app import app, parse_csv_list, read_table_csv, say, write_table
from tallrx.errors import UnitError
from tallrx.units import normalize_unit


@app.command("fit")
def fit_command(
    viability: Path = typer.Argument(
        ..., help="Viability CSV: sample, drug_a, conc_a, viability (+ condition columns)."
    ),
    out: Path = typer.Option(
        ..., "-o", "--out", help="Output curves CSV (a folder gets curves.csv inside)."
    ),
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
) -> None:
    """Fit a four-parameter log-logistic curve per sample x condition x drug; AUC, IC50, flags."""
    try:
        normalize_unit(unit)
    except UnitError as exc:
        raise UnitError(f"--unit: {exc}") from None
    table = read_table_csv(viability, "viability")
    result = fit_dose_response(
        table,
        by=parse_csv_list(by),
        response=response,
        window=window,
        unit=unit,
        anchor_top=anchor_top,
        where=str(viability),
    )
    target = write_table(out, result.table, "curves.csv")
    m = result.meta
    say(
        f"{m['n_curves']} curve(s): {m['n_fit_ok']} fitted, {m['n_flat']} flat, "
        f"{m['n_curves'] - m['n_fit_ok'] - m['n_flat']} other flagged -> {target}"
    )
