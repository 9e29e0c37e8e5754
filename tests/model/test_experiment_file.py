"""The experiment file's condition and dose keys (tallrx.model.experiment), on hand-worked cases:
``conditions`` (an explicit list instead of the dox x il7 x treatments product), listed
``doses`` / ``doses_a`` / ``doses_b``, and the shipped paper file running through
``tallrx simulate``'s parser."""

from __future__ import annotations

import pytest

from tallrx.errors import InputError
from tallrx.model import experiment as X


def test_conditions_list_gives_exactly_those_lanes():
    sec = {"genotypes": ["JAK1_T901A"], "conditions": [{"dox": 0}, {"dox": 1, "ci1040": 2}]}
    df = X.section_conditions(sec)
    assert df[["genotype", "dox", "il7", "ci1040"]].values.tolist() == [
        ["JAK1_T901A", 0.0, 0.0, 0.0],
        ["JAK1_T901A", 1.0, 0.0, 2.0],
    ]


def test_product_form_is_unchanged():
    # 2 dox x 2 treatments = 4 rows per line, dox-major
    sec = {"genotypes": ["NRAS_G12D"], "dox": [0, 1], "treatments": [{}, {"ci1040": 2}]}
    df = X.section_conditions(sec)
    assert df[["dox", "ci1040"]].values.tolist() == [[0, 0], [0, 2], [1, 0], [1, 2]]


def test_conditions_and_dox_together_are_a_user_error():
    sec = {"genotypes": ["NRAS_G12D"], "dox": [1], "conditions": [{"dox": 1}]}
    with pytest.raises(InputError, match="either conditions or dox"):
        X.section_conditions(sec)


def test_listed_doses_convert_units():
    # 2 nM = 0.002 uM; 36.044 ug/ml prednisolone / 360.44 g/mol = 100 uM
    assert X.dose_series({"doses": [0, 2], "unit": "nM"}, "selumetinib", "x").tolist() == [
        0.0,
        0.002,
    ]
    got = X.dose_series({"doses": [36.044], "unit": "ug/ml"}, "prednisolone", "x")
    assert got[0] == pytest.approx(100.0, rel=1e-4)
    with pytest.raises(InputError, match="non-empty list"):
        X.dose_series({"doses": []}, "selumetinib", "x")


def test_listed_combination_doses_are_used_exactly():
    combo = {"drug_a": "prednisolone", "doses_a": [0.316, 3.16], "drug_b": "selumetinib"}
    assert X.dose_series(combo, "prednisolone", "x", "_a").tolist() == [0.316, 3.16]


def test_paper_file_sections_all_parse():
    spec = X.paper_experiments()
    for kind in X.SECTIONS:
        for sec in spec.get(kind, []):
            unknown = set(sec) - X.KEYS[kind]
            assert not unknown, (sec["name"], unknown)
            assert len(X.section_conditions(sec, sec["name"])) > 0


def test_conditions_blot_runs_through_simulate(tmp_path):
    toml = tmp_path / "e.toml"
    toml.write_text(
        '[[blot]]\nname = "b"\ngenotypes = ["JAK1_T901A"]\n'
        "conditions = [ { dox = 0 }, { dox = 1 }, { dox = 1, ci1040 = 2 } ]\nhours = 2\n"
    )
    tables = X.run_experiment(X.read_experiment(toml))
    lanes = tables["blots"].drop_duplicates("lane")
    assert lanes[["dox", "ci1040"]].values.tolist() == [[0, 0], [1, 0], [1, 2]]
