"""CLI command: ``tallrx twin`` (registered on the shared app): per-patient digital twins.

Writes OUT/twin_parameters.csv, OUT/predicted_surface.csv, OUT/predicted_calls.csv,
OUT/meta.json, OUT/figures/*.png and OUT/report.html (one section per sample), atomically.
"""

from __future__ import annotations

from pathlib import Path

import typer

from tallrx.cli._app import OUT_HELP, app, db_option, progress, read_table, record_run, say
from tallrx.errors import InputError


def _check_sizes(**sizes: tuple[int, int]) -> None:
    for name, (value, low) in sizes.items():
        if value < low:
            raise InputError(
                f"--{name.replace('_', '-')} {value}: expected a whole number >= {low}"
            )


@app.command("twin")
def twin_command(
    viability: Path = typer.Argument(
        ..., help="The screen's viability.csv (sample, drug_a, conc_a in uM, il7, viability %)."
    ),
    sample: list[str] = typer.Option(
        ..., "--sample", help="Sample to twin (repeat the option for several; 'all' = every one)."
    ),
    out: Path = typer.Option(..., "-o", "--out", help=OUT_HELP),
    posterior: Path | None = typer.Option(
        None, "--posterior", help="Calibration posterior.csv (weight + parameter columns) as prior."
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed of the fit and the predictions."),
    library: int = typer.Option(
        512, "--library", help="Prior parameter sets simulated once for all samples."
    ),
    rounds: int = typer.Option(
        4, "--rounds", help="Adaptive importance-sampling rounds per sample."
    ),
    per_round: int = typer.Option(64, "--per-round", help="Parameter sets simulated per round."),
    draws: int = typer.Option(64, "--draws", help="Posterior draws behind each prediction."),
    n_null: int = typer.Option(
        99, "--n-null", help="Null plates per block of the calibrated synergy call (>= 19)."
    ),
    jobs: int = typer.Option(1, "--jobs", help="Worker processes of the simulations."),
    db: str | None = db_option(),
) -> None:
    """Fit a digital twin per sample to its single-agent dose-responses +/- IL7 and predict the
    unmeasured prednisolone x selumetinib matrix, its CI / Bliss / synergy call and the
    IL7-dependent resistance call, with 90 % prediction intervals."""
    from tallrx.cli._app import write_outputs
    from tallrx.model.twin.data import samples_of
    from tallrx.model.twin.prior import build_prior, read_posterior
    from tallrx.workflows.twin.run import Settings, twin_samples

    _check_sizes(
        library=(library, 8),
        rounds=(rounds, 0),
        per_round=(per_round, 8),
        draws=(draws, 4),
        n_null=(n_null, 19),
        jobs=(jobs, 1),
    )
    table = read_table(viability, "viability")
    where = str(viability)
    names = samples_of(table, where) if any(s.lower() == "all" for s in sample) else sample
    names = list(dict.fromkeys(names))
    if not names:
        raise InputError(f"{where}: no sample has usable single-agent wells")
    post = read_posterior(posterior) if posterior is not None else None
    settings = Settings(library, rounds, per_round, draws, n_null)
    with progress("building the twin prior"):
        prior = build_prior(post)
    res = twin_samples(
        table, names, prior=prior, seed=seed, settings=settings, jobs=jobs, where=where
    )
    from tallrx.report.twin import twin_sections

    sections = twin_sections(res)
    figures = {}
    for sec, s in zip(sections, res.fits, strict=True):
        for i, (_, fig) in enumerate(sec.figures):
            figures[f"{s}_{'fits' if i == 0 else 'surface'}"] = fig
    res.meta.update(input=str(viability), posterior=str(posterior) if posterior else None)
    write_outputs(
        out,
        {
            "twin_parameters": res.parameters,
            "predicted_surface": res.surface,
            "predicted_calls": res.calls,
        },
        figures,
        "tallrx twin",
        sections,
        meta=res.meta,
    )
    for r in res.calls.itertuples(index=False):
        say(
            f"{r.sample} IL7 {r.il7:g}: CI {r.ci_median:.2f} [{r.ci_lower:.2f}-{r.ci_upper:.2f}], "
            f"{r.synergy_call} (P {r.p_synergy:.2f} synergy); IL7-dependent resistant "
            f"P {r.p_il7_dependent_resistant:.2f}"
        )
    say(f"{len(names)} twin(s) written to {out}/")
    record_run(db, out, "twin", [p for p in (viability, posterior) if p is not None])
