"""`tallrx reproduce`: the paper's experiments in silico, each claim held / not held, one report.

Exit code 0 whenever it ran: a claim that does not hold (or could not be run) is a finding,
reported in claims.json and report.html, not an error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tallrx.cli._app import (
    DB_HELP,
    OUT_HELP,
    app,
    jobs_option,
    on_cluster,
    out_console,
    progress,
    record_run,
    say,
    scheduler_option,
)
from tallrx.errors import InputError


def _held_text(rec: dict) -> str:
    """'held in 45 of 50 posterior draws: 90 % (95 % CI 79-96 %)' for one claims.json record."""
    n, frac = rec["n_draws"], rec["held_fraction"]
    if frac is None:
        return f"not evaluated in any of {n} posterior draws"
    low, high = rec["held_fraction_interval"]
    return (
        f"held in {rec['n_draws_held']} of {n - rec['n_draws_not_run']} evaluated posterior draws"
        f": {100 * frac:.0f} % (Wilson 95 % CI {100 * low:.0f}-{100 * high:.0f} %)"
    )


@app.command("reproduce")
def reproduce_command(
    out: Annotated[Path, typer.Option("-o", "--out", help=OUT_HELP)],
    seed: Annotated[
        int, typer.Option("--seed", help="Measurement-noise seed (same seed, identical tables).")
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print claims.json to stdout.")] = False,
    sensitivity: Annotated[
        int,
        typer.Option(
            "--sensitivity",
            help="Also rerun with N parameter sets sampled within the "
            "model's stated ranges; report per claim the fraction of runs in which it holds.",
        ),
    ] = 0,
    spread: Annotated[
        float,
        typer.Option(
            "--spread",
            help="With --sensitivity: fraction (0-1] of each parameter's stated range "
            "to sample around its nominal value (1 = the whole range).",
        ),
    ] = 1.0,
    draws: Annotated[
        int,
        typer.Option(
            "--draws",
            help="Also rerun with N parameter sets resampled (by weight, with --seed) from the "
            "calibration posterior; claims.json gains held_fraction and its Wilson 95 % interval.",
        ),
    ] = 0,
    posterior: Annotated[
        Path | None,
        typer.Option(
            "--posterior",
            help="With --draws: posterior.csv to draw from (weight + one column per model "
            "parameter, as tallrx model calibrate writes it); default the shipped posterior.",
        ),
    ] = None,
    jobs: int = jobs_option(),
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    scheduler: str | None = scheduler_option(),
) -> None:
    """Re-derive the paper's eight claims on the mechanistic model (claims.json, report.html,
    tables/*.csv in OUT)."""
    if sensitivity < 0:
        raise InputError(
            f"--sensitivity {sensitivity}: expected a number of parameter sets >= 0"
            " (0 = no sensitivity analysis, e.g. --sensitivity 20)"
        )
    if draws < 0:
        raise InputError(
            f"--draws {draws}: expected a number of posterior draws >= 0 (e.g. --draws 50)"
        )
    if posterior is not None and not draws:
        raise InputError(f"--posterior {posterior}: only used with --draws N (e.g. --draws 50)")
    if not 0 < spread <= 1:
        raise InputError(
            f"--spread {spread}: expected a fraction in (0, 1] of each parameter's stated range "
            "(e.g. --spread 0.2)"
        )
    if seed < 0:
        raise InputError(f"--seed {seed}: expected a non-negative integer (e.g. --seed 0)")
    from tallrx.report.reproduce import reproduce_report
    from tallrx.reproduce.run import n_steps

    # --jobs N > 1 / --scheduler: the experiment chains and parameter sets are Dask tasks
    with on_cluster(jobs, scheduler), progress(
        "reproducing van der Zwet et al. 2021 in silico", n_steps(sensitivity, draws)
    ) as step:
        result = reproduce_report(
            out,
            seed=seed,
            sensitivity=sensitivity,
            spread=spread,
            draws=draws,
            posterior=posterior,
            jobs=jobs,
            progress=lambda _label: step(1),
        )
    if as_json:
        out_console.print(
            json.dumps(result.records, indent=2), markup=False, highlight=False, soft_wrap=True
        )
    held = result.held()
    n_held = sum(v is True for v in held.values())
    n_not = sum(v is False for v in held.values())
    n_skip = sum(v is None for v in held.values())
    say(
        f"{n_held} of {len(held)} claims held, {n_not} not held, {n_skip} not run "
        f"({result.seconds:.0f} s)."
    )
    for rec in result.records:
        say(f"  claim {rec['id']} ({rec['figure']}): {rec['status']} - {rec['summary']}")
        if "held_fraction" in rec:
            say(f"    {_held_text(rec)}")
    say(f"report: {Path(out) / 'report.html'}  (claims.json, tables/ beside it)")
    record_run(db, Path(out), "reproduce")
