"""PEtab export (tallrx.model.petab_export): the petab linter passes on the exported problem, it
fails on a broken one (so the check can fail), and the exported SBML simulated by libroadrunner
gives the batched engine's viability at one condition.
"""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("petab")

from tallrx.model.petab_export import FILES, Measurement, lint, write_petab  # noqa: E402

PRED_UM = 690.0  # 250 ug/ml prednisolone (M = 360.4 g/mol)


def _measurements():
    return [
        Measurement("bim_mrna", "BIM_mRNA", 5.5, 1.0, 24.0, {"prednisolone": PRED_UM}),
        Measurement("bim_mrna", "BIM_mRNA", 1.0, 0.2, 24.0, {}),
        Measurement("viable", "Viable", 0.4, 0.1, 72.0,
                    {"prednisolone": PRED_UM, "selumetinib": 1.0}),
    ]


def test_exported_problem_lints_with_zero_errors(tmp_path):
    problem = write_petab(tmp_path / "petab", _measurements())
    assert lint(problem) is False
    files = {p.name for p in (tmp_path / "petab").iterdir()}
    assert set(FILES.values()) | {"problem.yaml"} <= files
    conditions = pd.read_csv(tmp_path / "petab" / FILES["condition"], sep="\t")
    assert len(conditions) == 3  # control, prednisolone, prednisolone + selumetinib
    params = pd.read_csv(tmp_path / "petab" / FILES["parameter"], sep="\t")
    assert {"prednisolone", "selumetinib"}.isdisjoint(params["parameterId"])
    row = params.set_index("parameterId").loc["a_gr_bim"]  # stated range 3-9 in parameters.csv
    assert (row["lowerBound"], row["upperBound"], row["parameterScale"]) == (3.0, 9.0, "log10")


def test_linter_reports_a_broken_problem(tmp_path):
    bad = [Measurement("x", "NoSuchSpecies + 1", 1.0, 0.1, 1.0, {})]
    assert lint(write_petab(tmp_path / "bad", bad)) is True


def test_exported_sbml_matches_the_batched_engine(tmp_path):
    """Untreated cells brought to their steady phenotype, then 72 h of 250 ug/ml prednisolone:
    libroadrunner (CVODE) on the exported SBML vs the batched engine, viable cells relative to
    the start of treatment, within 1e-3 relative."""
    roadrunner = pytest.importorskip("roadrunner")
    from tallrx.model.simulate import simulate_batch

    write_petab(tmp_path / "petab", _measurements())
    rr = roadrunner.RoadRunner(str(tmp_path / "petab" / FILES["sbml"]))
    rr.integrator.relative_tolerance = 1e-8
    rr.integrator.absolute_tolerance = 1e-10
    rr.simulate(0, 5000, 2)  # pre-equilibrate untreated (the engine's protocol)
    v0 = rr["Viable"]
    rr["prednisolone"] = PRED_UM
    t0 = rr.model.getTime()
    rr.simulate(t0, t0 + 72, 2)
    batched = simulate_batch(
        pd.DataFrame({"prednisolone": [PRED_UM]}), hours=[72], observables=["viable_cells"],
        engine="batched",
    ).table["value"].iloc[0]
    assert 0.05 < batched < 0.95  # a real response, not a trivial all-dead / no-effect case
    assert rr["Viable"] / v0 == pytest.approx(batched, rel=1e-3)
