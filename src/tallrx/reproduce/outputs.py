"""Writing a run's outputs: claims.json, tables/*.csv, meta.json, the sensitivity and the
posterior-draw tables."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tallrx import __version__
from tallrx._atomic import write_csv, write_text
from tallrx._result import json_safe
from tallrx.reproduce.claims import Claim, Verdict
from tallrx.reproduce.experiments import ExperimentRun

__all__ = ["ReproduceResult", "claim_records", "write_outputs"]


@dataclass(frozen=True)
class ReproduceResult:
    """Everything a run produced (the report renderer reads this)."""

    out: Path
    seed: int
    records: list[dict]
    verdicts: dict[int, Verdict]
    runs: dict[str, ExperimentRun]
    failures: dict[str, str]
    log: dict[str, dict]
    seconds: float = 0.0
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    sensitivity_runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    spread: float = 1.0
    draws: pd.DataFrame = field(default_factory=pd.DataFrame)
    draw_runs: pd.DataFrame = field(default_factory=pd.DataFrame)

    def held(self) -> dict[int, bool | None]:
        """Claim id -> held (None = not run)."""
        return {cid: v.held for cid, v in self.verdicts.items()}

    def claim_inputs(self, claim_id: int) -> dict[str, pd.DataFrame]:
        """The analysis tables claim ``claim_id`` was evaluated on, plus its figure extras."""
        for run in self.runs.values():
            if claim_id in run.claim_inputs:
                return {**run.claim_inputs[claim_id], **run.figure_inputs.get(claim_id, {})}
        return {}


#: how claims.json states the interval of ``held_fraction``
INTERVAL_METHOD = "Wilson score 95 % (binomial, over the draws in which the claim was evaluated)"


def _draw_fields(row: pd.Series) -> dict:
    """The claims.json fields of one claim over posterior draws."""
    return json_safe(
        {
            "n_draws": row["n_runs"] + row["n_not_run"],
            "n_draws_held": row["n_held"],
            "n_draws_not_run": row["n_not_run"],
            "held_fraction": row["fraction_held"],
            "held_fraction_interval": [row["fraction_held_low"], row["fraction_held_high"]],
            "held_fraction_interval_method": INTERVAL_METHOD,
        }
    )


def claim_records(
    verdicts: Mapping[int, Verdict],
    sensitivity: pd.DataFrame,
    claims: Sequence[Claim],
    draws: pd.DataFrame | None = None,
) -> list[dict]:
    """The claims.json records: id, figure, statement, rule, status, held, summary, evidence
    and, with a sensitivity run, its per-claim counts; with posterior draws, n_draws,
    held_fraction and held_fraction_interval."""
    out = []
    for claim in claims:
        rec = claim.record(verdicts[claim.id])
        if draws is not None and len(draws):
            rec |= _draw_fields(draws[draws["claim"] == claim.id].iloc[0])
        if len(sensitivity):
            row = sensitivity[sensitivity["claim"] == claim.id].iloc[0]
            rec["sensitivity"] = json_safe(
                {
                    "n_runs": row["n_runs"],
                    "n_held": row["n_held"],
                    "fraction_held": row["fraction_held"],
                    "n_not_run": row["n_not_run"],
                    "most_influential": row["most_influential"],
                }
            )
        out.append(rec)
    return out


def write_outputs(folder: Path, result: ReproduceResult, options: dict) -> None:
    """Write claims.json, tables/*.csv, the sensitivity tables and meta.json into ``folder``."""
    write_text(folder / "claims.json", json.dumps(result.records, indent=2) + "\n")
    for run in result.runs.values():
        for stem, table in run.tables.items():
            if isinstance(table, pd.DataFrame) and len(table.columns):
                write_csv(folder / "tables" / f"{stem}.csv", table)
    if len(result.sensitivity):
        write_csv(folder / "sensitivity.csv", result.sensitivity)
        write_csv(folder / "sensitivity_runs.csv", result.sensitivity_runs)
    if len(result.draws):
        write_csv(folder / "draws.csv", result.draws)
        write_csv(folder / "draws_runs.csv", result.draw_runs)
    meta = {
        "tallrx_version": __version__,
        "seed": result.seed,
        **options,
        "seconds": {k: round(v["seconds"], 2) for k, v in result.log.items()},
        "warnings": {k: v["warnings"] for k, v in result.log.items() if v["warnings"]},
        "n_warnings": {k: v["n_warnings"] for k, v in result.log.items()},
        "failures": result.failures,
        "claims": {str(c): v.status for c, v in result.verdicts.items()},
    }
    write_text(folder / "meta.json", json.dumps(json_safe(meta), indent=2) + "\n")
