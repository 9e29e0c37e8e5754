"""One encoding of the paper's designs: ``tallrx reproduce`` and ``tallrx simulate`` read the same
sections of ``data/model/paper_experiments.toml``.

The conditions reproduce hands to each virtual assay are captured (the assay is replaced by a
recorder, so nothing is simulated) and compared with the conditions ``tallrx simulate`` builds
from the same section (:func:`tallrx.model.experiment.section_conditions`). The paper checks
quote the figure legends (van der Zwet et al. 2021) and are worked by hand.
"""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest

from tallrx.model.experiment import PAPER_EXPERIMENTS, section_conditions
from tallrx.model.virtual.cohort import N_DOSES, PDX_WINDOWS
from tallrx.reproduce import design as D
from tallrx.reproduce import experiments as E

#: the file, parsed here without going through tallrx.reproduce.design
TOML = tomllib.loads(PAPER_EXPERIMENTS.read_text(encoding="utf-8"))
SECTIONS = {s["name"]: s for kind in TOML.values() if isinstance(kind, list) for s in kind}
DRUGS = ["prednisolone", "ci1040", "selumetinib", "trametinib", "ruxolitinib", "bortezomib"]


class _Captured(Exception):
    pass


def _capture(monkeypatch, assay: str, run) -> pd.DataFrame:
    """The conditions table ``run`` passes to the virtual assay ``assay`` (first call)."""
    seen = []

    def record(conditions, *args, **kwargs):
        seen.append(pd.DataFrame(conditions))
        raise _Captured

    monkeypatch.setattr(E, assay, record)
    with pytest.raises(_Captured):
        run(E.Context())
    return seen[0]


def _keys(df: pd.DataFrame) -> list[tuple]:
    """(genotype, dox, drug doses...) per row, in row order (absent drug = 0)."""
    df = df.assign(**{d: df[d] if d in df else 0.0 for d in DRUGS})
    dox = [float(x) if not isinstance(x, str) else float(x == "+") for x in df["dox"]]
    rows = zip(df["genotype"], dox, *(df[d].astype(float) for d in DRUGS), strict=True)
    return [(g, d, *np.round(v, 9)) for g, d, *v in rows]


def _simulate_keys(*names: str) -> list[tuple]:
    return [k for n in names for k in _keys(section_conditions(SECTIONS[n], n))]


def test_qpcr_genotypes_of_reproduce_are_the_files(monkeypatch):
    got = _capture(monkeypatch, "qpcr_plate", E.bim_expression)
    assert list(dict.fromkeys(got["genotype"])) == SECTIONS["fig3"]["genotypes"]
    assert _keys(got) == _simulate_keys("fig3")


def test_blot_lanes_of_fig2_are_the_files_sections(monkeypatch):
    got = _capture(monkeypatch, "western_blots", E.bim_phosphorylation)
    fig2c = _keys(got[got["blot"].str.startswith("fig2c")])
    assert fig2c == _simulate_keys("fig2c")
    series = got[got["blot"].str.startswith("fig2de")]
    assert sorted(_keys(series)) == sorted(
        _simulate_keys("fig2de_selumetinib", "fig2de_trametinib")
    )


def test_coip_conditions_are_the_files_three_ip_sets(monkeypatch):
    got = _capture(monkeypatch, "coip_ms", E.bim_binding)
    assert _keys(got) == _simulate_keys("fig4a", "fig4de", "suppl4e")
    assert got["ip_set"].unique().tolist() == ["fig4a", "fig4de", "suppl4e"]


def test_supt1_screen_blocks_are_the_files(monkeypatch):
    got = _capture(monkeypatch, "viability_plates", E.supt1_prednisolone)
    assert _keys(got) == _simulate_keys("fig1ab")


# ------------------------------------------------------------------ the paper, by hand
def test_fig3_lines_are_every_jak1_and_il7r_line_of_fig1():
    # Fig. 3 legend: "wild-type and mutant JAK1 and IL7R cell lines": 3 JAK1 + 5 IL7R = 8
    lines = SECTIONS["fig3"]["genotypes"]
    assert len(lines) == 8
    assert set(lines) == {g for g in SECTIONS["fig1ab"]["genotypes"] if g[:4] in ("JAK1", "IL7R")}
    assert D.QPCR_LINES == tuple(lines)


def test_fig2c_has_the_legends_three_lanes_per_line():
    # Fig. 2C legend: non-induced, induced (second lane), induced + 2 uM CI1040 (third lane)
    assert D.conditions("fig2c") == [{"dox": 0}, {"dox": 1}, {"dox": 1, "ci1040": 2.0}]


def test_selumetinib_series_spans_the_legends_0_to_100_um():
    assert D.SELUMETINIB_SERIES_UM[0] == 0.0 and D.SELUMETINIB_SERIES_UM[-1] == 100.0


def test_prednisolone_250_ug_ml_is_693_6_um_everywhere():
    # 250 ug/ml / 360.44 g/mol = 0.6936 mM = 693.6 uM
    for name in ("fig3", "fig4a", "fig4de", "suppl4e"):
        doses = {c.get("prednisolone") for c in D.conditions(name)} - {None}
        assert doses and all(x == pytest.approx(693.6, abs=0.05) for x in doses), name
    assert D.PRED_TOP_UM == pytest.approx(693.6, abs=0.05)


def test_pdx_screen_windows_match_the_cohort_calibration():
    for drug, spec in SECTIONS["pdx_screen"]["drugs"].items():
        assert (spec["low"], spec["high"]) == PDX_WINDOWS[drug] and spec["n"] == N_DOSES


def test_tox_doses_are_the_blot_series_without_vehicle():
    # Fig. 2D-E text: the blots' doses "did not induce cytotoxicity": same doses, 0 = vehicle
    for name in ("fig2de_selumetinib", "fig2de_trametinib"):
        drug, series = D.series(name)
        assert D.doses("fig2_tox", drug).tolist() == [c for c in series if c > 0]


def test_every_section_reproduce_reads_exists():
    for name in ("fig1ab", "fig1c", "pdx_screen", "fig1e", "fig2c", "fig2_tox", "fig3", "fig5c"):
        assert D.section(name)["name"] == name
    with pytest.raises(KeyError, match="no section named"):
        D.section("fig9")
