"""Relative expression (Livak ddCt, Pfaffl) against hand-worked cases and an instrument's own output.

References used here:
* The c-myc / GAPDH Ct table of Livak & Schmittgen (2001, Methods 25:402), as distributed with the
  R package pcr (MahShaaban/pcr, inst/extdata/ct1.csv): six wells per gene and group, groups are
  rows 1-6 and 7-12 (called 'brain' / 'kidney' in pcr).
* The QuantStudio 7 comparative-Ct export (tests/data/formats/qpcr, allotropy test data), whose
  Results block holds the instrument software's own Ct Mean, Delta Ct Mean, Delta Delta Ct and RQ.
* The QuantStudio 7 standard-curve export, which states Slope / Y-Intercept / R2 / Efficiency.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tallrx.analysis.assays.qpcr import estimate_efficiency, parse_baseline, relative_expression
from tallrx.errors import AnalysisError
from tallrx.io.assays.qpcr import read_qpcr

QPCR = Path(__file__).resolve().parents[1] / "data" / "formats" / "qpcr"

CMYC = [30.72, 30.34, 30.58, 30.34, 30.50, 30.43, 27.06, 27.03, 27.03, 27.10, 26.99, 26.94]
GAPDH = [23.70, 23.56, 23.47, 23.65, 23.69, 23.68, 22.76, 22.61, 22.62, 22.60, 22.61, 22.76]


def _wells(rows: list[tuple]) -> pd.DataFrame:
    """(sample, target, ct, replicate, **conditions) tuples -> a qpcr table."""
    out = []
    for i, row in enumerate(rows):
        sample, target, ct, rep, *rest = row
        cond = rest[0] if rest else {}
        out.append(
            {
                "plate": "p",
                "well": f"W{i}",
                "sample": sample,
                "target": target,
                "ct": ct,
                "replicate": rep,
                **cond,
            }
        )
    return pd.DataFrame(out)


def livak_table(replicates: bool) -> pd.DataFrame:
    rows = []
    for i, (m, g) in enumerate(zip(CMYC, GAPDH, strict=True)):
        group = "g1" if i < 6 else "g2"
        rep = (i % 6) + 1 if replicates else 1
        rows += [(group, "c_myc", m, rep), (group, "GAPDH", g, rep)]
    return _wells(rows)


def test_livak_2001_ct_table_by_hand():
    """Hand-worked 2^-ddCt on the Livak & Schmittgen c-myc / GAPDH table.

    group 1: mean c-myc = 182.91 / 6 = 30.485, mean GAPDH = 141.75 / 6 = 23.625 -> dCt = 6.860
    group 2: mean c-myc = 162.15 / 6 = 27.025, mean GAPDH = 135.96 / 6 = 22.660 -> dCt = 4.365
    ddCt = 4.365 - 6.860 = -2.495 -> fold change 2^2.495 = 5.637 (group 1 = 1).
    """
    res = relative_expression(
        livak_table(replicates=False),
        target="c_myc",
        reference="GAPDH",
        baseline="sample=g1",
        method="livak",
    )
    t = res.table.set_index("sample")
    assert t.loc["g2", "ddct"] == pytest.approx(-2.495, abs=1e-9)
    assert t.loc["g2", "relative_expression"] == pytest.approx(2**2.495, rel=1e-9)
    assert t.loc["g1", "relative_expression"] == 1.0
    assert t.loc["g2", "n_wells"] == 6 and t.loc["g2", "n"] == 1
    reps = res.extra["replicates"].set_index("sample")
    assert reps.loc["g1", "dct"] == pytest.approx(6.860, abs=1e-9)
    assert reps.loc["g2", "dct"] == pytest.approx(4.365, abs=1e-9)


def test_livak_table_as_six_biological_replicates():
    """Same table, wells paired as six biological replicates: the mean ddCt is unchanged and
    the spread is the SD of the six paired log2 RQ values."""
    res = relative_expression(
        livak_table(replicates=True), target="c_myc", reference="GAPDH", baseline="sample=g1"
    )
    t = res.table.set_index("sample")
    assert t.loc["g2", "relative_expression"] == pytest.approx(2**2.495, rel=1e-9)
    dct1 = np.subtract(CMYC[:6], GAPDH[:6])
    dct2 = np.subtract(CMYC[6:], GAPDH[6:])
    log2rq = -(dct2 - dct1.mean())
    assert t.loc["g2", "n"] == 6
    assert t.loc["g2", "log2_sd"] == pytest.approx(log2rq.std(ddof=1))
    assert t.loc["g2", "lower"] == pytest.approx(2 ** (2.495 - log2rq.std(ddof=1)))
    assert t.loc["g2", "sd"] == pytest.approx((2.0**log2rq).std(ddof=1))
    p = stats.ttest_ind(log2rq, -(dct1 - dct1.mean()), equal_var=False).pvalue
    assert t.loc["g2", "p_value"] == pytest.approx(p)


def _quantstudio_results() -> pd.DataFrame:
    text = (QPCR / "appbio_quantstudio7_ddCt_96_example05.txt").read_text()
    block = text.split("[Results]\n", 1)[1]
    return pd.read_csv(io.StringIO(block), sep="\t")


def test_against_quantstudio_software_rq():
    """The instrument's RQ and Delta Delta Ct are the oracle.

    The example file is cut short: its Results list only the TGF-B wells (and NTCs), and the
    Ct Mean covers wells not in the file. So each sample enters as its instrument Ct Mean for
    TGF-B and Ct Mean - Delta Ct Mean for the reference (GAPDH); tallrx must then reproduce the
    software's Delta Delta Ct (calibrator Liver) and RQ = 2^-ddCt.
    """
    res_file = _quantstudio_results()
    unk = res_file[res_file["Task"] == "UNKNOWN"].groupby("Sample Name").first()
    rows = []
    for sample, r in unk.iterrows():
        rows += [
            (sample, "TGF-B", r["Ct Mean"], 1),
            (sample, "GAPDH", r["Ct Mean"] - r["Delta Ct Mean"], 1),
        ]
    res = relative_expression(
        _wells(rows), target="TGF-B", reference="GAPDH", baseline={"sample": "Liver"}
    )
    t = res.table.set_index("sample")
    for sample, r in unk.iterrows():
        assert t.loc[sample, "ddct"] == pytest.approx(r["Delta Delta Ct"], abs=0.0011)
        assert t.loc[sample, "relative_expression"] == pytest.approx(
            r["RQ"], abs=0.0011 * r["RQ"] + 5e-4
        )


def test_quantstudio_file_without_reference_wells_is_a_clear_error():
    df = read_qpcr(QPCR / "appbio_quantstudio7_ddCt_96_example05.txt")
    with pytest.raises(
        AnalysisError,
        match=r"reference gene 'GAPDH' has no Ct in any sample "
        r"well \(its wells are: ntc\)",
    ):
        relative_expression(df, target="TGF-B", reference="GAPDH", baseline="sample=Liver")
    with pytest.raises(
        AnalysisError,
        match=r"reference gene 'GAPHD' has no wells.*Did you mean "
        r"'GAPDH'",
    ):
        relative_expression(df, target="TGF-B", reference="GAPHD", baseline="sample=Liver")
    # NTC wells are reported, not dropped
    res_df = df.copy()
    res_df.loc[len(res_df)] = {
        **res_df.iloc[6].to_dict(),
        "well": "Z1",
        "target": "GAPDH",
        "ct": 20.0,
    }
    res = relative_expression(res_df, target="TGF-B", reference="GAPDH", baseline="sample=Lung")
    flags = res.extra["flags"]
    assert (flags["task"] == "ntc").sum() == 6
    assert flags["note"].str.contains("no amplification").all()


def test_efficiency_from_the_quantstudio_dilution_series():
    """File states Slope -3.383, Y-Intercept 39.814, R2 0.997, Efficiency 97.505 %."""
    df = read_qpcr(QPCR / "appbio_quantstudio7_standard_curve_example04.txt")
    eff = estimate_efficiency(df).set_index("target").loc["RNase P"]
    assert eff["slope"] == pytest.approx(-3.383, abs=5e-4)
    assert eff["intercept"] == pytest.approx(39.814, abs=5e-4)
    assert eff["r2"] == pytest.approx(0.997, abs=5e-4)
    assert eff["efficiency_percent"] == pytest.approx(97.505, abs=0.01)
    assert eff["n_dilutions"] == 5 and eff["n_wells"] == 20 and eff["fit_ok"]


def test_pfaffl_by_hand():
    """E_target = 1.9, E_ref = 2.0. Control: target 25, ref 20; sample: target 22, ref 20.5.
    ratio = 1.9^(25 - 22) / 2.0^(20 - 20.5) = 6.859 / 0.70711 = 9.7001."""
    df = _wells(
        [
            ("ctrl", "BIM", 25.0, 1),
            ("ctrl", "GAPDH", 20.0, 1),
            ("pred", "BIM", 22.0, 1),
            ("pred", "GAPDH", 20.5, 1),
        ]
    )
    res = relative_expression(
        df,
        target="BIM",
        reference="GAPDH",
        baseline="sample=ctrl",
        efficiency={"BIM": 1.9, "GAPDH": 2.0},
    )
    assert res.meta["method"] == "pfaffl"
    assert res.table.set_index("sample").loc["pred", "relative_expression"] == pytest.approx(
        9.7001, abs=1e-4
    )
    # with efficiency 2 for both it is Livak: 2^-((22 - 20.5) - (25 - 20)) = 2^3.5 = 11.3137
    livak = relative_expression(df, target="BIM", reference="GAPDH", baseline="sample=ctrl")
    assert livak.meta["method"] == "livak"
    assert livak.table.set_index("sample").loc["pred", "relative_expression"] == pytest.approx(
        11.3137, abs=1e-4
    )
    with pytest.raises(AnalysisError, match=r"efficiency 95 for target 'BIM'.*percentage"):
        relative_expression(
            df,
            target="BIM",
            reference="GAPDH",
            baseline="sample=ctrl",
            efficiency={"BIM": 95, "GAPDH": 2.0},
        )
    with pytest.raises(AnalysisError, match=r"no efficiency for target\(s\) GAPDH"):
        relative_expression(
            df,
            target="BIM",
            reference="GAPDH",
            baseline="sample=ctrl",
            method="pfaffl",
            efficiency={"BIM": 1.9},
        )


def test_geometric_mean_of_two_reference_genes_by_hand():
    """Baseline: BIM 26, R1 20, R2 22 (ref mean 21, dCt 5); sample: BIM 24, R1 20.5, R2 21.5
    (ref mean 21, dCt 3) -> 2^2 = 4 = sqrt(2^2.5 x 2^1.5), the geometric mean of the two
    single-reference results."""
    df = _wells(
        [
            ("b", "BIM", 26, 1),
            ("b", "R1", 20, 1),
            ("b", "R2", 22, 1),
            ("s", "BIM", 24, 1),
            ("s", "R1", 20.5, 1),
            ("s", "R2", 21.5, 1),
        ]
    )
    res = relative_expression(df, target="BIM", reference=["R1", "R2"], baseline="sample=b")
    assert res.table.set_index("sample").loc["s", "relative_expression"] == pytest.approx(4.0)


def test_error_conventions_by_hand():
    """Baseline dCt 5, 5.5, 4.5 (mean 5); treated dCt 3, 2, 4 -> log2 RQ 2, 3, 1.
    log: 2^2 = 4, lower 2^1 = 2, upper 2^3 = 8. linear: values 4, 8, 2 -> mean 4.667,
    SD sqrt(((4-4.667)^2 + (8-4.667)^2 + (2-4.667)^2) / 2) = 3.055."""
    rows = []
    for rep, (b, t) in enumerate(zip((5, 5.5, 4.5), (3, 2, 4), strict=True), start=1):
        rows += [
            ("line", "BIM", 20 + b, rep, {"pred": 0}),
            ("line", "GAPDH", 20, rep, {"pred": 0}),
            ("line", "BIM", 20 + t, rep, {"pred": 250}),
            ("line", "GAPDH", 20, rep, {"pred": 250}),
        ]
    df = _wells(rows)
    log = relative_expression(df, target="BIM", reference="GAPDH", baseline="pred=0").table
    t = log.set_index("pred")
    assert t.loc[250, "relative_expression"] == pytest.approx(4.0)
    assert (t.loc[250, "lower"], t.loc[250, "upper"]) == (pytest.approx(2.0), pytest.approx(8.0))
    assert t.loc[0, "relative_expression"] == 1.0 and t.loc[250, "n"] == 3
    lin = relative_expression(
        df, target="BIM", reference="GAPDH", baseline="pred=0", error="linear"
    ).table.set_index("pred")
    assert lin.loc[250, "relative_expression"] == pytest.approx(14 / 3)
    assert lin.loc[250, "sd"] == pytest.approx(3.0551, abs=1e-4)
    assert lin.loc[250, "upper"] == pytest.approx(14 / 3 + 3.0551, abs=1e-4)


def _cell_lines(drop_baseline_of: str | None = None) -> pd.DataFrame:
    rows = []
    for line, shift in (("JAK1 WT", 0.0), ("JAK1 R724H", 1.0)):
        for dox in "-+":
            for pred in (0, 250):
                if line == drop_baseline_of and dox == "-" and pred == 0:
                    continue
                for rep in (1, 2, 3):
                    cond = {"dox": dox, "prednisolone": pred}
                    bim = 27 + shift - (3 if pred else 0)  # prednisolone: 8-fold up
                    rows += [
                        (line, "BIM", bim, rep, cond),
                        (line, "BIM", bim, rep, cond),
                        (line, "GAPDH", 18.0, rep, cond),
                    ]
    return _wells(rows)


def test_each_line_normalized_to_its_own_baseline():
    res = relative_expression(
        _cell_lines(), target="BIM", reference="GAPDH", baseline={"dox": "-", "prednisolone": 0}
    )
    t = res.table
    assert list(t.columns[:3]) == ["sample", "dox", "prednisolone"]
    assert np.allclose(t.loc[t["prednisolone"] == 0, "relative_expression"], 1.0)
    assert np.allclose(t.loc[t["prednisolone"] == 250, "relative_expression"], 8.0)
    assert (t["n"] == 3).all() and (t["n_wells"] == 6).all()


def test_a_sample_without_its_baseline_is_a_flagged_row_not_an_error():
    """One sample lacking its baseline group never stops the batch (issue 9, point 6)."""
    res = relative_expression(
        _cell_lines(drop_baseline_of="JAK1 R724H"),
        target="BIM",
        reference="GAPDH",
        baseline="dox=-,prednisolone=0",
    )
    t = res.table
    bad = t[t["sample"] == "JAK1 R724H"]
    assert len(bad) == 3 and bad["relative_expression"].isna().all() and bad["flagged"].all()
    assert bad["message"].str.contains(
        "no baseline group dox=-, prednisolone=0 for sample=JAK1 R724H"
    ).all()
    good = t[t["sample"] == "JAK1 WT"]
    assert np.allclose(good.loc[good["prednisolone"] == 250, "relative_expression"], 8.0)
    assert not good["flagged"].any()


def test_baseline_errors():
    with pytest.raises(AnalysisError, match=r"baseline dox=minus matches no sample wells"):
        relative_expression(
            _cell_lines(), target="BIM", reference="GAPDH", baseline="dox=minus,prednisolone=0"
        )
    with pytest.raises(AnalysisError, match=r"baseline column 'doxy'.*Did you mean 'dox'"):
        relative_expression(_cell_lines(), target="BIM", reference="GAPDH", baseline="doxy=-")
    with pytest.raises(AnalysisError, match=r"target 'BMI' has no wells.*Did you mean 'BIM'"):
        relative_expression(_cell_lines(), target="BMI", reference="GAPDH", baseline="dox=-")
    with pytest.raises(AnalysisError, match="is not COLUMN=VALUE"):
        parse_baseline("dox")
    assert parse_baseline(["dox=-", "prednisolone=0"]) == {"dox": "-", "prednisolone": "0"}


def test_ntc_amplification_and_undetermined_wells_are_reported():
    df = _wells(
        [
            ("a", "BIM", 25.0, 1),
            ("a", "BIM", np.nan, 1),
            ("a", "GAPDH", 18.0, 1),
            ("b", "BIM", 23.0, 1),
            ("b", "GAPDH", 18.0, 1),
            ("NTC", "BIM", 34.2, 1),
            ("NTC", "GAPDH", np.nan, 1),
        ]
    )
    df["task"] = ["unknown"] * 5 + ["ntc", "ntc"]
    res = relative_expression(df, target="BIM", reference="GAPDH", baseline="sample=a")
    flags = res.extra["flags"].set_index("well")
    assert "amplified (Ct 34.2)" in flags.loc["W5", "note"]
    assert "no amplification (as expected)" in flags.loc["W6", "note"]
    assert "Undetermined" in flags.loc["W1", "note"]
    t = res.table.set_index("sample")
    assert t.loc["a", "n_undetermined"] == 1 and t.loc["a", "n_wells"] == 1
    assert "undetermined" in t.loc["a", "message"]
    assert t.loc["b", "relative_expression"] == pytest.approx(4.0)
    assert "NTC" not in t.index


# --------------------------------------------------------------------------- messy data (issue 9)
def _two_samples(extra: list[tuple] = ()) -> pd.DataFrame:
    """Sample a: BIM 26, GAPDH 18; sample b: BIM 24, GAPDH 18 (b = 2^2 = 4-fold a), plus ``extra``."""
    rows = [
        ("a", "BIM", 26.0, 1),
        ("a", "GAPDH", 18.0, 1),
        ("b", "BIM", 24.0, 1),
        ("b", "GAPDH", 18.0, 1),
        *extra,
    ]
    return _wells(rows)


@pytest.mark.parametrize("bad", [-5.0, 0.0, 1e-300, 0.5, np.inf, -np.inf, 1e400, 75.0])
def test_impossible_ct_is_an_excluded_well_with_a_message(bad):
    """A Ct must be finite and in [1, 50] cycles (no threshold crossing before the first cycle; runs
    are 40-50 cycles): -5, 0, 1e-300, inf or 75 is a flagged well, never a number in the mean. Without it, b is still 2^(26-24) = 4-fold a."""
    df = _two_samples([("b", "BIM", bad, 1)])
    res = relative_expression(df, target="BIM", reference="GAPDH", baseline="sample=a")
    wells = res.extra["wells"].set_index("well")
    assert wells.loc["W4", "exclude"]
    assert "impossible" in wells.loc["W4", "message"] and "[1, 50]" in wells.loc["W4", "message"]
    assert not wells.loc[["W0", "W1", "W2", "W3"], "exclude"].any()
    t = res.table.set_index("sample")
    assert t.loc["b", "relative_expression"] == pytest.approx(4.0)
    assert t.loc["b", "flagged"] and "1 well(s) excluded" in t.loc["b", "message"]
    assert not t.loc["a", "flagged"]
    assert "impossible" in res.extra["flags"].set_index("well").loc["W4", "note"]


def test_max_ct_is_configurable():
    """A 60-cycle run may report Ct 55: allowed with max_ct=60."""
    df = _two_samples([("c", "BIM", 55.0, 1), ("c", "GAPDH", 18.0, 1)])
    res = relative_expression(df, target="BIM", reference="GAPDH", baseline="sample=a", max_ct=60)
    assert res.table.set_index("sample").loc["c", "relative_expression"] == pytest.approx(2.0**-29)
    assert not res.extra["wells"]["exclude"].any()


def test_a_table_of_only_impossible_cts_is_an_error_naming_the_well():
    df = _wells([("a", "BIM", -5.0, 1), ("a", "GAPDH", 0.0, 1), ("b", "BIM", np.inf, 1)])
    with pytest.raises(AnalysisError, match=r"run.csv: no well has a usable Ct.*well W0.*-5"):
        relative_expression(
            df, target="BIM", reference="GAPDH", baseline="sample=a", where="run.csv"
        )


def test_target_equal_to_reference_is_a_usage_error():
    with pytest.raises(AnalysisError, match=r"'GAPDH' is both a target and a reference gene"):
        relative_expression(
            _two_samples(), target=["BIM", "GAPDH"], reference="GAPDH", baseline="sample=a"
        )


def test_duplicated_well_is_flagged_not_counted_as_a_replicate():
    """The same plate + well + target twice: identical copies keep the first (the repeat is
    excluded); different Cts exclude every copy (which one is right is unknown)."""
    same = _two_samples([("b", "BIM", 24.0, 1)])
    same.loc[4, "well"] = "W2"  # an exact repeat of row W2
    res = relative_expression(same, target="BIM", reference="GAPDH", baseline="sample=a")
    wells = res.extra["wells"]
    assert wells["exclude"].tolist() == [False, False, False, False, True]
    assert "listed 2 times" in wells["message"].iloc[4]
    b = res.table.set_index("sample").loc["b"]
    assert b["relative_expression"] == pytest.approx(4.0) and b["n_wells"] == 1

    diff = _two_samples([("b", "BIM", 30.0, 1)])
    diff.loc[4, "well"] = "W2"
    res = relative_expression(diff, target="BIM", reference="GAPDH", baseline="sample=a")
    wells = res.extra["wells"]
    assert wells["exclude"].tolist() == [False, False, True, False, True]
    assert "different Ct" in wells["message"].iloc[2]
    b = res.table.set_index("sample").loc["b"]
    assert np.isnan(b["relative_expression"]) and b["flagged"]


def test_undetermined_reference_in_one_sample_says_so():
    df = _two_samples([("c", "BIM", 25.0, 1), ("c", "GAPDH", np.nan, 1)])
    t = relative_expression(df, target="BIM", reference="GAPDH", baseline="sample=a").table
    c = t.set_index("sample").loc["c"]
    assert np.isnan(c["relative_expression"]) and c["flagged"]
    assert "reference gene GAPDH not detected" in c["message"]
    assert t.set_index("sample").loc["b", "relative_expression"] == pytest.approx(4.0)


def test_file_efficiencies_pfaffl_by_hand():
    """Pfaffl (2001): ratio = E_t^(dCt_t control-treated) / E_r^(dCt_r control-treated).
    BIM E 1.9: 26 -> 24; GAPDH E 2.0: 18 -> 18.5: 1.9^2 / 2^-0.5 = 3.61 x 1.41421 = 5.10531."""
    df = _wells(
        [("a", "BIM", 26.0, 1), ("a", "GAPDH", 18.0, 1), ("b", "BIM", 24.0, 1), ("b", "GAPDH", 18.5, 1)]
    )
    df["efficiency"] = [1.9, 2.0, 1.9, 2.0]
    res = relative_expression(df, target="BIM", reference="GAPDH", baseline="sample=a")
    assert res.meta["method"] == "pfaffl"
    assert res.table.set_index("sample").loc["b", "relative_expression"] == pytest.approx(
        5.10531, abs=1e-4
    )


def test_an_implausible_file_efficiency_falls_back_with_a_note():
    """An efficiency column of 0 (a placeholder some RDML writers use) or 95 is not a factor: it is
    ignored (Livak) and said in meta, not an error."""
    df = _two_samples()
    df["efficiency"] = [0.0, 2.0, 0.0, 2.0]
    res = relative_expression(df, target="BIM", reference="GAPDH", baseline="sample=a")
    assert res.meta["method"] == "livak"
    assert any("BIM" in n and "ignored" in n for n in res.meta["notes"])
    assert res.table.set_index("sample").loc["b", "relative_expression"] == pytest.approx(4.0)


def test_technical_replicates_far_apart_flag_their_group():
    """Wells 24 and 26.5 of one sample (2.5 cycles apart > 1): the group keeps its value (mean Ct
    25.25 -> 2^(26-25.25) = 1.68-fold a) but is flagged with the spread in the message."""
    df = _two_samples([("b", "BIM", 26.5, 1)])
    t = relative_expression(df, target="BIM", reference="GAPDH", baseline="sample=a").table
    b = t.set_index("sample").loc["b"]
    assert b["relative_expression"] == pytest.approx(2**0.75)
    assert b["flagged"] and "span 2.50 cycles" in b["message"]
