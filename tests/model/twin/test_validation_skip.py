"""validate_twins skips a virtual patient whose screen failed plate QC (no usable wells)."""

from __future__ import annotations

import pandas as pd

from tallrx.workflows.twin.validate import usable_patients


def test_patient_with_every_well_excluded_is_skipped():
    wells = []
    for sample, exclude in (("VP01", False), ("VP02", True)):
        for conc in (0.0, 1.0, 10.0):
            wells.append({"sample": sample, "drug_a": "prednisolone" if conc else "",
                          "conc_a": conc, "il7": 0.0, "viability": 100.0 - 5 * conc,
                          "role": "treated" if conc else "vehicle", "exclude": exclude})
    patients = pd.DataFrame({"sample": ["VP01", "VP02"], "gr_level": [1.0, 2.0]})
    kept, skipped = usable_patients(patients, pd.DataFrame(wells))
    assert skipped == ["VP02"]
    assert list(kept["sample"]) == ["VP01"] and kept["gr_level"].tolist() == [1.0]


def test_posterior_reaches_the_twins_and_unknown_truths_are_not_counted(monkeypatch):
    """validate_twins(posterior=...) hands the posterior to twin_samples (as `tallrx twin
    --posterior` does); parameters without a true value (the posterior's shared kinetics) are
    left out of the coverage instead of counting as misses."""
    import pandas as pd

    import tallrx.workflows.twin.validate as v

    seen = {}

    class Res:
        surface = pd.DataFrame(columns=["sample", "il7", "dose_a", "dose_b", "viability_median",
                                        "viability_lower", "viability_upper", "model_median"])
        calls = pd.DataFrame({"sample": pd.Series(dtype=object), "il7": pd.Series(dtype=float),
                              "synergy_call": pd.Series(dtype=object)})
        parameters = pd.DataFrame({
            "sample": ["VP01", "VP01"], "parameter": ["gr_level", "K_mek"],
            "lower": [0.0, 0.0], "upper": [1e9, 1e9], "width_ratio": [0.5, 1.0]})

    def fake_twins(table, samples, **kw):
        seen.update(kw)
        return Res()

    from tallrx.model.virtual.cohort import PARAMS

    patients = pd.DataFrame({"sample": ["VP01"], **{k: [1.0] for k in PARAMS}})
    monkeypatch.setattr(v, "virtual_patients", lambda n, seed, shared=None: patients)
    monkeypatch.setattr(v, "screen", lambda p, seed, **kw: pd.DataFrame())
    monkeypatch.setattr(v, "usable_patients", lambda p, t: (p, []))
    monkeypatch.setattr(v, "twin_samples", fake_twins)
    monkeypatch.setattr(v, "held_out", lambda p, seed, **kw: pd.DataFrame())
    monkeypatch.setattr(v, "_cell_means", lambda m: pd.DataFrame(
        columns=["sample", "il7", "dose_a", "dose_b", "viability"]))
    monkeypatch.setattr(v, "_truth_surface", lambda p, c, **kw: [])
    monkeypatch.setattr(v, "score_plates", lambda m, seed, n_null: pd.DataFrame(
        {"sample": pd.Series(dtype=object), "il7": pd.Series(dtype=float),
         "call": pd.Series(dtype=object)}))
    post = pd.DataFrame({"weight": [1.0], "K_mek": [0.3]})
    r = v.validate_twins(1, posterior=post)
    assert seen["posterior"] is post
    par = r["parameters"].set_index("parameter")
    assert par.loc["gr_level", "covered"] == 1.0 and pd.isna(par.loc["K_mek", "covered"])
    assert r["summary"].iloc[0]["parameter_coverage"] == 1.0


def test_matched_patients_carry_a_posterior_draw_into_the_simulation():
    """With all the weight on one draw, every virtual patient gets that draw's kinetics as
    ``p.`` columns, and cohort_conditions hands them to the engine unchanged."""
    import pandas as pd

    from tallrx.model.virtual.cohort import cohort_conditions
    from tallrx.workflows.twin.validate import _true_parameters, virtual_patients

    post = pd.DataFrame({"K_mek": [0.1, 0.7, 0.3], "k_erk": [1.0, 2.5, 3.0]})
    post.attrs["weight"] = [0.0, 1.0, 0.0]
    p = virtual_patients(4, shared=post)
    assert list(p["p.K_mek"]) == [0.7] * 4 and list(p["p.k_erk"]) == [2.5] * 4
    blocks = cohort_conditions(p, conditions=[{"il7": 0.0}])
    assert list(blocks["p.K_mek"]) == [0.7] * 4
    truth = _true_parameters(p)
    assert {"K_mek", "k_erk", "gr_level"} <= set(truth.columns)
    assert not any(c.startswith("p.") for c in truth.columns)
