"""CLI command: ``tallrx synergy`` (registered on the shared app).

Writes OUT/combinations.csv, OUT/surface.csv, OUT/median_effect.csv, OUT/meta.json,
OUT/figures/*.png and OUT/report.html, all atomically.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tallrx.cli._app import (
    OUT_HELP,
    app,
    check_table_format,
    db_option,
    existing_files,
    jobs_option,
    on_cluster,
    progress,
    read_table,
    record_run,
    say_summary,
    scheduler_option,
    table_format_option,
)
from tallrx.cli._defaults import ALPHA, N_NULL, RESPONSES
from tallrx.errors import InputError, SchemaError, did_you_mean

if TYPE_CHECKING:
    import pandas as pd


def _read_input(path: Path, response: str, unit: str) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    from tallrx.analysis.synergy.design import REQUIRED
    from tallrx.io.assays.synergyfinder import is_synergyfinder, read_delimited, read_synergyfinder
    from tallrx.units import normalize_unit, to_um

    (path,) = existing_files([path])
    df = read_table(path, "viability") if _parquet_name(path) else read_delimited(path)
    if is_synergyfinder(df.columns):
        return read_synergyfinder(df, response=response, where=str(path))
    if "viability" not in df.columns:
        cols = ", ".join(map(str, df.columns))
        raise InputError(
            f"{path}: neither a tidy viability table (needs sample, drug_a, conc_a, drug_b, "
            f"conc_b, viability) nor a SynergyFinder table (block_id, drug_row, drug_col, "
            f"conc_r, conc_c, response); columns: {cols}"
        )
    if response != "viability":
        raise InputError(
            f"{path}: a tidy table's 'viability' column is % of vehicle; --response {response} "
            "applies to SynergyFinder files only (rename the column 'response' and add block_id, "
            "or drop --response)"
        )
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{path}: a tidy viability table needs column(s) {', '.join(missing)} "
            f"(has: {', '.join(map(str, df.columns))}).{did_you_mean(missing[0], df.columns)}"
        )
    u = normalize_unit(unit)
    if u != "uM":
        df = df.copy()
        for side in ("a", "b"):
            conc = pd.to_numeric(df[f"conc_{side}"], errors="coerce").to_numpy(float)
            drug = df[f"drug_{side}"].astype("string").fillna("")
            out = np.array(conc, dtype=float)
            for name, idx in pd.Series(np.arange(len(df))).groupby(drug.to_numpy()).indices.items():
                if np.nansum(conc[idx]) > 0:
                    out[idx] = to_um(conc[idx], u, drug=name or None)
            raw = df[f"conc_{side}"]  # text stays text: the analysis names the row
            df[f"conc_{side}"] = pd.Series(out, index=df.index).where(~np.isnan(conc), raw)
    return df


def _parquet_name(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


@app.command("synergy")
def synergy_command(
    input: Path = typer.Argument(
        ...,
        help="Tidy viability CSV or Parquet (sample, drug_a, conc_a, drug_b, conc_b, viability, "
        "...) or a SynergyFinder table (block_id, drug_row, drug_col, conc_r, conc_c, response).",
    ),
    out: Path = typer.Option(..., "-o", "--out", help=OUT_HELP),
    a: str | None = typer.Option(None, "--a", help="First drug of the pair to score."),
    b: str | None = typer.Option(None, "--b", help="Second drug of the pair to score."),
    method: str | None = typer.Option(
        None, "--method", help="Comma-separated scores: ci,bliss,hsa,loewe,zip (default all)."
    ),
    response: str = typer.Option(
        "viability", "--response", help=f"SynergyFinder response scale: {' | '.join(RESPONSES)}."
    ),
    unit: str = typer.Option("uM", "--unit", help="Concentration unit of a tidy table's conc_a/b."),
    seed: int = typer.Option(0, "--seed", help="Seed of the null simulation and the bootstrap."),
    n_null: int = typer.Option(
        N_NULL,
        "--n-null",
        help="Null plates per block for the calibrated call, at most: 39 first, all only "
        "where the call is still open (0 = off).",
    ),
    n_boot: int = typer.Option(
        200,
        "--n-boot",
        min=0,
        help="0 = no CI interval; else the bootstrap resamples it uses with --ci-dx ll4/auto "
        "(the default interval is analytic).",
    ),
    interval: str = typer.Option(
        "delta",
        "--interval",
        help="CI interval: delta (analytic, default) | bootstrap (--n-boot parametric resamples).",
    ),
    alpha: float = typer.Option(ALPHA, "--alpha", help="Significance level of the call."),
    ci_dx: str = typer.Option(
        "median", "--ci-dx", help="Single-drug Dx of the CI: median | ll4 | auto."
    ),
    call_on: str | None = typer.Option(
        None, "--call-on", help="Statistic of the call: ci_gmean (default), ci_mean, bliss, ..."
    ),
    figures: bool = typer.Option(True, "--figures/--no-figures", help="Write figures + report."),
    table_format: str | None = table_format_option(),
    db: str | None = db_option(),
    jobs: int = jobs_option(),
    scheduler: str | None = scheduler_option(),
) -> None:
    """Score drug combinations: Chou-Talalay CI, Bliss, HSA, Loewe, ZIP and calibrated calls.

    A block that cannot be scored (or whose fits fail) is a row with fit_ok False and a message;
    the command ends with "N scored, M flagged".
    """
    from tallrx._atomic import atomic_dir, save_table
    from tallrx._result import json_safe
    from tallrx.analysis.synergy import score_synergy

    ext = check_table_format(table_format, db=db) or "csv"
    table = _read_input(input, response, unit)
    with on_cluster(jobs, scheduler), progress("scoring combination blocks", unit="blocks"):
        result = score_synergy(
            table,
            a=a,
            b=b,
            methods=method,
            response=response,
            seed=seed,
            n_null=n_null,
            n_boot=n_boot,
            interval=interval,
            alpha=alpha,
            ci_dx=ci_dx,
            call_on=call_on,
            where=str(input),
        )
    figs = {}
    if figures:
        from tallrx.report.synergy import synergy_figures

        figs = synergy_figures(result)
    with atomic_dir(out) as tmp:
        save_table(result.table, tmp / f"combinations.{ext}", ext)
        save_table(result.extra["surface"], tmp / f"surface.{ext}", ext)
        save_table(result.extra["median_effect"], tmp / f"median_effect.{ext}", ext)
        (tmp / "meta.json").write_text(
            json.dumps(json_safe(dict(result.meta)), indent=2), encoding="utf-8"
        )
        if figures:
            from tallrx.report.html import render_report
            from tallrx.report.synergy import synergy_section

            (tmp / "figures").mkdir()
            for name, fig in figs.items():
                fig.savefig(tmp / "figures" / f"{name}.png", dpi=150, bbox_inches="tight")
            render_report("tallrx synergy", [synergy_section(result, figs)], tmp / "report.html")
    ok = result.table["fit_ok"].astype(bool)
    say_summary(int(ok.sum()), int((~ok).sum()), f"{out}/")
    record_run(db, out, "synergy", [input])
