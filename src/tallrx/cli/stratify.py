"""CLI commands: stratify (registered on the shared app)."""

from __future__ import annotations

from pathlib import Path

import typer

from tallrx.cli._app import (
    app,
    db_option,
    named_columns,
    parse_csv_list,
    read_table,
    record_run,
    say,
    say_summary,
    write_table,
)
from tallrx.errors import InputError, TallrxError
from tallrx.paper import IL7_DEPENDENT_MIN_AUC, IL7_RESPONSIVE_FOLD


@app.command("stratify")
def stratify_command(
    curves: Path = typer.Argument(
        ..., help="Curves CSV, XLSX or Parquet (sample, drug_a, auc, condition column)."
    ),
    condition: str = typer.Option(
        "il7", "--condition", help="Column holding the IL7 dose in ng/ml (0 = without)."
    ),
    out: Path = typer.Option(
        ..., "-o", "--out", help="Output strata CSV (a folder gets strata.csv inside)."
    ),
    drug: str = typer.Option(
        "prednisolone", "--drug", help="Drug to stratify on ('all' = every drug)."
    ),
    fold: float = typer.Option(
        IL7_RESPONSIVE_FOLD,
        "--fold",
        help="IL7-responsive when AUC(+IL7)/AUC(-IL7) > this (Fig. 1D).",
    ),
    min_auc: float = typer.Option(
        IL7_DEPENDENT_MIN_AUC,
        "--min-auc",
        help="IL7-dependent resistant also needs AUC(+IL7) >= this (Fig. 5B).",
    ),
    viability: Path | None = typer.Option(
        None,
        "--viability",
        help="Replicate-level viability CSV (or Parquet) for bootstrap probabilities of each call.",
    ),
    n_boot: int = typer.Option(
        1000, "--n-boot", help="Bootstrap draws (with --viability; 0 = none)."
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed of the bootstrap."),
    by: str | None = typer.Option(
        None,
        "--by",
        help="Comma-separated extra columns to pair "
        "-IL7 and +IL7 curves on (default: the condition-like "
        "columns).",
    ),
    db: str | None = db_option(),
) -> None:
    """Pair -IL7/+IL7 curves per sample x drug: AUC fold, IL7-responsive, IL7-dependent resistant.

    A pair whose AUC is missing or not finite gets no call and a message; it never stops the
    batch."""
    from tallrx.analysis.doseresponse.stratify import stratify_il7

    if not (fold > 0 and fold != float("inf")):
        raise InputError(
            f"--fold {fold:g}: expected a positive number such as {IL7_RESPONSIVE_FOLD:g} "
            "(AUC(+IL7) / AUC(-IL7))"
        )
    if not (abs(min_auc) != float("inf") and min_auc == min_auc):
        raise InputError(
            f"--min-auc {min_auc:g}: expected a finite AUC such as {IL7_DEPENDENT_MIN_AUC:g}"
        )
    if n_boot < 0:
        raise InputError(
            f"--n-boot {n_boot}: expected a whole number >= 0 (bootstrap draws; 0 = none)"
        )
    from tallrx.io.plates.layout.normalize import ALIASES

    table, _ = named_columns(
        read_table(curves, "curves"),
        {"sample": ALIASES["sample"], "drug_a": ALIASES["drug_a"], "auc": (), condition: ()},
        where=str(curves))
    viab = read_table(viability, "viability") if viability is not None else None
    try:
        result = stratify_il7(
            table,
            condition=condition,
            drug=drug,
            fold=fold,
            min_auc=min_auc,
            viability=viab,
            n_boot=n_boot,
            seed=seed,
            by=parse_csv_list(by),
        )
    except TallrxError as exc:
        raise type(exc)(_name_file(str(exc), curves=curves, viability=viability)) from None
    target = write_table(out, result.table, "strata.csv")
    m = result.meta
    n = m["n_pairs"]
    share = f" ({100 * m['n_il7_responsive'] / n:.0f} %)" if n else ""
    say(
        f"{n} paired curve(s): {m['n_il7_responsive']} IL7-responsive{share}, "
        f"{m['n_il7_dependent_resistant']} IL7-dependent resistant"
    )
    flagged = int((result.table["message"] != "").sum())
    say_summary(len(result.table) - flagged, flagged, target)
    record_run(db, target, "stratify", [p for p in (curves, viability) if p is not None])


def _name_file(message: str, **files: Path | None) -> str:
    """'curves: row 3 ...' -> 'CURVES.csv: row 3 ...' (the API names tables, the CLI names files)."""
    for what, path in files.items():
        for prefix in (f"{what}: ", f"{what} (--by): "):
            if path is not None and message.startswith(prefix):
                return f"{path}: {message[len(prefix) :]}"
    return message
