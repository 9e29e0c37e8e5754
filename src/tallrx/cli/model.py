"""CLI commands of the mechanistic model (registered on the shared app).

* ``tallrx simulate --genotype G [--dox] [--il7 NG_ML] [--drug NAME=CONC ...] [--hours 0.5,24,96]
  -o OUT.csv`` (one virtual well: long table time_h, observable, value + conditions);
* ``tallrx simulate EXPERIMENT.toml -o OUT/`` (plate-scale virtual experiments -> wells / blots /
  coip / qpcr / timecourse CSVs);
* ``tallrx cohort [--n 46] [--seed S] -o OUT/`` (virtual PDX cohort + its in-silico screen);
* ``tallrx model show`` and ``tallrx model export --sbml FILE``;
* ``tallrx model petab -o DIR`` (the calibration targets as a PEtab v1 problem).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from tallrx.cli._app import (
    OUT_HELP,
    app,
    db_option,
    jobs_option,
    model_app,
    model_on_cluster,
    out_console,
    parse_csv_list,
    progress,
    record_run,
    say,
    scheduler_option,
)
from tallrx.cli._defaults import COHORT_N, COHORT_SEED, ENGINES
from tallrx.errors import AnalysisError, InputError, InternalError, TallrxError, did_you_mean


def _parse_drug(text: str) -> tuple[str, float]:
    """'selumetinib=10' (uM) or 'prednisolone=250ug/ml' -> (drug, uM)."""
    from tallrx.model import normalize_drug
    from tallrx.units import to_um

    if "=" not in text:
        raise InputError(
            f"--drug {text!r}: expected NAME=CONC (uM, or with a unit such as "
            "prednisolone=250ug/ml)"
        )
    name, value = (s.strip() for s in text.split("=", 1))
    drug = normalize_drug(name, where=f"--drug {text}")
    number = value.rstrip("abcdefghijklmnopqrstuvwxyzµμABCDEFGHIJKLMNOPQRSTUVWXYZ/ ")
    unit = value[len(number) :].strip() or "uM"
    try:
        conc = float(to_um(float(number), unit, drug=drug))
    except ValueError:
        raise InputError(
            f"--drug {text!r}: '{value}' is not a concentration (e.g. 10, 2uM, 250ug/ml)"
        ) from None
    if not conc >= 0 or conc == float("inf"):
        raise InputError(f"--drug {text!r}: concentrations must be finite and >= 0 (uM)")
    return drug, conc


def _parse_params(items: list[str]) -> dict[str, float]:
    from tallrx.model import NETWORK

    out = {}
    for it in items:
        if "=" not in it:
            raise InputError(
                f"--param {it!r}: expected NAME=VALUE (a model parameter, see tallrx model show)"
            )
        k, v = (s.strip() for s in it.split("=", 1))
        try:
            NETWORK.parameter(k)
        except TallrxError as exc:
            raise InputError(f"--param {it!r}: {exc}") from None
        try:
            out[k] = float(v)
        except ValueError:
            raise InputError(f"--param {it!r}: '{v}' is not a number") from None
        if out[k] != out[k] or abs(out[k]) == float("inf"):
            raise InputError(f"--param {it!r}: expected a finite number")
    return out


@app.command("simulate")
def simulate_command(
    experiment: Path | None = typer.Argument(
        None, help="Experiment TOML (plate-scale virtual experiment); omit for one well."
    ),
    out: Path = typer.Option(
        ..., "-o", "--out", help="OUT.csv for one well; a folder for an experiment."
    ),
    genotype: str | None = typer.Option(
        None,
        "--genotype",
        "-g",
        help="SUPT-1 line, e.g. NRAS_G12D (see tallrx model show --what genotypes).",
    ),
    dox: bool = typer.Option(False, "--dox", help="Induce the transgene with doxycycline."),
    il7: float = typer.Option(0.0, "--il7", help="IL7 in ng/ml (paper: 25)."),
    drug: list[str] = typer.Option(
        [],
        "--drug",
        help="NAME=CONC in uM (or with a unit, e.g. prednisolone=250ug/ml); repeatable.",
    ),
    hours: str = typer.Option("0.5,24,96", "--hours", help="Output times in hours."),
    param: list[str] = typer.Option(
        [], "--param", help="Override a model parameter: NAME=VALUE; repeatable."
    ),
    observables: str | None = typer.Option(
        None, "--observables", help="Comma-separated observables (default all)."
    ),
    engine: str = typer.Option("roadrunner", "--engine", help=f"Engine: {', '.join(ENGINES)}."),
    db: str | None = db_option(),
    jobs: int = jobs_option(),
    scheduler: str | None = scheduler_option(),
) -> None:
    """Simulate one virtual well, or a plate-scale experiment from a TOML file."""
    from tallrx._atomic import write_csv
    from tallrx.model import normalize_genotype, simulate
    from tallrx.model.experiment import write_experiment
    from tallrx.model.simulate import check_hours

    if experiment is not None:
        if genotype or drug or dox or il7:
            raise InputError(
                "give either an EXPERIMENT.toml or --genotype/--dox/--il7/--drug, not both"
            )
        with model_on_cluster(jobs, scheduler), progress("simulating virtual wells", unit="wells"):
            written = write_experiment(
                experiment, out, engine="batched" if engine == "roadrunner" else engine
            )
        for name, path in written.items():
            say(f"wrote {path} ({name})")
        record_run(db, out, "simulate", [experiment])
        return
    if genotype is None:
        raise InputError(
            "tallrx simulate needs --genotype G (e.g. NRAS_G12D) or an EXPERIMENT.toml file"
        )
    g = normalize_genotype(genotype, where="--genotype")
    drugs = dict(_parse_drug(d) for d in drug)
    try:
        times = [float(h) for h in parse_csv_list(hours) or []]
    except ValueError:
        raise InputError(
            f"--hours {hours!r}: expected comma-separated hours, e.g. 0.5,24,96"
        ) from None
    times = list(check_hours(times, where=f"--hours {hours!r}"))
    res = simulate(
        g,
        dox=dox,
        il7=il7,
        drugs=drugs,
        hours=times,
        params=_parse_params(param),
        engine=engine,
        observables=parse_csv_list(observables),
    )
    if res.meta.get("n_failed"):
        raise AnalysisError(
            f"{g}{' +dox' if dox else ''}: {res.table['message'].iloc[0]} ({engine} engine); "
            "check the --param values against their ranges (tallrx model show --what "
            "parameters) or try another --engine"
        )
    write_csv(out, res.table)
    say(
        f"wrote {out} ({len(res.table)} rows: {g}{' +dox' if dox else ''}"
        f"{f', IL7 {il7:g} ng/ml' if il7 else ''}"
        f"{''.join(f', {k} {v:g} uM' for k, v in drugs.items())})"
    )
    record_run(db, out, "simulate")


#: largest virtual cohort of ``tallrx cohort`` (its screen simulates ~300 wells per sample)
MAX_COHORT = 10_000


@app.command("cohort")
def cohort_command(
    out: Path = typer.Option(..., "-o", "--out", help=OUT_HELP),
    n: int = typer.Option(COHORT_N, "--n", help="Number of virtual PDX samples."),
    seed: int = typer.Option(COHORT_SEED, "--seed", help="Random seed."),
    screen: bool = typer.Option(
        True, "--screen/--no-screen", help="Also write the in-silico screen (wells.csv)."
    ),
    regenerate: bool = typer.Option(
        False, "--regenerate", help="Regenerate even the shipped default cohort."
    ),
    jobs: int = jobs_option(),
    db: str | None = db_option(),
    scheduler: str | None = scheduler_option(),
) -> None:
    """Virtual PDX cohort matching the paper's statistics, and its screen (+/- IL7, 5 drugs)."""
    from tallrx._atomic import atomic_dir
    from tallrx._result import json_safe
    from tallrx.model.virtual import cohort as cohort_mod

    if not 6 <= n <= MAX_COHORT:
        raise InputError(f"--n {n}: a virtual cohort has 6 to {MAX_COHORT} samples")
    if not 0 <= seed < 2**32:
        raise InputError(f"--seed {seed}: expected a whole number from 0 to {2**32 - 1}")
    if jobs < 1:
        raise InputError(f"--jobs {jobs}: expected at least 1 worker process")
    with model_on_cluster(jobs, scheduler):
        shipped = n == cohort_mod.DEFAULT_N and seed == cohort_mod.DEFAULT_SEED and not regenerate
        if shipped:
            cohort = cohort_mod.load_cohort()
            say(f"using the shipped cohort ({n} samples, seed {seed})")
        else:
            say(f"generating a cohort of {n} (seed {seed}): drawing and screening it ...")
            with progress("generating the virtual cohort", unit="samples"):
                cohort = cohort_mod.generate_cohort(n, seed, jobs=jobs)
        summary = {
            "n": len(cohort),
            "seed": seed,
            "shipped": shipped,
            "pairs": int((cohort["pair"] != "").sum() // 2),
        }
        for flag in (
            "il7_responsive",
            "il7_dependent_resistant",
            "il7_independent_resistant",
            "ruxolitinib_responder",
            "mek_responder",
        ):
            summary[flag] = int(cohort[flag].astype(bool).sum())
        summary["il7_responsive_fraction"] = summary["il7_responsive"] / len(cohort)
        with atomic_dir(out) as tmp:
            cohort.to_csv(tmp / "cohort.csv", index=False)
            if screen:
                with progress("screening the virtual cohort", len(cohort), unit="samples"):
                    wells = cohort_mod.cohort_screen(cohort, seed=seed, jobs=jobs)
                wells.table.to_csv(tmp / "wells.csv", index=False)
                summary["wells"] = len(wells.table)
            (tmp / "summary.json").write_text(
                json.dumps(json_safe(summary), indent=2), encoding="utf-8"
            )
    say(
        f"wrote {out}/cohort.csv ({len(cohort)} samples; {summary['il7_responsive']} "
        f"IL7-responsive, {summary['mek_responder']} MEK-inhibitor responders)"
        + (f" and wells.csv ({summary['wells']} wells)" if screen else "")
    )
    record_run(db, out, "cohort")


SHOW = ("reactions", "parameters", "species", "rules", "genotypes", "all")


@model_app.command("show")
def show_command(
    what: str = typer.Option("all", "--what", help=f"One of {', '.join(SHOW)}."),
    grep: str | None = typer.Option(None, "--grep", help="Only rows containing this text."),
    csv: bool = typer.Option(False, "--csv", help="Print CSV instead of rich tables."),
) -> None:
    """Print the reaction table: species, rules, reactions and parameters (unit, range, source)."""
    import pandas as pd
    from rich.table import Table

    from tallrx.model import NETWORK
    from tallrx.model.genotypes import GENOTYPE_FLAGS, GENOTYPE_NOTES

    if what not in SHOW:
        raise InputError(
            f"--what {what!r}: expected one of {', '.join(SHOW)}.{did_you_mean(what, SHOW)}"
        )
    frames = {
        "species": NETWORK.species_frame(),
        "rules": NETWORK.rule_frame(),
        "reactions": NETWORK.reaction_frame(),
        "parameters": NETWORK.parameter_frame(),
        "genotypes": pd.DataFrame(
            {
                "genotype": list(GENOTYPE_FLAGS),
                "flag": [f or "" for f in GENOTYPE_FLAGS.values()],
                "note": [GENOTYPE_NOTES[g] for g in GENOTYPE_FLAGS],
            }
        ),
    }
    chosen = list(frames) if what == "all" else [what]
    for name in chosen:
        df = frames[name]
        if grep:
            mask = df.astype(str).apply(lambda c: c.str.contains(grep, case=False, regex=False))
            df = df[mask.any(axis=1)]
        if csv:
            out_console.print(df.to_csv(index=False), end="", markup=False)
            continue
        table = Table(title=f"{name} ({len(df)})", show_lines=False)
        for col in df.columns:
            table.add_column(str(col), overflow="fold")
        for row in df.itertuples(index=False):
            table.add_row(*(f"{v:g}" if isinstance(v, float) else str(v) for v in row))
        out_console.print(table)


@model_app.command("export")
def export_command(
    sbml: Path | None = typer.Option(None, "--sbml", help="Write SBML Level 3 here."),
    antimony: Path | None = typer.Option(None, "--antimony", help="Write Antimony text here."),
) -> None:
    """Export the model as SBML (validated with libsbml) and/or Antimony."""
    from tallrx._atomic import write_text
    from tallrx.model import NETWORK, to_antimony
    from tallrx.model.network.sbml import to_sbml, validate_sbml

    if sbml is None and antimony is None:
        raise InputError("tallrx model export needs --sbml FILE and/or --antimony FILE")
    if sbml is not None:
        text = to_sbml(NETWORK)
        errors = validate_sbml(text)
        if errors:  # pragma: no cover - the table is validated in the tests
            raise InternalError(f"generated SBML failed libsbml validation: {errors[0]}")
        write_text(sbml, text)
        say(
            f"wrote {sbml} (SBML L3, {len(NETWORK.species)} species, "
            f"{len(NETWORK.reactions)} reactions; libsbml: no errors)"
        )
    if antimony is not None:
        write_text(antimony, to_antimony())
        say(f"wrote {antimony} (Antimony)")


@model_app.command("petab")
def petab_command(
    out: Path = typer.Option(..., "-o", "--out", help="New (or empty) folder for the problem."),
) -> None:
    """Export the calibration problem in PEtab v1 (SBML + tables + problem.yaml + README.md)."""
    try:
        import petab  # noqa: F401
    except ImportError:
        raise InputError(
            "tallrx model petab needs the petab package: pip install petab "
            "(or pip install 'tallrx[test]')"
        ) from None
    from tallrx.calibration.petab import export_problem

    res = export_problem(out)
    say(
        f"wrote {res['problem']} (PEtab v1, petab linter: no errors; {res['measurements']} "
        f"measurements of {', '.join(res['stated'])}); {out}/README.md lists the "
        f"{res['left']} targets PEtab cannot state and why"
    )


@model_app.command("calibrate")
def calibrate_command(
    out: Path = typer.Option(..., "-o", "--out", help=OUT_HELP),
    particles: int | None = typer.Option(
        None, "--particles", help="SMC particles (parameter sets); default 64, 16 with --quick."
    ),
    moves: int | None = typer.Option(
        None, "--moves", help="Fewest Metropolis moves per SMC step (more until 95 % of the "
        "particles have moved, at most 6 per line step and 2 per cohort step); default 2, 1 "
        "with --quick."
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    quick: bool = typer.Option(
        False, "--quick", help="Smoke run (16 particles, few steps, 6 patients, 1 + 1 for the "
        "combination indices; < 1 min)."
    ),
    jobs: int = jobs_option(),
    db: str | None = db_option(),
    scheduler: str | None = scheduler_option(),
) -> None:
    """Calibrate the shared parameters to the cited targets (tempered SMC) -> posterior.csv,
    targets.csv, ppc.png, diagnostics.json, identifiability.csv, meta.json."""
    from tallrx.calibration.run import calibrate

    if jobs < 1:
        raise InputError(f"--jobs {jobs}: expected at least 1 worker process")
    say(f"calibrating (seed {seed}{', quick' if quick else ''}): line targets, then cohort and "
        "combinations ...")
    with model_on_cluster(jobs, scheduler) as client:
        diag = calibrate(out, particles=particles, moves=moves, seed=seed, jobs=jobs, quick=quick,
                         client=client)
    cohort = diag["stages"]["cohort"]
    say(
        f"wrote {out}/posterior.csv ({diag['particles']} particles, ESS "
        f"{diag['posterior_ess']:.1f}; cohort stage beta {cohort['betas'][-1]:.3g}"
        + (f", reweighted to 1 with ESS {cohort['final_reweight_ess']:.1f}"
           if cohort["final_reweight_ess"] is not None else "")
        + f"), targets.csv, ppc.png, diagnostics.json ({diag['n_simulations']} parameter-set "
        f"simulations, {diag['wall_time_s']:.0f} s)"
    )
    record_run(db, out, "model calibrate")
