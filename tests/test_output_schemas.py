"""Every table every command writes matches its entry in :mod:`tallrx.schema`.

Each command runs once on small real inputs (the bundled synthetic PDX screen generator at 6
samples, the synthetic co-IP / qPCR / blot inputs of tests/cli, a tiny virtual experiment, the
shipped virtual cohort); :func:`tallrx.schema.validate_outputs` then reads back every file it
wrote: a file no schema describes, a missing required column or a column of the wrong dtype
fails. ``tallrx reproduce`` (minutes) and the cohort's in-silico screen run in the slow tests.
The last tests damage tables on purpose and check that the validator catches it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tifffile

from tallrx.cli import main
from tallrx.errors import SchemaError
from tallrx.schema import OUTPUTS, TABLES, validate_file, validate_outputs, validate_table
from tallrx.testing import write_pdx_screen

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS / "analysis"))
sys.path.insert(0, str(TESTS / "cli"))
from test_assays_cli import _qpcr_long, write_proteingroups  # noqa: E402
from test_blots import render  # noqa: E402

EXPERIMENT = """
seed = 1
[[viability]]
name = "v"
genotypes = ["parental"]
dox = [1]
readout = "mtt"
plate_format = 96
replicates = 2
drugs = { prednisolone = { low = 0.01, high = 100, n = 4 } }
[[blot]]
name = "b"
genotypes = ["NRAS_G12D"]
dox = [1]
treatments = [ {}, { selumetinib = 1 } ]
[[qpcr]]
name = "q"
genotypes = ["JAK1_WT"]
dox = [1]
treatments = [ {}, { prednisolone = 693 } ]
[[coip]]
name = "c"
genotypes = ["NRAS_G12D"]
dox = [1]
treatments = [ {} ]
[[timecourse]]
name = "t"
genotypes = ["NRAS_G12D"]
dox = [1]
treatments = [ {} ]
hours = [0, 1]
"""


def _ok(*args) -> None:
    code = main([str(a) for a in args])
    assert code == 0, f"tallrx {' '.join(map(str, args))} exited {code}"


def _coip_with_controls(folder: Path) -> tuple[Path, Path]:
    """The synthetic co-IP plus three IgG control IPs (a tenth of each protein's mean iBAQ),
    so the command also writes enrichment.csv."""
    pg_path, sheet_path = write_proteingroups(folder)
    pg = pd.read_csv(pg_path, sep="\t", keep_default_na=False)
    sheet = pd.read_csv(sheet_path)
    ibaq = [c for c in pg.columns if c.startswith("iBAQ ")]
    mean = pg[ibaq].apply(pd.to_numeric, errors="coerce").mean(axis=1)
    for r in (1, 2, 3):
        pg[f"iBAQ igg_r{r}"] = mean * 0.1 * r
    pg.to_csv(pg_path, sep="\t", index=False)
    controls = pd.DataFrame({"experiment": [f"igg_r{r}" for r in (1, 2, 3)], "bait": "IgG",
                             "dox": "-", "prednisolone": 0, "replicate": [1, 2, 3]})
    pd.concat([sheet.assign(bait="BCL2L11"), controls]).to_csv(sheet_path, index=False)
    return pg_path, sheet_path


def _qpcr_with_standards(path: Path) -> Path:
    """The tests/cli long Ct table plus a 5-point 10-fold dilution series per target at 100 %
    efficiency (Ct = 35 - log2(10) x log10(quantity)), so efficiency.csv is written."""
    _qpcr_long(path)
    data = pd.read_csv(path)
    q = 10.0 ** np.arange(5)
    std = pd.DataFrame({
        "sample": "standard", "target": np.repeat(["BCL2L11", "GAPDH"], 5),
        "ct": np.tile(35 - np.log2(10) * np.log10(q), 2), "dox": "-", "prednisolone": 0,
        "replicate": 1, "task": "standard", "quantity": np.tile(q, 2)})
    pd.concat([data, std], ignore_index=True).to_csv(path, index=False)
    return path


def _blot_inputs(folder: Path) -> tuple[Path, Path]:
    """A band table (pERK/ERK/GAPDH and a BIM upper/lower pair, two lanes) and a rendered
    8-lane, 4-band blot image."""
    table = folder / "bands.csv"
    pd.DataFrame({
        "blot": "b", "lane": np.repeat([1, 2], 5), "sample": np.repeat(["-dox", "+dox"], 5),
        "target": ["pERK", "ERK", "GAPDH", "BIM_up", "BIM_low"] * 2,
        "intensity": [100, 200, 50, 30, 70, 600, 300, 100, 60, 40]}).to_csv(table, index=False)
    image = folder / "blot.tif"
    amps = np.random.default_rng(1).uniform(50, 400, size=(8, 4))
    tifffile.imwrite(image, np.clip(render(amps, dark=True), 0, 65535).astype(np.uint16))
    return table, image


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, list[Path]]:
    """command -> the outputs (folders or CSV files) of its runs on small inputs."""
    tmp = tmp_path_factory.mktemp("schemas")
    pdx = write_pdx_screen(tmp / "pdx", seed=7, n_samples=6)
    _ok("screen", pdx / "layout.csv", *sorted((pdx / "plates").glob("*.csv")),
        "-o", tmp / "screen", "--n-boot", "5")
    _ok("fit", tmp / "screen" / "viability.csv", "-o", tmp / "fit" / "curves.csv")
    _ok("stratify", tmp / "fit" / "curves.csv", "-o", tmp / "strata.csv")

    from tallrx.analysis.synergy import simulate_table
    from tallrx.analysis.synergy.simulate import BENCH_A, BENCH_B

    syn = simulate_table(1, a=BENCH_A, b=BENCH_B, model="sensitize", seed=3)
    syn.to_csv(tmp / "synergy.csv", index=False)
    _ok("synergy", tmp / "synergy.csv", "-o", tmp / "synergy", "--n-null", 19, "--n-boot", 19,
        "--no-figures")

    pg, sheet = _coip_with_controls(tmp)
    _ok("coip", pg, "--samples", sheet, "-o", tmp / "coip", "--bait", "BCL2L11")
    ct = _qpcr_with_standards(tmp / "ct.csv")
    _ok("qpcr", ct, "--target", "BCL2L11", "--reference", "GAPDH", "--baseline", "dox=-",
        "--baseline", "prednisolone=0", "--efficiency", "estimate", "-o", tmp / "qpcr")
    bands, image = _blot_inputs(tmp)
    _ok("blot", bands, "-o", tmp / "blot", "--loading", "GAPDH", "--phospho", "pERK:ERK",
        "--shift", "BIM_up:BIM_low")
    _ok("blot", image, "--lanes", 8, "--targets", "pERK,ERK,BIM,GAPDH", "-o", tmp / "blot_image")

    _ok("simulate", "--genotype", "NRAS_G12D", "--dox", "--drug", "selumetinib=10",
        "--hours", "0.5,24", "--engine", "batched", "-o", tmp / "well.csv")
    (tmp / "experiment.toml").write_text(EXPERIMENT, encoding="utf-8")
    _ok("simulate", tmp / "experiment.toml", "-o", tmp / "experiment")
    _ok("cohort", "--no-screen", "-o", tmp / "cohort")
    _ok("twin", tmp / "screen" / "viability.csv", "--sample", "PDX01", "-o", tmp / "twin",
        "--library", 16, "--rounds", 1, "--per-round", 8, "--draws", 4, "--n-null", 19)
    return {
        "screen": [tmp / "screen"], "fit": [tmp / "fit" / "curves.csv"],
        "stratify": [tmp / "strata.csv"], "synergy": [tmp / "synergy"], "coip": [tmp / "coip"],
        "qpcr": [tmp / "qpcr"], "blot": [tmp / "blot", tmp / "blot_image"],
        "simulate": [tmp / "well.csv", tmp / "experiment"], "cohort": [tmp / "cohort"],
        "twin": [tmp / "twin"],
    }


#: the tables each command must have written on these inputs (every optional file included)
EXPECTED = {
    "screen": set(OUTPUTS["screen"].values()),
    "fit": {"curves"},
    "stratify": {"strata"},
    "synergy": {"combinations", "surface", "median_effect"},
    "coip": {"binding", "ratios", "coip", "enrichment"},
    "qpcr": {"expression", "replicates", "flags", "qpcr", "efficiency"},
    "blot": {"bands", "phospho", "shift", "lanes", "band_windows", "profiles"},
    "simulate": {"timecourse", "wells", "blots", "coip", "qpcr"},
    "cohort": {"cohort"},
    "twin": {"twin_parameters", "predicted_surface", "predicted_calls"},
}


@pytest.mark.parametrize("command", sorted(EXPECTED))
def test_every_written_table_matches_its_schema(written, command):
    kinds: set[str] = set()
    for out in written[command]:
        kinds |= set(validate_outputs(out, command).values())
    assert kinds == EXPECTED[command]


def test_every_command_and_table_kind_is_covered():
    """Each command's file map names only known kinds, and every kind is written somewhere."""
    mapped = {k for files in OUTPUTS.values() for k in files.values()}
    assert mapped <= set(TABLES)
    assert set(TABLES) - mapped == set()
    assert set(EXPECTED) | {"reproduce"} == set(OUTPUTS)


def test_every_column_has_a_dtype_and_a_meaning():
    for spec in TABLES.values():
        assert spec.required, spec.name
        for col in spec.columns:
            assert col.dtype in ("str", "float", "int", "bool") and len(col.meaning) > 2, col


@pytest.mark.slow
def test_reproduce_tables_match_their_schemas(tmp_path):
    _ok("reproduce", "-o", tmp_path / "out", "--seed", 0, "--jobs", 2)
    kinds = set(validate_outputs(tmp_path / "out", "reproduce").values())
    assert {"wells", "viability", "qc", "curves", "strata", "perk", "bim_shift", "expression",
            "binding", "combinations", "surface", "resistant_groups"} <= kinds


@pytest.mark.slow
def test_cohort_screen_matches_the_wells_schema(tmp_path):
    _ok("cohort", "-o", tmp_path / "c")
    assert set(validate_outputs(tmp_path / "c", "cohort").values()) == {"cohort", "wells"}


# ------------------------------------------------------------------- the validator does fail
def test_a_damaged_table_fails(written, tmp_path):
    curves = pd.read_csv(written["fit"][0])
    bad = tmp_path / "curves.csv"
    curves.drop(columns="ic50").to_csv(bad, index=False)
    with pytest.raises(SchemaError, match="needs column.*ic50"):
        validate_file(bad, "curves")
    curves.assign(auc=["high"] * len(curves)).to_csv(bad, index=False)
    with pytest.raises(SchemaError, match="'auc' must be numeric"):
        validate_file(bad, "curves")
    curves.assign(fit_ok="maybe").to_csv(bad, index=False)
    with pytest.raises(SchemaError, match="'fit_ok' must be True/False"):
        validate_file(bad, "curves")
    curves.assign(n=2.5).to_csv(bad, index=False)
    with pytest.raises(SchemaError, match="'n' must be whole numbers"):
        validate_file(bad, "curves")


def test_an_unknown_file_or_column_fails(written, tmp_path):
    out = tmp_path / "screen"
    out.mkdir()
    pd.read_csv(written["screen"][0] / "qc.csv").to_csv(out / "qc.csv", index=False)
    assert validate_outputs(out, "screen") == {"qc.csv": "qc"}
    (out / "notes.csv").write_text("a,b\n1,2\n")
    with pytest.raises(SchemaError, match="no schema describes"):
        validate_outputs(out, "screen")
    lanes = pd.DataFrame({"lane": [1], "x0": [0], "x1": [5], "width": [5]})
    with pytest.raises(SchemaError, match="width are not in the 'lanes' schema"):
        validate_table(lanes, "lanes")


def test_reproduce_sensitivity_tables_match_their_schemas(monkeypatch, tmp_path):
    """The sensitivity tables come from the real bookkeeping run on stand-in experiments (no
    simulation; each returns one input table and no output tables) and stand-in claims."""
    from tallrx.report import reproduce as report_mod
    from tallrx.reproduce import run as R
    from tallrx.reproduce.claims import CLAIMS, Claim, Verdict
    from tallrx.reproduce.experiments import ExperimentRun

    def experiment(key, ids):
        def fn(ctx, groups=None):
            table = pd.DataFrame({"x": [1.0 + sum(ctx.params.values())]})
            results = {"groups": pd.DataFrame({"sample": ["a"], "group": ["IL7-dependent"]})}
            return ExperimentRun(key, key, {}, results, {c: {"table": table} for c in ids})
        return fn

    claims = tuple(Claim(c.id, c.figure, c.statement, c.rule, ("table",),
                         lambda t: Verdict(bool(t["x"].iloc[0] < 2), {}, "x"))
                   for c in CLAIMS)
    monkeypatch.setattr(R, "EXPERIMENTS", {k: (experiment(k, ids), fig, ids)
                                           for k, (_, fig, ids) in R.EXPERIMENTS.items()})
    monkeypatch.setattr(R, "CLAIMS", claims)
    monkeypatch.setattr(report_mod, "CLAIMS", claims)
    monkeypatch.setattr(report_mod, "CLAIM_FIGURES", {})
    monkeypatch.setattr(report_mod, "_figure", lambda result, cid: None)
    R.reproduce(tmp_path / "out", jobs=1, sensitivity=2)
    kinds = validate_outputs(tmp_path / "out", "reproduce")
    assert kinds == {"sensitivity.csv": "sensitivity", "sensitivity_runs.csv": "sensitivity_runs"}


def test_parquet_tables_are_validated_like_csv(written, tmp_path):
    """--table-format parquet writes NAME.parquet: the same file map and the same checks."""
    out = tmp_path / "screen"
    out.mkdir()
    qc = pd.read_csv(written["screen"][0] / "qc.csv")
    qc.to_parquet(out / "qc.parquet")
    assert validate_outputs(out, "screen") == {"qc.parquet": "qc"}
    qc.assign(z_prime="high").to_parquet(out / "qc.parquet")
    with pytest.raises(SchemaError, match="'z_prime' must be numeric"):
        validate_outputs(out, "screen")


def test_markdown_lists_every_column():
    from tallrx.schema import markdown

    for kind, spec in TABLES.items():
        text = markdown(kind)
        assert all(f"| `{c}` |" in text for c in spec.names), kind
