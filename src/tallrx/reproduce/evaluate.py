"""Evaluating the claims on the analysis tables of the experiments that ran."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tallrx.reproduce.claims import CLAIMS, Claim, Verdict, not_run
from tallrx.reproduce.experiments import EXPERIMENTS, ExperimentRun
from tallrx.reproduce.runner import failure_reason

__all__ = ["evaluate_claims"]


def _source(claim: Claim, experiments: Mapping) -> str:
    """The key of the experiment that feeds ``claim``."""
    return next(k for k, (_, _, ids) in experiments.items() if claim.id in ids)


def evaluate_claims(
    runs: Mapping[str, ExperimentRun],
    failures: Mapping[str, str],
    *,
    strict: bool = False,
    claims: Sequence[Claim] | None = None,
    experiments: Mapping | None = None,
) -> dict[int, Verdict]:
    """Evaluate every claim on the analysis tables of its experiment (not run when it failed).

    ``claims`` (default :data:`tallrx.reproduce.claims.CLAIMS`) and ``experiments`` (default
    :data:`tallrx.reproduce.experiments.EXPERIMENTS`) name what to evaluate and where from.

    Returns
    -------
    dict
        Claim id -> :class:`~tallrx.reproduce.claims.Verdict` (held, evidence, summary).
    """
    claims = CLAIMS if claims is None else claims
    experiments = EXPERIMENTS if experiments is None else experiments
    verdicts = {}
    for claim in claims:
        key = _source(claim, experiments)
        run = runs.get(key)
        if run is None:
            verdicts[claim.id] = not_run(
                f"experiment '{key}' ({experiments[key][1]}) did not run: "
                f"{failures.get(key, 'unknown reason')}"
            )
            continue
        inputs = run.claim_inputs.get(claim.id, {})
        missing = [name for name in claim.inputs if name not in inputs]
        if missing:
            verdicts[claim.id] = not_run(f"no {', '.join(missing)} table from experiment '{key}'")
            continue
        try:
            verdicts[claim.id] = claim.evaluate(**{n: inputs[n] for n in claim.inputs})
        except Exception as exc:
            if strict:
                raise
            verdicts[claim.id] = not_run(f"evaluation failed: {failure_reason(exc)}")
    return verdicts
