"""Issue 9, point 1: one bad block never stops a screen. A sham block (a drug combined with itself)
is scored and obeys the null-case invariants (CI = 1, Loewe excess = 0 under dose addition); an
off-scale block (failed plate) and every other bad block become flagged rows; the good blocks
score exactly as they do without the bad ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tallrx.analysis.synergy import score_synergy
from tallrx.analysis.synergy.simulate import MESSY_KINDS as SCORED
from tallrx.analysis.synergy.simulate import messy_synergyfinder as messy_screen
from tallrx.analysis.synergy.simulate import sham_block, simulate_synergyfinder
from tallrx.errors import AnalysisError
from tallrx.io.assays.synergyfinder import read_synergyfinder

SCORES = ("ci_mean", "ci_gmean", "ci_ed50", "bliss", "hsa", "loewe", "zip")


def _score(sf: pd.DataFrame) -> pd.DataFrame:
    return score_synergy(read_synergyfinder(sf), n_null=0, n_boot=0).table


def test_noise_free_sham_block_is_exactly_additive():
    """Drug X with itself under dose addition, V(d1, d2) = V(d1 + d2) with a 4PL of bottom 0 and
    top 100: the median-effect model is exact, so Dx(fa) = d1 + d2 at every combination point and
    CI = d1/Dx + d2/Dx = 1; the Loewe reference is V(d1 + d2) itself, so its excess is 0."""
    row = _score(sham_block(1)).iloc[0]
    assert row.fit_ok and row.message.startswith("sham: prednisolone combined with itself")
    assert row.ci_mean == pytest.approx(1.0, abs=1e-6)
    assert row.loewe == pytest.approx(0.0, abs=0.05)
    assert row.ci_ed50 == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_noisy_sham_block_stays_near_the_null(seed):
    """With 1 % noise the sham stays additive: mean CI within 0.1 of 1, Loewe within 2 pp of 0."""
    row = _score(sham_block(1, sd=1.0, seed=seed)).iloc[0]
    assert row.fit_ok
    assert abs(row.ci_mean - 1.0) < 0.1
    assert abs(row.loewe) < 2.0


def test_sham_named_in_one_column_per_axis_in_a_tidy_table():
    """Tidy form: single agents named alone (drug_a=X for the first axis, drug_b=X for the
    second), combination wells naming X twice: the same scores as the SynergyFinder form."""
    sf = sham_block(1)
    t = read_synergyfinder(sf)
    alone_a = (t.conc_a > 0) & (t.conc_b == 0)
    alone_b = (t.conc_a == 0) & (t.conc_b > 0)
    t.loc[alone_a, "drug_b"] = ""
    t.loc[alone_b, "drug_a"] = ""
    t.loc[(t.conc_a == 0) & (t.conc_b == 0), ["drug_a", "drug_b"]] = ""
    got = score_synergy(t, n_null=0, n_boot=0).table.iloc[0]
    want = _score(sf).iloc[0]
    for col in SCORES:
        assert got[col] == pytest.approx(want[col], rel=1e-9, abs=1e-9), col


@pytest.fixture(scope="module")
def screen():
    sf, kinds = messy_screen(40)
    return sf, kinds, _score(sf)


def test_every_bad_block_is_a_row_and_the_rest_are_scored(screen):
    sf, kinds, res = screen
    assert len(res) == sf.block_id.nunique()
    assert res["sample"].astype(int).tolist() == sorted(sf.block_id.unique())  # input order
    by_id = res.set_index(res["sample"].astype(int))
    for bid, kind in kinds.items():
        row = by_id.loc[bid]
        assert (row.call != "not scored") == SCORED[kind], (kind, row.message)
        assert row.message, kind
        if not SCORED[kind]:
            assert not row.fit_ok and all(np.isnan(row[c]) for c in SCORES), kind
    good = ~res["sample"].astype(int).isin(list(kinds))
    assert res.loc[good, "fit_ok"].all()
    assert res.loc[good, ["ci_mean", "bliss", "hsa", "loewe", "zip"]].notna().all().all()


@pytest.mark.parametrize(
    "kind,pattern",
    [
        ("sham", "sham: prednisolone combined with itself"),
        (
            "failed_plate",
            "off-scale block (failed plate?): the untreated (0, 0) wells read a median 2",
        ),
        ("nan_responses", "2 well(s) left out, viability: row"),
        ("no_untreated_well", "no untreated (0, 0) well"),
        ("single_concentration", "median-effect fit of"),
        ("ragged", "ragged dose pairs"),
        ("nan_concentration", "conc_a is empty (NaN)"),
        ("inf_concentration", "conc_b = inf is not a finite concentration"),
        ("all_dead", "no combination point gives a CI"),
        ("flat", "no dose-dependent effect"),
    ],
)
def test_messages_name_the_problem(screen, kind, pattern):
    _, kinds, res = screen
    bid = next(b for b, k in kinds.items() if k == kind)
    msg = res.loc[res["sample"].astype(int) == bid, "message"].iloc[0]
    assert pattern in msg
    if kind.startswith("nan"):
        assert "ragged" not in msg


def test_sham_in_the_screen_is_near_the_null(screen):
    _, kinds, res = screen
    bid = next(b for b, k in kinds.items() if k == "sham")
    row = res[res["sample"].astype(int) == bid].iloc[0]
    assert abs(row.ci_mean - 1) < 0.1 and abs(row.loewe) < 2.0


def test_good_blocks_score_the_same_without_the_bad_ones(screen):
    sf, kinds, res = screen
    alone = _score(sf[~sf.block_id.isin(list(kinds))])
    mine = res[~res["sample"].astype(int).isin(list(kinds))].reset_index(drop=True)
    assert mine["sample"].tolist() == alone["sample"].tolist()
    for col in SCORES:
        np.testing.assert_allclose(mine[col], alone[col], rtol=1e-9, atol=1e-9, err_msg=col)


def test_a_wrong_scale_in_most_blocks_is_still_a_whole_input_error():
    """Inhibition read as viability: every block's untreated wells read ~0 -> one clear error."""
    sf, _ = messy_screen(6)
    with pytest.raises(AnalysisError, match="response scale does not match --response viability"):
        score_synergy(read_synergyfinder(sf.assign(response=100 - sf.response)), n_null=0, n_boot=0)


def test_pair_selection_in_a_multi_pair_screen_skips_other_pairs():
    """--a/--b on a screen of many pairs: only that pair's blocks, none flagged for lacking it."""
    sf = simulate_synergyfinder(25, seed=3)  # 10 pairs in turn: blocks 1, 11, 21 pair A + B
    res = score_synergy(
        read_synergyfinder(sf), a="prednisolone", b="selumetinib", n_null=0, n_boot=0
    ).table
    assert res["sample"].tolist() == ["1", "11", "21"]
    assert res.fit_ok.all() and (res.drug_b == "selumetinib").all()


def test_intervals_and_p_values_of_a_block_do_not_depend_on_the_batch():
    """Issue 9 point 5: a block's bootstrap interval and calibrated p-value are the same alone and
    among other blocks (one random stream per block, seeded by its label). The default interval
    is analytic (no random draws), so the bootstrap one is asked for."""
    from tallrx.analysis.synergy.simulate import simulate_synergyfinder

    table = read_synergyfinder(simulate_synergyfinder(6, seed=3))
    cols = ["ci_low", "ci_high", "p_value", "call"]
    together = score_synergy(table, n_null=29, n_boot=40, seed=5, interval="bootstrap").table
    blocks = table["sample"].unique()
    for bid in (blocks[0], blocks[-1]):
        alone = score_synergy(
            table[table["sample"] == bid], n_null=29, n_boot=40, seed=5, interval="bootstrap"
        ).table
        row = together[together["sample"] == bid]
        assert len(alone) == len(row) == 1
        for c in cols:
            a, b = alone[c].iloc[0], row[c].iloc[0]
            assert a == b or (a != a and b != b), (c, a, b)
    other_seed = score_synergy(table, n_null=29, n_boot=40, seed=6, interval="bootstrap").table
    assert not np.allclose(other_seed["ci_low"], together["ci_low"], equal_nan=True)
