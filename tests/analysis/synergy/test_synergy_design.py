"""Design detection, well naming conventions and bad input (one clear TallrxError, never a traceback)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.analysis.doseresponse.curves import ll4
from tallrx.analysis.synergy import classify, score_synergy
from tallrx.analysis.synergy.engine import _group_index, _pad
from tallrx.errors import AnalysisError, TallrxError


def _matrix(n=4, reps=1, drug_b="B"):
    da = np.concatenate([[0.0], np.geomspace(0.1, 10, n)])
    db = np.concatenate([[0.0], np.geomspace(0.01, 1, n)])
    g1, g2 = np.meshgrid(da, db, indexing="ij")
    d1, d2 = np.tile(g1.ravel(), reps), np.tile(g2.ravel(), reps)
    v = ll4(d1, 20, 100, 1.0, 1.0) * ll4(d2, 30, 100, 0.1, 1.0) / 100
    return pd.DataFrame(
        {
            "sample": "s1",
            "drug_a": "A",
            "conc_a": d1,
            "drug_b": drug_b,
            "conc_b": d2,
            "viability": v,
            "replicate": np.repeat(np.arange(1, reps + 1), len(g1.ravel())),
        }
    )


def test_classify_designs():
    assert (
        classify(
            *[
                np.r_[0, 1, 2, 4, 0, 0, 0, 1, 2, 4, 1, 2, 4, 1, 2, 4],
                np.r_[0, 0, 0, 0, 1, 2, 4, 1, 1, 1, 2, 2, 2, 4, 4, 4],
            ]
        ).kind
        == "matrix"
    )
    assert classify([0, 1, 2, 0, 1, 2], [0, 0, 0, 5, 5, 5]).kind == "fixed_dose"
    d = classify([1, 2, 4, 0, 0, 0, 1, 2, 4, 2, 4, 8], [0, 0, 0, 1, 2, 4, 1, 2, 4, 1, 2, 4])
    assert d.kind == "constant_ratio" and sorted(np.round(d.ratios, 6)) == [0.5, 1.0]


def test_ragged_matrix_is_one_clear_error():
    with pytest.raises(AnalysisError, match=r"ragged dose pairs.*missing \(conc_a, conc_b\)"):
        classify([0, 1, 2, 4, 0, 1, 2, 1, 4], [0, 0, 0, 0, 1, 1, 1, 2, 3], label="blk")


def test_single_agents_named_three_ways_give_the_same_scores():
    """Both drugs named with one dose 0 / second drug alone as drug_a / reversed pair order."""
    t = _matrix()
    ref = score_synergy(t, n_null=0, n_boot=0).table
    alt = t.copy()
    alone_b = (alt.conc_a == 0) & (alt.conc_b > 0)
    alt.loc[alone_b, "drug_a"] = "B"
    alt.loc[alone_b, "conc_a"] = alt.loc[alone_b, "conc_b"]
    alt.loc[alone_b, "conc_b"] = 0.0
    alone_a = (alt.conc_b == 0) & (alt.drug_a == "A")
    alt.loc[alone_a | alone_b, "drug_b"] = ""
    rev = (t.conc_a > 0) & (t.conc_b > 0) & (np.arange(len(t)) % 2 == 0)
    alt.loc[rev, ["drug_a", "drug_b"]] = ["B", "A"]
    alt.loc[rev, ["conc_a", "conc_b"]] = t.loc[rev, ["conc_b", "conc_a"]].to_numpy()
    got = score_synergy(alt, a="A", b="B", n_null=0, n_boot=0).table
    for col in ("ci_mean", "bliss", "hsa", "loewe", "zip"):
        assert got[col].iloc[0] == pytest.approx(ref[col].iloc[0], rel=1e-9, abs=1e-9), col


def test_conditions_become_group_keys():
    t = pd.concat([_matrix().assign(il7=0), _matrix().assign(il7=25)])
    res = score_synergy(t, n_null=0, n_boot=0)
    assert list(res.table["il7"]) == [0, 25]
    assert {"sample", "il7", "drug_a", "drug_b"} <= set(res.extra["surface"].columns)


@pytest.mark.parametrize(
    "mutate,pattern",
    [
        (
            lambda t: t.assign(drug_b="", conc_b=0.0).drop_duplicates(["conc_a"]),
            "every well names one drug only",
        ),
        (lambda t: t.assign(viability=100 - t.viability), "does not match --response viability"),
        (lambda t: t.assign(viability=t.viability / 100), "look like fractions"),
        (lambda t: t.drop(columns="conc_b"), "needs column"),
        (lambda t: t.assign(conc_a="high"), "column 'conc_a' must be numeric"),
    ],
)
def test_whole_input_problems_raise_one_line_tallrx_error(mutate, pattern):
    with pytest.raises(TallrxError, match=pattern) as err:
        score_synergy(mutate(_matrix()), n_null=0, n_boot=0)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "mutate,pattern",
    [
        (lambda t: t[~((t.conc_a > 0) & (t.conc_b == 0))], "no single-agent wells of 'A'"),
        (lambda t: pd.concat([t, t.iloc[[7]]]), "duplicate dose pair and replicate"),
        (
            lambda t: t.assign(conc_a=t.conc_a.astype(object).where(t.index != 3, "high")),
            "row 4: conc_a = 'high' is not a number",
        ),
        (lambda t: t.assign(conc_a=-t.conc_a), "negative concentration conc_a"),
        (lambda t: t.assign(conc_a=t.conc_a.where(t.index != 6, np.nan)), "row 7: conc_a is empty"),
        (lambda t: t.assign(conc_b=t.conc_b.where(t.index != 8, np.inf)), "row 9: conc_b = inf"),
        (lambda t: t.assign(conc_a=t.conc_a.where(t.index != 6, 1e308)), "above 1e+06 uM"),
        (lambda t: t.drop(index=[7]), "ragged dose pairs"),
    ],
)
def test_a_bad_block_is_a_flagged_row(mutate, pattern):
    """A block that cannot be scored is one row: NaN scores, call 'not scored', fit_ok False and
    a message naming the problem (and the row where a value is bad) -- never 'ragged' for a NaN."""
    res = score_synergy(mutate(_matrix()), n_null=0, n_boot=0)
    row = res.table.iloc[0]
    assert len(res.table) == 1 and not row.fit_ok and row.call == "not scored"
    assert pattern in row.message
    if "ragged" not in pattern:
        assert "ragged" not in row.message
    assert all(np.isnan(row[c]) for c in ("ci_mean", "bliss", "hsa", "loewe", "zip"))


def test_a_drug_combined_with_itself_is_scored_as_sham():
    t = _matrix().assign(drug_b=lambda d: np.where(d.conc_b > 0, "A", ""))
    row = score_synergy(t, n_null=0, n_boot=0).table.iloc[0]
    assert row.drug_a == row.drug_b == "A" and row.message.startswith("sham")
    assert np.isfinite(row.bliss)


def test_unknown_drug_and_method_suggest_a_fix():
    with pytest.raises(AnalysisError, match="Did you mean 'A'"):
        score_synergy(_matrix(), a="a", b="B", n_null=0)
    with pytest.raises(AnalysisError, match="Did you mean 'bliss'"):
        score_synergy(_matrix(), methods="blis", n_null=0)


def test_unusable_viability_wells_are_left_out_with_a_note_and_excluded_wells_are_flagged():
    t = _matrix(reps=2)
    t.loc[5, "viability"] = np.nan
    t.loc[9, "viability"] = np.inf
    row = score_synergy(t, n_null=0, n_boot=0).table.iloc[0]
    assert "2 well(s) left out, viability: row 6 empty (NaN), row 10 inf (not a plaus" in row.message
    assert np.isfinite(row.bliss) and row.fit_ok
    t = _matrix(reps=2)
    t["exclude"] = False
    t.loc[5, "exclude"] = True
    res = score_synergy(t, n_null=0, n_boot=0)
    assert "1 excluded well(s) left out" in res.table.message.iloc[0]
    assert np.isfinite(res.table.bliss.iloc[0])


def test_too_few_doses_is_a_flagged_row_not_a_crash():
    """One dose of drug a with an effect: its median-effect fit needs two -> flagged, CI NaN."""
    t = pd.DataFrame(
        {
            "sample": "s",
            "drug_a": "A",
            "conc_a": [0, 1, 0, 0, 0, 1, 1, 1],
            "drug_b": "B",
            "conc_b": [0, 0, 0.1, 1, 10, 0.1, 1, 10],
            "viability": [100, 60, 90, 60, 30, 50, 35, 15],
        }
    )
    res = score_synergy(t, n_null=0, n_boot=0)
    row = res.table.iloc[0]
    assert row.design == "fixed_dose"
    assert not row.fit_ok and np.isnan(row.ci_mean)
    assert "median-effect fit of A failed" in row.message
    assert np.isnan(row.zip) and "ZIP needs a dose matrix" in row.message
    assert np.isfinite(row.bliss)  # Bliss only needs the observed single agents


def test_viability_above_100_is_kept():
    t = _matrix()
    t.loc[(t.conc_a == 0) & (t.conc_b == 0), "viability"] = 112.0
    res = score_synergy(t, n_null=0, n_boot=0)
    surf = res.extra["surface"]
    assert surf.loc[(surf.conc_a == 0) & (surf.conc_b == 0), "viability"].iloc[0] == 112.0


def test_screen_style_table_with_plate_wells_blanks_and_vehicle_rows():
    """The layout virtual and real screens produce: single agents named alone, role=vehicle wells,
    role=blank medium wells (NaN viability), normalization bookkeeping columns."""
    t = _matrix(reps=2)
    t["plate"] = "P1"
    t["well"] = [f"W{i}" for i in range(len(t))]
    t["role"] = "treated"
    alone_b = (t.conc_a == 0) & (t.conc_b > 0)
    t.loc[alone_b, ["drug_a", "conc_a", "drug_b", "conc_b"]] = t.loc[
        alone_b, ["drug_b", "conc_b", "drug_a", "conc_a"]
    ].to_numpy()
    t.loc[alone_b, "drug_b"] = ""
    t.loc[(t.conc_a == 0) & (t.conc_b == 0), ["drug_a", "drug_b", "role"]] = ["", "", "vehicle"]
    blanks = pd.DataFrame(
        {
            "plate": "P1",
            "well": ["X1", "X2"],
            "sample": "",
            "drug_a": "",
            "conc_a": 0.0,
            "drug_b": "",
            "conc_b": 0.0,
            "role": "blank",
            "viability": np.nan,
            "replicate": 1,
        }
    )
    t = pd.concat([t, blanks], ignore_index=True)
    t["vehicle_signal"] = np.arange(len(t), dtype=float)  # bookkeeping, not a condition
    t["reference"] = "own"
    res = score_synergy(t, n_null=0, n_boot=0)
    assert len(res.table) == 1 and res.table["sample"].iloc[0] == "s1"
    assert "vehicle_signal" not in res.table.columns
    ref = score_synergy(_matrix(reps=2), n_null=0, n_boot=0).table
    for col in ("ci_mean", "bliss", "hsa", "loewe", "zip"):
        assert res.table[col].iloc[0] == pytest.approx(ref[col].iloc[0], rel=1e-9, abs=1e-9)
    dup = pd.concat([t, t.iloc[[3]]], ignore_index=True)
    row = score_synergy(dup, n_null=0).table.iloc[0]
    assert not row.fit_ok and "duplicate well: rows 4 and" in row.message


def test_group_index_matches_one_index_list_per_group():
    """The loop-free padded well index equals padding np.flatnonzero of each group."""
    rng = np.random.default_rng(8)
    for n_groups in (1, 3, 7):
        label = rng.integers(-1, n_groups, 50)
        want, _ = _pad([np.flatnonzero(label == g) for g in range(n_groups)])
        np.testing.assert_array_equal(_group_index(label, n_groups), want)
