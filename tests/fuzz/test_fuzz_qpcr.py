"""`tallrx qpcr` under damaged real exports and targeted bad values (issue 9, points 6-7).

Every case ends in exit 0 with sane output (no inf / absurd relative expression, every flagged row
explained in its message) or exit 2 with one line naming the problem; never a traceback.
Real files: tests/data/formats/qpcr (see tests/data/formats/SOURCES.md and tests/data/README.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from .fuzzing import BAD_NUMBERS, FUZZ, UNICODE, check_contract, mutated

pytestmark = pytest.mark.fuzz

QPCR = Path(__file__).resolve().parents[1] / "data" / "formats" / "qpcr"

#: (file, analysis options) for each real or hand-written export; the two QuantStudio examples and
#: the raw RDML hold one measured gene only, so unmutated they end in a one-line exit 2
CASES = [
    ("biorad_cfx_maestro_Cq_results_example01.csv",
     ["--target", "FAM", "--reference", "VIC", "--baseline", "biological_set=PBS Baseline",
      "--by", "biological_set"]),
    ("appbio_quantstudio7_ddCt_96_example05.txt",
     ["--target", "TGF-B", "--reference", "GAPDH", "--baseline", "sample=Liver"]),
    ("appbio_quantstudio7_standard_curve_example04.txt",
     ["--target", "RNase P", "--reference", "RNase P", "--baseline", "sample=5K"]),
    ("rdml_v1.3_raw_melt_rdmlpython.rdml",
     ["--target", "CRE", "--reference", "CRE", "--baseline", "sample=Sample 1"]),
    ("rdml_v1.4_annotated_efficiency_handwritten.rdml",
     ["--target", "BCL2L11", "--reference", "GAPDH", "--baseline", "dox=-,prednisolone=0",
      "--by", "dox,prednisolone"]),
    ("wide_pcr_package_style_ct1.csv",
     ["--target", "c_myc", "--reference", "GAPDH", "--baseline", "sample=brain"]),
]


def _sane(out: Path) -> None:
    """An exit-0 output: finite or NaN relative expression (never inf or negative), and every row
    without a value flagged with a message."""
    expr = pd.read_csv(out / "expression.csv", keep_default_na=False, na_values=[""])
    re = pd.to_numeric(expr["relative_expression"], errors="coerce")
    assert not np.isinf(re).any() and not (re < 0).any(), expr
    missing = re.isna()
    assert expr.loc[missing, "flagged"].astype(str).eq("True").all(), expr
    assert expr.loc[missing, "message"].astype(str).str.len().gt(0).all(), expr
    wells = pd.read_csv(out / "qpcr.csv", keep_default_na=False)
    used = wells[wells["exclude"].astype(str) == "False"]
    ct = pd.to_numeric(used["ct"], errors="coerce")
    assert not ((ct < 1) | (ct > 50) | np.isinf(ct)).any(), used


def _run(folder: Path, name: str, options: list[str], *more: str):
    out = folder / "out"
    res = check_contract(["qpcr", folder / name, *options, "-o", out, *more], folder)
    if res.code == 0:
        _sane(out)
    return res


@FUZZ
@given(case=st.sampled_from(CASES).flatmap(
    lambda c: st.tuples(st.just(c), mutated((QPCR / c[0]).read_bytes()))))
def test_mutated_real_qpcr_exports(tmp_path_factory, case):
    (name, options), data = case
    folder = tmp_path_factory.mktemp("fzq")
    (folder / name).write_bytes(data)
    _run(folder, name, options)


def test_the_real_exports_run(tmp_path):
    """Unmutated, every case is analysed (same-gene cases are a usage error, exit 2)."""
    for name, options in CASES:
        folder = tmp_path / name.replace(".", "_")
        folder.mkdir()
        (folder / name).write_bytes((QPCR / name).read_bytes())
        res = _run(folder, name, options)
        single_gene = "quantstudio" in name or "raw_melt" in name
        assert res.code == (2 if single_gene else 0), res.err


LONG = "sample,target,ct\na,BIM,26\na,GAPDH,18\nb,BIM,24\nb,GAPDH,18\n"
BAD_CTS = [*BAD_NUMBERS, *UNICODE, "Undetermined", "No Ct", "0.5", "51", "-1e-300"]


def test_one_bad_ct_never_stops_the_batch(tmp_path):
    """Sample b<i>: BIM 24 + one more BIM well holding bad value i, GAPDH 18. Every b<i> is still
    2^(26-24) = 4-fold a (the bad well is flagged or a non-detect), in one batch (exit 0)."""
    rows = [LONG]
    for i, bad in enumerate(BAD_CTS):
        cell = '"' + bad.replace('"', '""') + '"'
        rows.append(f"b{i},BIM,24\nb{i},GAPDH,18\nb{i},BIM,{cell}\n")
    (tmp_path / "ct.csv").write_text("".join(rows))
    res = _run(tmp_path, "ct.csv", ["--target", "BIM", "--reference", "GAPDH",
                                    "--baseline", "sample=a"])
    assert res.code == 0, res.err
    expr = pd.read_csv(tmp_path / "out" / "expression.csv").set_index("sample")
    b = expr.loc[[f"b{i}" for i in range(len(BAD_CTS))]]
    fine = np.isclose(b["relative_expression"], 4.0)
    # a value that is a possible Ct (e.g. '1,5' = 1.5) is not excluded, but its group is flagged
    assert (fine | (b["flagged"] & b["message"].str.contains("span"))).all(), b
    assert b.loc[f"b{BAD_CTS.index('1,5')}", "message"].startswith("technical replicates span")
    wells = pd.read_csv(tmp_path / "out" / "qpcr.csv", keep_default_na=False)
    third = wells.iloc[6::3]  # the bad wells: each has a message, but '1,5' (1.5 cycles: possible)
    assert (third["message"].str.len() > 0).sum() == len(BAD_CTS) - 1, third


@pytest.mark.parametrize(
    "args",
    [
        ["--target", "GAPDH", "--reference", "GAPDH", "--baseline", "sample=a"],
        ["--target", "BIM", "--reference", "GAPDH", "--baseline", "sample=a", "--max-ct", "-1"],
        ["--target", "BIM", "--reference", "GAPDH", "--baseline", "sample=a", "--max-ct", "nan"],
        ["--target", "BIM", "--reference", "GAPDH", "--baseline", "sample=a", "--max-ct", "inf"],
        ["--target", "BIM", "--reference", "GAPDH", "--baseline", "sample=a", "--format", "rdml"],
        ["--target", "BIM", "--reference", "GAPDH", "--baseline", "sample=a", "--format", "quantstudio"],
        ["--target", "BIM", "--reference", "GAPDH", "--baseline", "sample=a", "--format", "xlsx"],
    ],
)
def test_bad_options_are_one_line_errors(tmp_path, args):
    (tmp_path / "ct.csv").write_text(LONG)
    res = _run(tmp_path, "ct.csv", args)
    assert res.code == 2


@pytest.mark.parametrize(
    "content",
    [b"", b"sample,target,ct\n", b"\x00\x01\x02binary", "sample,target,ct\na,BIM,26\n".encode("utf-16"),
     b"PK\x03\x04 not a zip", b"<rdml xmlns='http://www.rdml.org'></rdml>", b"<html></html>"],
)
def test_unreadable_files_name_the_file(tmp_path, content):
    (tmp_path / "run.csv").write_bytes(content)
    res = _run(tmp_path, "run.csv", ["--target", "BIM", "--reference", "GAPDH",
                                     "--baseline", "sample=a"])
    assert res.code in (0, 2)
    if res.code == 2:
        assert "run.csv" in res.err


def test_folder_and_duplicated_wells(tmp_path):
    (tmp_path / "plates").mkdir()
    res = _run(tmp_path, "plates", ["--target", "BIM", "--reference", "GAPDH",
                                    "--baseline", "sample=a"])
    assert res.code == 2 and "folder" in res.err
    (tmp_path / "ct.csv").write_text(
        "well,sample,target,ct\nA1,a,BIM,26\nA2,a,GAPDH,18\nB1,b,BIM,24\nB2,b,GAPDH,18\n"
        "B1,b,BIM,20\n"
    )
    res = _run(tmp_path, "ct.csv", ["--target", "BIM", "--reference", "GAPDH",
                                    "--baseline", "sample=a"])
    assert res.code == 0
    expr = pd.read_csv(tmp_path / "out" / "expression.csv").set_index("sample")
    assert np.isnan(expr.loc["b", "relative_expression"]) and expr.loc["b", "flagged"]
