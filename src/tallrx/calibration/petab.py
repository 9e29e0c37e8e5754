"""The shipped calibration targets as a PEtab v1 problem (``tallrx model petab -o DIR``).

:mod:`tallrx.model.petab_export` writes PEtab from measurements in model terms; this module
turns the rows of ``calibration_targets.csv`` into such measurements where PEtab can state them,
and lists the others with the reason (README.md beside the tables).

What PEtab v1 can state: one observable (a formula over SBML ids) of one simulation condition
at one time, with a normal or Laplace likelihood. So:

- an interval target on a single-condition observable becomes one measurement at the interval's
  geometric centre, on the log10 scale (``observableTransformation: log10``), with noise sd
  ``sqrt(h**2 / 3 + tol**2)`` in log10 units (``h`` the interval's half-width in log10,
  ``tol`` the target's tolerance): the normal distribution with the variance of tallrx's
  flat-inside, Gaussian-outside target (a uniform over the interval blurred by the tolerance);
- one-sided bounds, ratios of two simulation conditions, AUC folds over dose curves, cohort
  shares and combination indices cannot be stated and are listed with the reason.

Protocol: tallrx brings each line (genotype, doxycycline) untreated to steady state with viable
cells held at 1, then adds IL7 and drugs at t = 0. In the exported SBML, ``Viable`` grows as
``(k_prolif - hazard) * Viable`` and has no steady state, so the preequilibration condition sets
``k_prolif = 0`` (``Viable`` decays to 0 and every state settles) and the simulation condition
sets ``Viable = 1`` and ``k_prolif`` back to its value: the same protocol in PEtab terms.
"""

from __future__ import annotations

import logging
import math
import warnings
from pathlib import Path

import pandas as pd

from tallrx.calibration.observables import PRED_250_UG_ML_UM
from tallrx.calibration.targets import TARGETS_FILE, load_targets
from tallrx.errors import InputError, InternalError
from tallrx.model.genotypes import GENOTYPE_FLAGS
from tallrx.model.petab_export import Measurement

__all__ = ["petab_measurements", "export_problem"]

#: observables of calibration_targets.csv that are one SBML formula of one condition
SINGLE_CONDITION = {"BIM_mRNA": "BIM_mRNA"}
#: observables that summarize a virtual cohort, with the reason PEtab cannot state them
_COHORT = (
    "a statistic over a cohort of virtual patients (each its own parameter set); a PEtab "
    "measurement is one condition of one parameter set"
)
_REASONS = {
    "auc_prednisolone": (
        "a fold of two AUCs, each an integral over a 9-dose prednisolone curve (+dox and -dox "
        "lines); a PEtab observable is one condition at one time"
    ),
    "ci": (
        "a combination index: derived from fitted dose-responses of both single agents and the "
        "combination (many conditions, a fit), not one simulated quantity"
    ),
    "pERK": "a ratio of two simulation conditions (+dox / -dox); PEtab v1 observables see one",
    "BIM_bound_BCL2": "a ratio of two simulation conditions; PEtab v1 observables see one",
    "BIM_bound_BCLXL": "a ratio of two simulation conditions; PEtab v1 observables see one",
    "BIM_bound_MCL1": "a ratio of two simulation conditions; PEtab v1 observables see one",
}
_ONE_SIDED = (
    "a one-sided bound; PEtab v1 likelihoods are normal or Laplace around a value"
)


def _line(genotype: str, dox: int) -> dict[str, float]:
    flag = GENOTYPE_FLAGS[genotype]
    return {"dox": float(dox), **({flag: 1.0} if flag else {})}


def _reason(row: pd.Series) -> str | None:
    """Why target ``row`` cannot be a PEtab measurement (None: it can)."""
    if str(row["context"]).startswith("shipped PDX cohort") or row["comparison"] == "binomial":
        return _COHORT
    if row["observable"] in _REASONS:
        reason = _REASONS[row["observable"]]
        two_sided = str(row["comparison"]).endswith("interval_log10")
        return reason + ("" if two_sided else "; and " + _ONE_SIDED)
    if row["observable"] not in SINGLE_CONDITION:
        return f"observable {row['observable']!r} has no SBML formula in this export"
    if row["comparison"] != "interval_log10":
        return _ONE_SIDED
    return None


def petab_measurements() -> tuple[list[Measurement], pd.DataFrame]:
    """Measurements of the targets PEtab can state, and a table (target, figure, reason) of
    those it cannot."""
    from tallrx.model import NETWORK
    from tallrx.reproduce import design as D

    k_prolif = float(NETWORK.parameter("k_prolif").value)
    out, left = [], []
    for _, r in load_targets().iterrows():
        why = _reason(r)
        if why is not None:
            left.append({"target": r["target"], "figure": r["figure"], "reason": why})
            continue
        lo, hi, tol = float(r["lower"]), float(r["upper"]), float(r["tolerance"])
        half = (math.log10(hi) - math.log10(lo)) / 2
        sd = math.sqrt(half**2 / 3 + tol**2)
        for g in D.QPCR_LINES:  # BIM qPCR lines (Fig. 3A-B, -dox), each a measurement
            line = _line(g, 0)
            out.append(
                Measurement(
                    r["target"],
                    SINGLE_CONDITION[r["observable"]],
                    math.sqrt(lo * hi),
                    sd,
                    float(r["hours"]),
                    {**line, "prednisolone": PRED_250_UG_ML_UM, "k_prolif": k_prolif,
                     "Viable": 1.0},
                    preequilibration={**line, "prednisolone": 0.0, "k_prolif": 0.0},
                    transformation="log10",
                )
            )
    return out, pd.DataFrame(left, columns=["target", "figure", "reason"])


def _readme(measurements: list[Measurement], left: pd.DataFrame) -> str:
    stated = sorted({m.observable_id for m in measurements})
    lines = [
        "# tallrx calibration problem in PEtab v1",
        "",
        f"Written by `tallrx model petab` from `{TARGETS_FILE}` (the targets of "
        "`tallrx model calibrate`). Lint: `petablint -y problem.yaml`.",
        "",
        "## Targets in the tables",
        "",
    ]
    for t in stated:
        ms = [m for m in measurements if m.observable_id == t]
        lines.append(
            f"- `{t}`: {len(ms)} measurement(s) of `{ms[0].observable}` at {ms[0].time:g} h, "
            f"value {ms[0].value:.3g} (geometric centre of the interval), log10 scale, noise sd "
            f"{ms[0].sd:.3g} log10 units = sqrt(half-width^2 / 3 + tolerance^2): the normal "
            "distribution with the variance of tallrx's flat-inside, Gaussian-outside target. "
            "tallrx scores the median over the lines; here each line is its own measurement."
        )
    lines += ["", "## Targets PEtab cannot state", "", "| target | figure | reason |",
              "|---|---|---|"]
    lines += [f"| {r.target} | {r.figure} | {r.reason} |" for r in left.itertuples()]
    lines += [
        "",
        "## Pre-equilibration: tallrx's engine vs PEtab simulators",
        "",
        "tallrx brings each line (genotype flag, doxycycline) untreated to steady state with "
        "viable cells held at 1, then adds IL7 and drugs at t = 0; fold observables divide by "
        "the uninduced untreated steady state of the same line. In the SBML, `Viable` grows as "
        "(k_prolif - hazard) * Viable and never settles, so a PEtab simulator's "
        "preequilibration (steady state of every state) would not converge. The "
        "preequilibration conditions therefore set `k_prolif = 0` (Viable decays to 0, every "
        "state settles) and each simulation condition sets `Viable = 1` and `k_prolif` back to "
        "its value: the same protocol. `BIM_mRNA` is 1 at the untreated steady state by "
        "construction, so it is already the fold tallrx reports.",
        "",
        "The estimated parameters (`parameters.tsv`) are the uncertain kinetic and level "
        "parameters with their stated bounds; tallrx's own calibration uses more targets "
        "(those above that PEtab cannot state), so a PEtab fit is less constrained.",
        "",
    ]
    return "\n".join(lines)


def export_problem(out: str | Path) -> dict:
    """Write the PEtab problem and README.md into the new folder ``out`` (atomically).

    Returns
    -------
    dict
        ``problem`` (path of problem.yaml), ``measurements``, ``stated`` (targets in the tables),
        ``left`` (number of targets listed in README.md as not stated). The petab linter has
        found no error (else InternalError, and nothing is written).
    """
    from tallrx._atomic import atomic_dir
    from tallrx.model.petab_export import PROBLEM_FILE, lint, write_petab

    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(
            f"{out}: exists and is not an empty folder; the PEtab export writes a new folder "
            "and never overwrites, so give a new (or empty) folder path"
        )
    measurements, left = petab_measurements()
    with atomic_dir(out) as tmp, warnings.catch_warnings():
        # petab's own pandas deprecations and its warning on the (absent, optional)
        # visualization table are not the user's concern; lint errors still log
        warnings.filterwarnings("ignore", module=r"petab(\.|$)")
        logging.getLogger("petab").setLevel(logging.ERROR)
        write_petab(tmp, measurements)
        (tmp / "README.md").write_text(_readme(measurements, left), encoding="utf-8")
        if lint(tmp / PROBLEM_FILE):  # pragma: no cover - the export is linted in the tests
            raise InternalError("the exported PEtab problem failed the petab linter")
    return {
        "problem": Path(out) / PROBLEM_FILE,
        "measurements": len(measurements),
        "stated": sorted({m.observable_id for m in measurements}),
        "left": len(left),
    }
