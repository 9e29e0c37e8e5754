"""`tallrx coip`, `tallrx qpcr`, `tallrx blot`: outputs with fixed names, and one-line user errors."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tifffile

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "analysis"))
from test_blots import TARGETS, render  # noqa: E402
from test_coip import LOSS, TRUE, synthetic_coip  # noqa: E402

QPCR = TESTS / "data" / "formats" / "qpcr"
WELLMAP = TESTS / "data" / "formats" / "plate_layout" / "wellmap_qpcr_timecourse_384.toml"
# the fixed output columns of issue 5
BINDING_COLUMNS = (
    "protein comparison dox prednisolone ratio_mean log2_fc p_value q_value interactor lost_binding"
).split()
EXPRESSION_COLUMNS = "sample dox prednisolone target relative_expression sd lower upper n".split()
UNIPROT = {
    "BCL2L11": "O43521",
    "BCL2": "P10415",
    "MCL1": "Q07820",
    "BCL2L1": "Q07817",
    "AURKA": "O14965",
    "HSPA8": "P11142",
    "ACTB": "P60709",
    "TUBB": "P07437",
}


def write_proteingroups(folder: Path) -> tuple[Path, Path]:
    """The synthetic co-IP as a MaxQuant proteinGroups.txt (gene names only in FASTA headers)
    plus a sample sheet; one extra contaminant row flagged '+'."""
    coip = synthetic_coip(noise=0.05, seed=3)
    wide = coip.pivot(index="protein", columns="experiment", values="ibaq").fillna(0)
    pg = pd.DataFrame(
        {
            "Protein IDs": [f"sp|{UNIPROT[p]}|{p}_HUMAN" for p in wide.index],
            "Majority protein IDs": [f"sp|{UNIPROT[p]}|{p}_HUMAN" for p in wide.index],
            "Fasta headers": [
                f"sp|{UNIPROT[p]}|{p}_HUMAN protein OS=Homo sapiens GN={p} PE=1" for p in wide.index
            ],
        }
    )
    for exp in wide.columns:
        pg[f"iBAQ {exp}"] = wide[exp].to_numpy()
    pg["Reverse"] = ""
    pg["Potential contaminant"] = ""
    pg["Only identified by site"] = ""
    keratin = {c: (1e9 if c.startswith("iBAQ ") else "") for c in pg.columns}
    keratin.update(
        {
            "Protein IDs": "CON__P04264",
            "Majority protein IDs": "CON__P04264",
            "Potential contaminant": "+",
        }
    )
    pg = pd.concat([pg, pd.DataFrame([keratin])], ignore_index=True)
    path = folder / "proteinGroups.txt"
    pg.to_csv(path, sep="\t", index=False)
    sheet = coip[["experiment", "dox", "prednisolone", "replicate"]].drop_duplicates()
    sheet_path = folder / "samples.csv"
    sheet.to_csv(sheet_path, index=False)
    return path, sheet_path


def test_coip_command_writes_binding_and_report(tmp_path, run):
    pg, sheet = write_proteingroups(tmp_path)
    out = tmp_path / "out"
    code, err = run(["coip", pg, "--samples", sheet, "-o", out, "--bait", "BCL2L11"])
    assert code == 0, err
    binding = pd.read_csv(out / "binding.csv")
    assert set(BINDING_COLUMNS) <= set(binding.columns)
    lost = set(binding.loc[binding["lost_binding"], "protein"])
    assert lost == {p for p, f in LOSS.items() if f <= 0.5}
    ref = binding[(binding["group"] == "reference") & (binding["prednisolone"] == 0)]
    for prot, ratio in TRUE.items():
        assert ref.set_index("protein").loc[prot, "ratio_mean"] == pytest.approx(ratio, rel=0.1)
    assert "KRT1" not in set(binding["protein"]) and "P04264" not in set(binding["protein"])
    assert (out / "report.html").exists() and (out / "figures" / "fig4a_binding.png").exists()
    assert (out / "ratios.csv").exists() and (out / "coip.csv").exists()
    assert "lost binding: AURKA, BCL2, BCL2L1, MCL1" in err
    html = (out / "report.html").read_text()
    assert "lost binding: AURKA, BCL2, BCL2L1, MCL1</li>" in html and "protein&#39;s iBAQ" in html


def test_coip_user_errors_are_one_line_exit_2(tmp_path, run):
    pg, sheet = write_proteingroups(tmp_path)
    code, err = run(["coip", pg, "--samples", sheet, "-o", tmp_path / "o", "--bait", "BIN"])
    assert code == 2
    assert err.count("\n") == 1 and "bait 'BIN'" in err and str(pg) in err
    bad = pd.read_csv(sheet)
    bad.loc[0, "experiment"] = bad.loc[0, "experiment"] + "x"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    code, err = run(["coip", pg, "--samples", tmp_path / "bad.csv", "-o", tmp_path / "o"])
    assert code == 2 and "row 2" in err and "Did you mean" in err and err.count("\n") == 1
    code, err = run(["coip", tmp_path / "missing.txt", "-o", tmp_path / "o"])
    assert code == 2 and "no such file" in err
    assert not (tmp_path / "o").exists()


def _qpcr_long(path: Path) -> Path:
    rows = []
    for line, shift in (("JAK1 WT", 0.0), ("JAK1 R724H", 0.5)):
        for dox in "-+":
            for pred in (0, 250):
                for rep in (1, 2, 3):
                    bim = 27 + shift - (3 if pred else 0) + 0.1 * (rep - 2)
                    for tech in range(2):
                        rows += [
                            {
                                "sample": line,
                                "target": "BCL2L11",
                                "ct": bim + 0.05 * tech,
                                "dox": dox,
                                "prednisolone": pred,
                                "replicate": rep,
                            },
                            {
                                "sample": line,
                                "target": "GAPDH",
                                "ct": 18.0,
                                "dox": dox,
                                "prednisolone": pred,
                                "replicate": rep,
                            },
                        ]
    rows.append(
        {
            "sample": "NTC",
            "target": "BCL2L11",
            "ct": "Undetermined",
            "dox": "-",
            "prednisolone": 0,
            "replicate": 1,
            "task": "NTC",
        }
    )
    df = pd.DataFrame(rows)
    df["task"] = df["task"].fillna("unknown")
    df.to_csv(path, index=False)
    return path


def qpcr(data: Path, out: Path, *baseline: str, target: str = "BCL2L11") -> list:
    return [
        "qpcr",
        data,
        "--target",
        target,
        "--reference",
        "GAPDH",
        *[a for b in baseline for a in ("--baseline", b)],
        "-o",
        out,
    ]


def test_qpcr_command_long_table(tmp_path, run):
    data = _qpcr_long(tmp_path / "ct.csv")
    out = tmp_path / "q"
    code, err = run(qpcr(data, out, "dox=-", "prednisolone=0"))
    assert code == 0, err
    expr = pd.read_csv(out / "expression.csv")
    assert set(EXPRESSION_COLUMNS) <= set(expr.columns)
    pred = expr[expr["prednisolone"] == 250]
    assert np.allclose(pred["relative_expression"], 8.0)  # 3 cycles earlier = 2^3
    assert np.allclose(expr.loc[expr["prednisolone"] == 0, "relative_expression"], 1.0)
    assert (expr["n"] == 3).all()
    flags = pd.read_csv(out / "flags.csv")
    assert flags["task"].tolist() == ["ntc"]
    assert (out / "figures" / "fig3_expression.png").exists() and (out / "report.html").exists()


def test_qpcr_command_with_wellmap_layout(tmp_path, run):
    """Cts by ligand (gfp) over a constant 16s reference: expression vs apo = 2^-(dCt)."""
    import wellmap

    layout = wellmap.load(WELLMAP)
    shift = {
        "apo": 0.0,
        "holo": -1.0,
        "apo→apo": 0.0,
        "apo→holo": -2.0,
        "holo→apo": -1.0,
        "holo→holo": -3.0,
    }
    ct = [
        15.0 if p == "16s" else 25.0 + shift.get(lig, 0.0)
        for p, lig in zip(layout["primers"], layout["ligand"].fillna("apo"), strict=True)
    ]
    data = pd.DataFrame({"well": layout["well"], "sample": "s", "target": "x", "ct": ct})
    data.to_csv(tmp_path / "plate.csv", index=False)
    out = tmp_path / "q"
    code, err = run(
        [
            "qpcr",
            tmp_path / "plate.csv",
            "--layout",
            WELLMAP,
            "--target",
            "gfp",
            "--reference",
            "16s",
            "--baseline",
            "ligand=apo",
            "--by",
            "ligand",
            "-o",
            out,
        ],
    )
    assert code == 0, err
    expr = pd.read_csv(out / "expression.csv").set_index("ligand")
    assert expr.loc["holo→holo", "relative_expression"] == pytest.approx(8.0)
    assert expr.loc["apo→holo", "relative_expression"] == pytest.approx(4.0)


def test_qpcr_user_errors(tmp_path, run):
    qs = QPCR / "appbio_quantstudio7_ddCt_96_example05.txt"
    code, err = run(
        [
            "qpcr",
            qs,
            "--target",
            "TGF-B",
            "--reference",
            "GAPDH",
            "--baseline",
            "sample=Liver",
            "-o",
            tmp_path / "o",
        ],
    )
    assert code == 2 and "reference gene 'GAPDH' has no Ct in any sample well" in err
    assert str(qs) in err and err.count("\n") == 1
    data = _qpcr_long(tmp_path / "ct.csv")
    code, err = run(qpcr(data, tmp_path / "o", "dox=0"))
    assert code == 2 and "baseline dox=0 matches no sample wells" in err
    code, err = run(qpcr(data, tmp_path / "o", "dox=-", target="BIM"))
    assert code == 2 and "target 'BIM' has no wells" in err
    junk = tmp_path / "run.rdml"
    junk.write_bytes(b"\x00\x01garbage")
    code, err = run(qpcr(junk, tmp_path / "o", "x=1", target="A"))
    assert code == 2 and "run.rdml" in err and "RDML" in err
    assert not (tmp_path / "o").exists()


def test_blot_command_table(tmp_path, run):
    path = tmp_path / "bands.csv"
    pd.DataFrame(
        {
            "blot": "b",
            "lane": [1, 1, 1, 2, 2, 2],
            "sample": ["-dox"] * 3 + ["+dox"] * 3,
            "target": ["pERK", "ERK", "GAPDH"] * 2,
            "intensity": [100, 200, 50, 600, 300, 100],
        }
    ).to_csv(path, index=False)
    out = tmp_path / "b"
    code, err = run(["blot", path, "-o", out, "--loading", "GAPDH", "--phospho", "pERK:ERK"])
    assert code == 0, err
    bands = pd.read_csv(out / "bands.csv")
    assert list(bands.columns[:6]) == [
        "blot",
        "lane",
        "sample",
        "target",
        "intensity",
        "normalized",
    ]
    assert bands.set_index(["lane", "target"]).loc[(2, "pERK"), "normalized"] == 3.0
    assert pd.read_csv(out / "phospho.csv")["relative"].tolist() == [1.0, 4.0]
    code, err = run(["blot", path, "-o", out, "--loading", "GAPHD"])
    assert code == 2 and "Did you mean 'GAPDH'" in err and err.count("\n") == 1


def test_blot_command_image(tmp_path, run):
    amps = np.random.default_rng(1).uniform(50, 400, size=(8, 4))
    img = render(amps, dark=True)
    path = tmp_path / "blot.tif"
    tifffile.imwrite(path, np.clip(img, 0, 65535).astype(np.uint16))
    lanes = tmp_path / "lanes.csv"
    pd.DataFrame(
        {
            "lane": range(1, 9),
            "sample": [f"s{i}" for i in range(1, 9)],
            "selumetinib": [0, 0, 0.1, 1, 10, 100, 0, 0],
        }
    ).to_csv(lanes, index=False)
    out = tmp_path / "img"
    code, err = run(
        [
            "blot",
            path,
            "-o",
            out,
            "--targets",
            ",".join(TARGETS),
            "--samples",
            lanes,
            "--loading",
            "GAPDH",
            "--shift",
            "pBIM-EL:BIM-EL",
        ],
    )
    assert code == 0, err
    bands = pd.read_csv(out / "bands.csv")
    assert len(bands) == 32 and set(bands["target"]) == set(TARGETS)
    assert "selumetinib" in bands.columns
    shift = pd.read_csv(out / "shift.csv")
    vol = amps[:, 2] * 2.5 / (amps[:, 2] * 2.5 + amps[:, 3] * 2.5)
    assert np.abs(shift["fraction"].to_numpy() - vol).max() < 0.02
    assert (out / "figures" / "blot_image_lanes_bands.png").exists()
    assert (out / "lanes.csv").exists() and (out / "profiles.csv").exists()
