"""`tallrx model petab`: the calibration targets as a PEtab problem.

Oracles: the petab package's linter; libroadrunner on the exported SBML, run with PEtab's
preequilibration semantics from the exported tables, against the batched engine's protocol;
the noise sd hand-worked from the BIM row of calibration_targets.csv.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

pytest.importorskip("petab")

from tallrx.calibration.petab import export_problem, petab_measurements  # noqa: E402
from tallrx.calibration.targets import load_targets  # noqa: E402
from tallrx.cli import main  # noqa: E402
from tallrx.model.petab_export import FILES, lint  # noqa: E402


@pytest.fixture(scope="module")
def problem(tmp_path_factory):
    out = tmp_path_factory.mktemp("petab") / "problem"
    assert main(["model", "petab", "-o", str(out)]) == 0
    return out


def test_export_lints_and_accounts_for_every_target(problem):
    assert lint(problem / "problem.yaml") is False
    meas = pd.read_csv(problem / FILES["measurement"], sep="\t")
    readme = (problem / "README.md").read_text()
    targets = list(load_targets()["target"])
    stated = set(meas["observableId"])
    assert stated == {"bim_mrna_fold_prednisolone"}
    for t in targets:  # each target is either in the tables or listed with its reason
        assert (t in stated) != (f"| {t} |" in readme), t
    assert "Pre-equilibration" in readme
    # every measurement starts from a preequilibrated line, as tallrx's engine does
    assert meas["preequilibrationConditionId"].notna().all()


def test_interval_target_becomes_centre_and_moment_matched_sd():
    """BIM 4-10 fold, tolerance 0.1 (log10): centre sqrt(40) = 6.3246; half-width
    log10(2.5) / 2 = 0.19897; sd = sqrt(0.19897^2 / 3 + 0.1^2) = 0.15230 (hand-worked)."""
    ms, left = petab_measurements()
    m = ms[0]
    assert m.value == pytest.approx(6.3246, abs=1e-4)
    assert m.sd == pytest.approx(0.15230, abs=1e-5)
    assert m.transformation == "log10" and m.time == 16.0
    assert len(ms) == 8  # the eight JAK1 / IL7R lines of Fig. 3A-B
    assert len(ms) // 8 + len(left) == len(load_targets())
    assert left.set_index("target").loc["il7_responsive_share", "reason"].startswith(
        "a statistic over a cohort"
    )


def test_refuses_a_non_empty_folder_and_leaves_it_alone(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert main(["model", "petab", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "not an empty folder" in err and "Traceback" not in err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    with pytest.raises(Exception, match="not an empty folder"):
        export_problem(out)


def test_petab_protocol_on_libroadrunner_matches_the_batched_engine(problem):
    """One measurement run as a PEtab simulator would: preequilibration condition to steady
    state (every rate ~0, which needs its k_prolif = 0), then the simulation condition (Viable
    re-initialized to 1) for 16 h. BIM mRNA fold and viable cells match tallrx's engine."""
    roadrunner = pytest.importorskip("roadrunner")
    from tallrx.model.simulate import simulate_batch

    cond = pd.read_csv(problem / FILES["condition"], sep="\t").set_index("conditionId")
    row = pd.read_csv(problem / FILES["measurement"], sep="\t").iloc[1]  # JAK1_R724H
    pre, sim = cond.loc[row["preequilibrationConditionId"]], cond.loc[row["simulationConditionId"]]
    assert sim["g_JAK1_R724H"] == 1.0
    rr = roadrunner.RoadRunner(str(problem / FILES["sbml"]))
    rr.integrator.relative_tolerance = 1e-8
    rr.integrator.absolute_tolerance = 1e-12
    for k, v in pre.items():
        if not math.isnan(v):
            rr[k] = v
    rr.simulate(0, 5000, 2)
    rates = rr.getRatesOfChange()
    assert abs(rates).max() < 1e-6  # a true steady state, as PEtab preequilibration needs
    for k, v in sim.items():
        rr[k] = v
    t0 = rr.model.getTime()
    rr.simulate(t0, t0 + row["time"], 2)
    batched = simulate_batch(
        pd.DataFrame({"genotype": ["JAK1_R724H"], "dox": [0], "prednisolone": [693.6]}),
        hours=[16.0], observables=["BIM_mRNA", "viable_cells"], engine="batched",
    ).table.set_index("observable")["value"]
    assert batched["BIM_mRNA"] > 2  # prednisolone really induces BIM (not a trivial 1 == 1)
    assert rr["BIM_mRNA"] == pytest.approx(batched["BIM_mRNA"], rel=1e-3)
    assert rr["Viable"] == pytest.approx(batched["viable_cells"], rel=1e-3)


def test_without_the_k_prolif_switch_there_is_no_steady_state(problem):
    """Why the preequilibration condition sets k_prolif = 0: with the nominal value Viable keeps
    changing, so a PEtab steady-state check fails."""
    roadrunner = pytest.importorskip("roadrunner")
    rr = roadrunner.RoadRunner(str(problem / FILES["sbml"]))
    rr["g_JAK1_R724H"] = 1.0
    rr.simulate(0, 500, 2)
    assert abs(rr.getRatesOfChange()).max() > 1e-3
