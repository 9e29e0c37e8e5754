"""The CLI's own bad-input paths (issue 9, points 4 and 6): usage errors, output paths, bugs."""

from __future__ import annotations

import pytest
from hypothesis import given

from tallrx import cli

from .fuzzing import FUZZ, check_contract, invoke, mutated

pytestmark = pytest.mark.fuzz

VIABILITY = (
    "sample,drug_a,conc_a,viability\n"
    + "".join(f"s{k},pred,{c},{v}\n" for k in (1, 2) for c, v in
              ((0.01, 101), (0.1, 97), (1, 80), (10, 35), (100, 9), (1000, 4)))
)


@pytest.fixture
def viability(tmp_path):
    p = tmp_path / "v.csv"
    p.write_text(VIABILITY)
    return p


@pytest.mark.parametrize(
    "args",
    [
        ["fit", "{v}", "-o", "{d}/o.csv", "--window", "a", "b"],
        ["fit", "{v}", "-o", "{d}/o.csv", "--no-such-option"],
        ["fit", "{v}"],
        ["nosuchcommand"],
        ["fit", "{v}", "-o", "{d}/o.csv", "--window", "1"],
    ],
)
def test_usage_errors_exit_2_with_one_line(args, viability, tmp_path):
    args = [a.format(v=viability, d=tmp_path) for a in args]
    res = check_contract(args, tmp_path)
    assert res.code == 2


def test_output_onto_an_input_is_refused(viability, tmp_path):
    res = check_contract(["fit", viability, "-o", viability], tmp_path)
    assert res.code == 2 and "input" in res.err


def test_output_under_a_file_or_unwritable_is_a_clear_error(viability, tmp_path):
    res = check_contract(["fit", viability, "-o", viability / "x.csv"], tmp_path)
    assert res.code == 2 and "not a folder" in res.err
    res = check_contract(["fit", viability, "-o", "/proc/nowhere/x.csv"], tmp_path)
    assert res.code == 2


def test_a_bug_exits_1_with_one_line_and_a_crash_file(monkeypatch, tmp_path, viability):
    """An unexpected exception is a bug: exit 1, one line naming a crash file with the traceback."""
    import tallrx.analysis.doseresponse.batch as fit_cli  # the fit command imports it on use

    def boom(*a, **k):
        raise ZeroDivisionError("planted bug")

    monkeypatch.setattr(fit_cli, "fit_dose_response", boom)
    res = invoke(["fit", viability, "-o", tmp_path / "o.csv"])
    assert res.code == 1
    lines = res.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tallrx: internal error: ZeroDivisionError")
    crash = lines[0].split("please report it with the file ")[1].strip()
    text = open(crash, encoding="utf-8").read()
    assert "Traceback" in text and "planted bug" in text
    res = invoke(["fit", viability, "-o", tmp_path / "o.csv", "--debug"])
    assert res.code == 1 and "Traceback" in res.err


def test_the_bug_handler_needs_no_click(monkeypatch, tmp_path, viability):
    """A plain install may lack click (typer vendors it): the handler must not import it."""
    import builtins

    import tallrx.analysis.doseresponse.batch as fit_cli  # the fit command imports it on use

    real_import = builtins.__import__

    def no_click(name, *a, **k):
        if name == "click" or name.startswith("click."):
            raise ModuleNotFoundError("No module named 'click'")
        return real_import(name, *a, **k)

    monkeypatch.setattr(fit_cli, "fit_dose_response", lambda *a, **k: 1 / 0)
    monkeypatch.setattr(builtins, "__import__", no_click)
    res = invoke(["fit", viability, "-o", tmp_path / "o.csv"])
    assert res.code == 1 and "internal error" in res.err and "click" not in res.err


def test_warnings_never_bury_the_error_line(monkeypatch, tmp_path, viability):
    import warnings

    import tallrx.analysis.doseresponse.batch as fit_cli  # the fit command imports it on use
    from tallrx.errors import InputError

    def noisy(*a, **k):
        for i in range(50):
            warnings.warn(f"warning number {i}", stacklevel=1)
        raise InputError("v.csv: row 3: the real problem")

    monkeypatch.setattr(fit_cli, "fit_dose_response", noisy)
    res = invoke(["fit", viability, "-o", tmp_path / "o.csv"])
    assert res.code == 2
    lines = res.err.strip().splitlines()
    assert lines[0] == "tallrx: error: v.csv: row 3: the real problem"
    assert len(lines) <= 2


@FUZZ
@given(data=mutated(VIABILITY.encode()))
def test_fit_survives_mutated_viability_tables(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("fz")
    (d / "v.csv").write_bytes(data)
    check_contract(["fit", d / "v.csv", "-o", d / "out" / "curves.csv"], d)


def test_main_module_is_importable_without_running():
    assert callable(cli.main)


@pytest.mark.parametrize(
    "opts",
    [["--spread", "0"], ["--spread", "1.5"], ["--seed", "-1"], ["--sensitivity", "-2"],
     ["--jobs", "0"], ["--spread", "nan"]],
)
def test_reproduce_rejects_bad_options_before_any_work(opts, tmp_path):
    res = check_contract(["reproduce", "-o", tmp_path / "r", *opts], tmp_path)
    assert res.code == 2


def test_output_below_an_input_file_is_refused_before_any_work(tmp_path, viability):
    res = check_contract(["reproduce", "-o", viability / "r"], tmp_path)
    assert res.code == 2 and "is an existing file" in res.err


def _commands() -> list[list[str]]:
    """Every command path of the CLI (``['fit']``, ``['model', 'show']``, ...), from typer's tree."""
    import typer.main

    group = typer.main.get_command(cli.app)
    paths = []

    def walk(cmd, prefix):
        sub = getattr(cmd, "commands", None)
        if sub:
            for name, c in sub.items():
                walk(c, [*prefix, name])
        elif prefix:
            paths.append(prefix)

    walk(group, [])
    return paths


COMMANDS = _commands()


def test_the_command_tree_is_found():
    assert ["fit"] in COMMANDS and ["model", "show"] in COMMANDS and len(COMMANDS) >= 10


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help_and_rejects_unknown_options(path, tmp_path):
    assert invoke([*path, "--help"]).code == 0
    res = check_contract([*path, "--definitely-not-an-option"], tmp_path)
    assert res.code == 2 and "definitely-not-an-option" in res.err


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_with_a_missing_input_file_is_a_user_error(path, tmp_path):
    """A path argument that does not exist: exit 2 (or 0 for commands without arguments)."""
    res = check_contract([*path, tmp_path / "missing.csv", "-o", tmp_path / "out"], tmp_path)
    assert res.code in (0, 2)


def test_an_existing_output_file_is_replaced_not_refused(viability, tmp_path):
    """-o naming an existing file that is not an input: the new output replaces it."""
    out = tmp_path / "curves.csv"
    out.write_text("old\n")
    res = invoke(["fit", viability, "-o", out])
    assert res.code == 0, res.err
    assert out.read_text() != "old\n"


def test_db_records_the_run_and_a_bad_db_stops_before_any_output(viability, tmp_path):
    """--db: the run lands in the store (once, however often recorded); an unusable store URL is
    one error line before any work, with nothing written."""
    import tallrx.store as store

    db = tmp_path / "runs.db"
    for _ in range(2):
        res = invoke(["fit", viability, "-o", tmp_path / "c.csv", "--db", db])
        assert res.code == 0, res.err
    with store.open(db) as s:
        runs = s.runs()
    assert len(runs) == 1 and runs.iloc[0]["command"] == "fit"
    res = check_contract(
        ["fit", viability, "-o", tmp_path / "d.csv", "--db", "postgresql://x@127.0.0.1:1/none"],
        tmp_path,
    )
    assert res.code == 2 and "--db" in res.err
