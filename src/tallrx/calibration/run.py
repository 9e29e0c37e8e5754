"""The calibration run (``tallrx model calibrate``): tempered SMC in two stages, then the outputs.

1. **Line stage**: tempered SMC (:func:`.smc.smc`) from the prior to prior x L_lines, the
   SUPT-1 line targets (:func:`.observables.line_observables`, ~0.2 s per parameter set).
2. **Cohort stage**: the final population tempered on (:func:`.smc.temper`) from
   prior x L_lines to prior x L_lines x L_cohort, the cohort targets
   (:func:`.observables.cohort_observables`, ~1 s per parameter set for the 46 patients) and,
   with ``combination_targets``, the Fig. 5C combination indices
   (:func:`.observables.combination_observables`, 12 patients x 2 matrices +IL7), with
   at most ``cohort_steps`` steps; if beta has not reached 1 by then, the last population is
   importance-reweighted to beta = 1 and that ESS is reported. Each move simulates the lines and
   the cohort again, so the cohort stage costs ~5x a line step: spending most steps on the cheap
   targets is why there are two stages.

Outputs (written atomically into OUT/): posterior.csv, targets.csv, ppc.png, diagnostics.json,
identifiability.csv, meta.json.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tallrx import progress
from tallrx.calibration.likelihood import total_log_likelihood
from tallrx.calibration.observables import (
    COHORT_TARGETS,
    COMBINATION_TARGETS,
    cohort_observables,
    combination_observables,
    combination_patients,
    line_observables,
)
from tallrx.calibration.outputs import identifiability, posterior_table, write_posterior
from tallrx.calibration.prior import calibration_prior
from tallrx.calibration.smc import SMCResult, smc, temper
from tallrx.calibration.targets import TARGETS_FILE, load_targets, log_likelihood
from tallrx.calibration.weighted import weighted_quantiles
from tallrx.errors import InputError

__all__ = ["Settings", "calibrate", "predictive_table"]

OUTPUTS = ("posterior.csv", "targets.csv", "ppc.png", "diagnostics.json", "identifiability.csv",
           "meta.json")


@dataclass(frozen=True)
class Settings:
    """Run settings (defaults: the shipped posterior's run; ``quick``: a < 1 min smoke run)."""

    particles: int = 64
    moves: int = 2  # fewest Metropolis moves per step; more until the particles have moved:
    line_max_moves: int = 6  # ... at most this many per line step (~0.2 s per parameter set)
    cohort_max_moves: int = 2  # ... and per cohort step (~1.2 s per parameter set)
    unmoved: float = 0.05  # ... i.e. until at most this share has not moved since resampling
    seed: int = 0
    spread: float = 0.3
    cohort_steps: int = 4
    cohort_samples: int = 0  # 0 = every patient of the shipped cohort
    line_steps: int = 50
    combination_targets: bool = True  # the Fig. 5C CI targets in stage 2
    combination_samples: int = 0  # patients per combination group; 0 = all (6 + 6)

    @classmethod
    def quick_settings(cls, **kw: Any) -> Settings:
        """Tiny run for tests: 16 particles, 1 move, 3 + 1 steps, 6 patients (1 + 1 for the
        combinations)."""
        base = dict(particles=16, moves=1, line_max_moves=1, cohort_max_moves=1, line_steps=3,
                    cohort_steps=1, cohort_samples=6, combination_samples=1)
        return cls(**(base | kw))


def _check(s: Settings) -> None:
    if s.particles < 8:
        raise InputError(f"--particles {s.particles}: expected at least 8 particles")
    if s.moves < 1:
        raise InputError(f"--moves {s.moves}: expected at least 1 Metropolis move per step")
    if not 0 <= s.seed < 2**32:
        raise InputError(f"--seed {s.seed}: expected a whole number from 0 to {2**32 - 1}")


def _cohort(samples: int) -> pd.DataFrame:
    """The shipped cohort, or a fixed subsample of ``samples`` patients spread over it."""
    from tallrx.model.virtual.cohort import load_cohort

    c = load_cohort()
    if 0 < samples < len(c):
        c = c.iloc[np.linspace(0, len(c) - 1, samples).round().astype(int)]
    return c.reset_index(drop=True)


def predictive_table(targets: pd.DataFrame, obs: pd.DataFrame, weights: np.ndarray) -> pd.DataFrame:
    """Per target: the target, its posterior predictive median and 5-95 % (weighted over the
    particles), the weighted share of particles inside [lower, upper] and the weighted mean
    log-likelihood; targets without an observable column are listed with ``simulated`` False."""
    w = np.asarray(weights, float) / np.sum(weights)
    rows = []
    for _, t in targets.iterrows():
        row = {k: t[k] for k in ("target", "figure", "value", "lower", "upper", "comparison",
                                 "tolerance")}
        name = t["target"]
        row["simulated"] = name in obs
        if name in obs:
            x = obs[name].to_numpy(float)
            q05, q50, q95 = weighted_quantiles(x, w, [0.05, 0.5, 0.95])
            lo = float(t["lower"]) if pd.notna(t["lower"]) else -np.inf
            hi = float(t["upper"]) if pd.notna(t["upper"]) else np.inf
            inside = (x >= lo) & (x <= hi)
            ll = log_likelihood(t, x)
            row |= {"median": q50, "q05": q05, "q95": q95,
                    "share_inside": float(np.clip(np.sum(w * inside), 0.0, 1.0)),
                    "loglik": float(np.sum(w * np.where(np.isfinite(ll), ll, -1e6)))}
        else:
            row |= dict.fromkeys(("median", "q05", "q95", "share_inside", "loglik"), np.nan)
        rows.append(row)
    return pd.DataFrame(rows)


def _ppc_figure(path: Path, obs: pd.DataFrame, weights: np.ndarray, table: pd.DataFrame) -> None:
    """One panel per simulated target: weighted predictive histogram vs the target band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = table[table["simulated"]].reset_index(drop=True)
    ncol = 5
    nrow = int(np.ceil(len(rows) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.2 * ncol, 2.4 * nrow), squeeze=False)
    for ax in axes.ravel()[len(rows):]:
        ax.axis("off")
    for ax, (_, t) in zip(axes.ravel(), rows.iterrows(), strict=False):
        x = obs[t["target"]].to_numpy(float)
        ok = np.isfinite(x)
        log = t["comparison"].endswith("_log10") and (x[ok] > 0).all()
        xs = np.log10(x[ok]) if log else x[ok]
        if len(xs):
            ax.hist(xs, bins=15, weights=weights[ok], color="0.5")
        lo = t["lower"] if pd.notna(t["lower"]) else None
        hi = t["upper"] if pd.notna(t["upper"]) else None
        tr = (lambda v: np.log10(v)) if log else (lambda v: v)
        edges = [tr(v) for v in (lo, hi) if v is not None and (not log or v > 0)]
        left, right = ax.get_xlim()
        if edges:  # show the whole band's edges next to the predictive
            pad = 0.1 * (max(right, *edges) - min(left, *edges))
            left, right = min(left, min(edges) - pad), max(right, max(edges) + pad)
        ax.axvspan(tr(lo) if lo is not None else left, tr(hi) if hi is not None else right,
                   color="tab:green", alpha=0.25, lw=0)
        ax.set_xlim(left, right)
        ax.set_title(t["target"], fontsize=7)
        ax.set_xlabel("log10 value" if log else "value", fontsize=7)
        ax.tick_params(labelsize=6)
        ax.set_yticks([])
    fig.suptitle("posterior predictive (grey) vs target band (green)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _targets_hash() -> str:
    ref = importlib.resources.files("tallrx") / "data" / "model" / TARGETS_FILE
    return hashlib.sha256(ref.read_bytes()).hexdigest()


def _stage(res: SMCResult) -> dict[str, Any]:
    return {"betas": res.betas, "ess": res.ess, "acceptance": res.acceptance,
            "proposal_scale": res.scale, "moves": res.moves, "moved_share": res.moved,
            "subset_coordinates": res.subset,
            "n_simulations": res.n_simulations, "final_reweight_ess": res.reweight_ess}


def calibrate(
    out_dir: str | Path,
    *,
    particles: int | None = None,
    moves: int | None = None,
    seed: int = 0,
    jobs: int = 1,
    client: Any = None,
    quick: bool = False,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Run the two-stage calibration (see module) and write its outputs into ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        Output folder (created; existing files of the same names are replaced atomically).
    particles, moves, seed
        SMC particles, fewest Metropolis moves per step, random seed (None: the settings'
        values).
    jobs : int
        Worker processes of the batched engine (in process for 1).
    client : dask.distributed.Client, optional
        Run the simulation chunks on this Dask client.
    quick : bool
        The tiny smoke-test run (:meth:`Settings.quick_settings`).
    settings : Settings, optional
        Every setting at once (overrides ``quick``).

    Returns
    -------
    dict
        The diagnostics (also written to diagnostics.json).
    """
    import contextlib

    from tallrx import __version__
    from tallrx._atomic import atomic_dir

    kw = {k: v for k, v in (("particles", particles), ("moves", moves)) if v is not None}
    kw["seed"] = seed
    if settings is None:
        settings = Settings.quick_settings(**kw) if quick else Settings(**kw)
    _check(settings)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: is an existing file; give a folder for the calibration outputs")
    s = settings
    targets = load_targets()
    prior = calibration_prior(s.spread)
    cohort = _cohort(s.cohort_samples)
    from tallrx.calibration.observables import line_targets

    line_t = targets[targets["target"].isin(line_targets())]
    stage2 = list(COHORT_TARGETS) + (list(COMBINATION_TARGETS) if s.combination_targets else [])
    cohort_t = targets[targets["target"].isin(stage2)]
    combo = combination_patients(per_group=s.combination_samples)
    rng = np.random.default_rng(np.random.SeedSequence([s.seed, 0xCA1B]))
    t0 = time.perf_counter()

    def lines(x: np.ndarray) -> pd.DataFrame:
        return line_observables(prior.to_parameters(x), jobs=jobs)

    def line_ll(x: np.ndarray) -> np.ndarray:
        obs = lines(x)
        progress.advance(len(x))
        return total_log_likelihood(obs, line_t)

    names = list(line_t["target"]) + stage2
    # subset moves step on the prior's own sd (uniform in transformed space), reflected into it
    mh = {"moves": s.moves, "unmoved": s.unmoved, "bounds": (prior.low, prior.high),
          "prior_sd": (prior.high - prior.low) / np.sqrt(12.0)}

    def both(x: np.ndarray):
        lo = lines(x)
        p = prior.to_parameters(x)
        co = cohort_observables(p, cohort=cohort, jobs=jobs)
        if s.combination_targets:
            co = pd.concat([co, combination_observables(p, cohort=combo, jobs=jobs)], axis=1)
        aux = pd.concat([lo.reset_index(drop=True), co], axis=1)[names].to_numpy(float)
        return total_log_likelihood(co, cohort_t), total_log_likelihood(lo, line_t), aux

    with contextlib.ExitStack() as stack:
        if client is not None:
            from tallrx import parallel
            from tallrx.model.simulate import mapping

            stack.enter_context(mapping(parallel.mapper(client)))
        with progress.task("calibration: line targets (SMC)", unit="parameter sets"):
            first = smc(prior.sample, prior.log_density, line_ll, s.particles, rng,
                        max_moves=s.line_max_moves, max_steps=s.line_steps, **mh)
        with progress.task("calibration: cohort targets", unit="parameter sets"):
            x0 = first.x
            if first.reweight_ess is not None:  # start stage 2 from an equal-weight population
                x0 = x0[rng.choice(len(x0), size=len(x0), p=first.weights)]
            second = temper(x0, both, prior.log_density, rng, max_moves=s.cohort_max_moves,
                            max_steps=s.cohort_steps, **mh)
    wall = time.perf_counter() - t0
    obs = pd.DataFrame(second.aux, columns=names)
    w = second.weights
    table = predictive_table(targets, obs, w)
    diag = {
        "seed": s.seed,
        "particles": s.particles,
        "moves": s.moves,
        "max_moves": {"lines": s.line_max_moves, "cohort": s.cohort_max_moves},
        "unmoved": s.unmoved,
        "stages": {"lines": _stage(first), "cohort": _stage(second)},
        "n_simulations": first.n_simulations + second.n_simulations,
        "wall_time_s": round(wall, 1),
        "posterior_ess": float(1 / np.sum((w / w.sum()) ** 2)),
        "unique_particles": int(len(np.unique(second.x, axis=0))),
    }
    meta = {
        "tallrx_version": __version__,
        "settings": s.__dict__ | {"jobs": jobs, "dask": client is not None, "quick": quick},
        "targets_file": TARGETS_FILE,
        "targets_sha256": _targets_hash(),
        "cohort_patients": len(cohort),
        "combination_patients": len(combo) if s.combination_targets else 0,
        "prior": "log-uniform (uniform for ranges from 0) on the stated ranges of "
                 "tallrx.reproduce.sensitivity.uncertain_parameters, narrowed to `spread`",
        "not_simulated": list(table.loc[~table["simulated"], "target"]),
    }
    with atomic_dir(out_dir) as tmp:
        write_posterior(posterior_table(prior, second.x, w), tmp / "posterior.csv")
        table.to_csv(tmp / "targets.csv", index=False)
        _ppc_figure(tmp / "ppc.png", obs, w, table)
        identifiability(prior, second.x, w).to_csv(tmp / "identifiability.csv", index=False)
        (tmp / "diagnostics.json").write_text(json.dumps(diag, indent=2), encoding="utf-8")
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
    return diag
