"""Plate-scale virtual experiments described in a TOML file -> tidy tables.

Example (every section is a list; units of doses default to uM)::

    seed = 1

    [[viability]]                      # -> wells.csv
    name = "fig1a"
    genotypes = ["parental", "IL7R_WT", "IL7R_V253GPSL"]
    dox = [0, 1]
    readout = "mtt"                    # or "atplite"
    plate_format = 96
    replicates = 3
    drugs = { prednisolone = { low = 0.00822, high = 250, n = 10, unit = "ug/ml" } }
    combinations = [ { drug_a = "prednisolone", low_a = 0.01, high_a = 100, n_a = 5,
                       drug_b = "selumetinib", low_b = 0.001, high_b = 10, n_b = 5,
                       design = "matrix" } ]

    [[blot]]                           # -> blots.csv
    genotypes = ["JAK1_WT", "JAK1_R724H", "JAK1_T901A"]
    dox = [0, 1]
    treatments = [ {}, { ci1040 = 2.0 } ]
    hours = 24

    [[coip]]                           # -> coip.csv
    genotypes = ["NRAS_G12D"]
    dox = [0, 1]
    treatments = [ {}, { prednisolone = "250 ug/ml" } ]

    [[qpcr]]                           # -> qpcr.csv
    genotypes = ["JAK1_T901A"]
    dox = [0, 1]
    treatments = [ {}, { prednisolone = "250 ug/ml" } ]

    [[timecourse]]                     # -> timecourse.csv
    genotypes = ["NRAS_G12D"]
    dox = [1]
    treatments = [ { ruxolitinib = 2 }, { selumetinib = 10 } ]
    hours = [0, 0.5, 24, 96]

Instead of ``genotypes`` a section may name virtual PDX ``samples`` (or ``cohort = true`` for all
of them) from the shipped cohort; ``il7`` lists IL7 concentrations (ng/ml).

``conditions`` replaces the ``dox`` x ``il7`` x ``treatments`` product by an explicit list, one
table per condition (its ``dox``, ``il7`` and drug doses), e.g. Fig. 2C's three lanes::

    conditions = [ { dox = 0 }, { dox = 1 }, { dox = 1, ci1040 = 2 } ]

A dose series may be listed instead of spanned: ``{ doses = [0.01, 0.1, 1], unit = "uM" }``
in ``drugs``, and ``doses_a`` / ``doses_b`` in a combination.

The paper's own designs ship as :data:`PAPER_EXPERIMENTS` (``tallrx simulate`` runs it;
``tallrx reproduce`` builds its virtual experiments from the same sections).
"""

from __future__ import annotations

import importlib.resources
import json
import os
import tomllib
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd

from tallrx._atomic import atomic_dir
from tallrx._result import json_safe
from tallrx.errors import InputError, TallrxError, did_you_mean
from tallrx.model import virtual as assays
from tallrx.model.genotypes import DRUGS, normalize_drug, normalize_genotype
from tallrx.model.simulate import simulate_batch
from tallrx.model.solvers import ENGINES
from tallrx.model.virtual.cohort import cohort_conditions, load_cohort
from tallrx.units import to_um

#: the paper's experiments (van der Zwet et al. 2021) as one experiment file
PAPER_EXPERIMENTS = (
    importlib.resources.files("tallrx") / "data" / "model" / "paper_experiments.toml"
)
SECTIONS = ("viability", "blot", "coip", "qpcr", "timecourse")
_COMMON = {
    "name", "genotypes", "samples", "cohort", "dox", "il7", "treatments", "conditions", "hours"
}  # fmt: skip
#: keys of one ``conditions`` entry besides drug names
CONDITION_KEYS = ("dox", "il7")
KEYS = {
    "viability": _COMMON
    | {"drugs", "combinations", "readout", "plate_format", "replicates", "n_vehicle", "n_blank"},
    "blot": _COMMON | {"targets"},
    "coip": _COMMON | {"replicates"},
    "qpcr": _COMMON | {"replicates", "technical"},
    "timecourse": _COMMON | {"observables"},
}
OUTPUT = {
    "viability": "wells",
    "blot": "blots",
    "coip": "coip",
    "qpcr": "qpcr",
    "timecourse": "timecourse",
}


#: (lowest, highest) of the whole-number settings of a section
COUNTS = {
    "replicates": (1, 96),
    "technical": (1, 12),
    "n_blank": (0, 384),
    "n_vehicle": (1, 384),
    "n": (1, 100),
    "n_a": (1, 100),
    "n_b": (1, 100),
}


def _count(spec: dict, key: str, default, where: str):
    """A whole-number setting within :data:`COUNTS` (``default`` when absent)."""
    value = spec.get(key, default)
    if value is None:
        return None
    low, high = COUNTS[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InputError(
            f"{where}: {key} = {value!r}; expected a whole number from {low} to {high}"
        )
    return value


def parse_dose(value, drug: str, where: str) -> float:
    """A dose (uM) from a number (uM) or a string with a unit, e.g. '250 ug/ml' (finite, >= 0).

    >>> round(parse_dose("250 ug/ml", "prednisolone", "x"), 1)  # 250 / 360.44 g/mol * 1e3
    693.6
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _finite_dose(float(value), value, drug, where)
    text = str(value).strip()
    for i in range(len(text), 0, -1):
        try:
            number = float(text[:i])
        except ValueError:
            continue
        unit = text[i:].strip() or "uM"
        return _finite_dose(float(to_um(number, unit, drug=drug)), value, drug, where)
    raise InputError(
        f"{where}: dose {value!r} of {drug} is not a number with an optional unit "
        "(e.g. 2, '2 uM', '250 ug/ml')"
    )


def _finite_dose(um: float, value, drug: str, where: str) -> float:
    if not 0.0 <= um < np.inf:
        raise InputError(f"{where}: dose {value!r} of {drug}; expected a finite dose >= 0")
    return um


def dose_series(spec, drug: str, where: str, suffix: str = "") -> np.ndarray:
    """The doses (uM) of ``drug`` in ``spec``: ``doses{suffix}`` listed, or ``n{suffix}`` doses
    spaced evenly in log from ``low{suffix}`` to ``high{suffix}`` (``unit{suffix}``, default uM).

    >>> dose_series({"low": 1, "high": 100, "n": 3}, "selumetinib", "x").tolist()
    [1.0, 10.0, 100.0]
    >>> dose_series({"doses": [0, 2], "unit": "nM"}, "selumetinib", "x").tolist()
    [0.0, 0.002]
    """
    listed = spec.get(f"doses{suffix}") if isinstance(spec, dict) else None
    if listed is not None:
        if not isinstance(listed, list) or not listed:
            raise InputError(f"{where}: doses{suffix} of {drug} must be a non-empty list")
        unit = spec.get(f"unit{suffix}", "uM")
        return np.array([parse_dose(f"{v} {unit}", drug, where) for v in listed])
    try:
        lo, hi = spec[f"low{suffix}"], spec[f"high{suffix}"]
        n = _count(spec, f"n{suffix}", None, where)
        if n is None:
            raise KeyError(f"n{suffix}")
    except (KeyError, TypeError):
        raise InputError(
            f"{where}: doses of {drug} need low{suffix}, high{suffix} and "
            f"n{suffix} (and optionally unit{suffix}), or a list doses{suffix}"
        ) from None
    unit = spec.get(f"unit{suffix}", "uM")
    doses = np.geomspace(
        parse_dose(f"{lo} {unit}", drug, where), parse_dose(f"{hi} {unit}", drug, where), n
    )
    if n < 1 or not np.all(doses > 0):
        raise InputError(f"{where}: doses of {drug} must be positive with n >= 1")
    return doses


def _drugs(table, where: str) -> dict[str, float]:
    """One treatment table -> {drug: dose in uM}."""
    return {normalize_drug(d, where=where): parse_dose(v, d, where) for d, v in dict(table).items()}


def _tables(sec: dict, key: str, where: str, example: str) -> list:
    value = sec.get(key, [{}])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise InputError(f"{where}: {key} must be a list of tables, e.g. {example}")
    return value


def condition_rows(sec: dict, where: str = "experiment") -> list[dict]:
    """The conditions of a section: each a dict of dox, il7 (ng/ml) and drug doses (uM).

    Either the explicit ``conditions`` list or the product ``dox`` x ``il7`` x ``treatments``.

    >>> condition_rows({"dox": [0, 1], "treatments": [{}, {"ci1040": 2}]})[1]
    {'dox': 0.0, 'il7': 0.0, 'ci1040': 2.0}
    >>> condition_rows({"conditions": [{"dox": 1, "ci1040": 2}]})
    [{'dox': 1.0, 'il7': 0.0, 'ci1040': 2.0}]
    """
    if "conditions" in sec:
        clash = [k for k in ("dox", "il7", "treatments") if k in sec]
        if clash:
            raise InputError(f"{where}: give either conditions or {clash[0]}, not both")
        rows = []
        for c in _tables(sec, "conditions", where, "[{dox = 0}, {dox = 1, ci1040 = 2}]"):
            drugs = {k: v for k, v in c.items() if k not in CONDITION_KEYS}
            rows.append(
                {
                    "dox": float(c.get("dox", 0)),
                    "il7": float(c.get("il7", 0)),
                    **_drugs(drugs, where),
                }
            )
        return rows
    treatments = _tables(sec, "treatments", where, "[{}, {ci1040 = 2}]")
    treat_rows = [_drugs(t, where) for t in treatments]
    dox = [float(x) for x in sec.get("dox", [0])]
    il7 = [float(x) for x in sec.get("il7", [0])]
    return [{"dox": d, "il7": i, **t} for d, i, t in product(dox, il7, treat_rows)]


def section_conditions(sec: dict, where: str = "experiment") -> pd.DataFrame:
    """The conditions table of one section: a row per sample x condition.

    Returns
    -------
    pandas.DataFrame
        SUPT-1 lines: sample, genotype, dox, il7, one column per drug (uM, 0 = not added).
        PDX samples: sample, il7, the drug columns and the patient's ``p.*`` parameters.
    """
    conds = condition_rows(sec, where)
    if "genotypes" in sec:
        samples = [
            {"sample": g, "genotype": g}
            for g in (normalize_genotype(x, where=where) for x in sec["genotypes"])
        ]
        return pd.DataFrame([{**s, **c} for s, c in product(samples, conds)]).fillna(0.0)
    if "samples" in sec or sec.get("cohort"):
        cohort = load_cohort()
        names = sec.get("samples") or list(cohort["sample"])
        conds = [{k: v for k, v in c.items() if k != "dox"} for c in conds]
        return cohort_conditions(cohort, names, conds).fillna(0.0)
    raise InputError(
        f"{where}: give genotypes = [...] (SUPT-1 lines) or samples = [...] / "
        "cohort = true (virtual PDX)"
    )


def _viability(sec: dict, where: str, seed: int, engine: str) -> pd.DataFrame:
    blocks = section_conditions({k: v for k, v in sec.items() if k != "treatments"}, where)
    parts = [
        assays.treatments_single(d, dose_series(spec, d, where))
        for d, spec in dict(sec.get("drugs", {})).items()
    ]
    for combo in sec.get("combinations", []):
        a, b = combo.get("drug_a"), combo.get("drug_b")
        if not a or not b:
            raise InputError(f"{where}: a combination needs drug_a and drug_b")
        da = dose_series(combo, a, where, "_a")
        design = combo.get("design", "matrix")
        if design == "matrix":
            parts.append(assays.treatments_matrix(a, da, b, dose_series(combo, b, where, "_b")))
        elif design == "ray":
            parts.append(assays.treatments_ray(a, da, b, float(combo.get("ratio", 1.0))))
        else:
            raise InputError(f"{where}: design '{design}' is not 'matrix' or 'ray'")
    if not parts:
        raise InputError(
            f"{where}: a viability section needs drugs = {{...}} and/or combinations = [...]"
        )
    treat = pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)
    res = assays.viability_plates(
        blocks,
        treat,
        replicates=_count(sec, "replicates", 3, where),
        n_vehicle=_count(sec, "n_vehicle", None, where),
        n_blank=_count(sec, "n_blank", 8, where),
        readout=sec.get("readout", "mtt" if "genotypes" in sec else "atplite"),
        plate_format=int(sec.get("plate_format", 96 if "genotypes" in sec else 384)),
        plate_prefix=f"{sec.get('name', 'plate')}-",
        seed=seed,
        engine=engine,
    )
    return res.table


def _hours(sec: dict, default: float) -> float:
    h = sec.get("hours", default)
    return float(h[-1] if isinstance(h, list) else h)


def _section(kind: str, sec: dict, i: int, here: str, s: int, engine: str) -> pd.DataFrame:
    """The table of one section (``s``: its seed)."""
    if kind == "viability":
        df = _viability(sec, here, s, engine)
    elif kind == "blot":
        lanes = section_conditions(sec, here).assign(blot=sec.get("name", f"blot{i + 1}"))
        df = assays.western_blots(
            lanes,
            targets=sec.get("targets", assays.BLOT_TARGETS),
            hours=_hours(sec, 24.0),
            seed=s,
            engine=engine,
        ).table
    elif kind == "coip":
        df = assays.coip_ms(
            section_conditions(sec, here),
            replicates=_count(sec, "replicates", 3, here),
            hours=_hours(sec, 24.0),
            seed=s,
            experiment=sec.get("name", "BIM-IP"),
            engine=engine,
        ).table
    elif kind == "qpcr":
        df = assays.qpcr_plate(
            section_conditions(sec, here),
            replicates=_count(sec, "replicates", 3, here),
            technical=_count(sec, "technical", 2, here),
            hours=_hours(sec, 16.0),
            seed=s,
            plate=sec.get("name", f"qPCR{i + 1}"),
            engine=engine,
        ).table
    else:
        blocks = section_conditions(sec, here)
        blocks = blocks.drop(columns=["sample"]) if "genotype" in blocks else blocks
        hours = sec.get("hours", [0, 0.5, 24, 96])
        df = simulate_batch(
            blocks,
            hours if isinstance(hours, list) else [hours],
            observables=sec.get("observables"),
            engine=engine,
        ).table
        if "name" in sec:
            df.insert(1, "experiment", sec["name"])
    return df


def run_experiment(spec: dict, *, where: str = "experiment", engine: str = "batched") -> dict:
    """Run every section of a parsed experiment; returns {table name: DataFrame}."""
    unknown = [k for k in spec if k not in (*SECTIONS, "seed", "engine", "description")]
    if unknown:
        raise InputError(
            f"{where}: unknown section '{unknown[0]}'; sections are "
            f"{', '.join(SECTIONS)}.{did_you_mean(unknown[0], SECTIONS)}"
        )
    seed = spec.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise InputError(f"{where}: seed = {seed!r}; expected a whole number from 0 to 2^32 - 1")
    engine = spec.get("engine", engine)
    if not isinstance(engine, str) or engine not in ENGINES:
        raise InputError(
            f"{where}: engine = {engine!r}; expected one of {', '.join(ENGINES)}."
            f"{did_you_mean(str(engine), ENGINES)}"
        )
    tables: dict[str, list[pd.DataFrame]] = {}
    for kind in SECTIONS:
        sections = spec.get(kind, [])
        sections = [sections] if isinstance(sections, dict) else sections
        if not isinstance(sections, list) or not all(isinstance(x, dict) for x in sections):
            raise InputError(
                f"{where}: '{kind}' must be a table or a list of tables ([[{kind}]] sections)"
            )
        for i, sec in enumerate(sections):
            name = sec.get("name")
            here = f"{where}: [[{kind}]] #{i + 1}" + (f" ({name})" if name else "")
            bad = [k for k in sec if k not in KEYS[kind]]
            if bad:
                raise InputError(
                    f"{here}: unknown key '{bad[0]}'; expected one of "
                    f"{', '.join(sorted(KEYS[kind]))}."
                    f"{did_you_mean(bad[0], KEYS[kind])}"
                )
            try:
                df = _section(kind, sec, i, here, seed + 1000 * i, engine)
            except TallrxError:
                raise
            except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
                raise InputError(
                    f"{here}: a value has the wrong type or form ({type(exc).__name__}: "
                    f"{exc}); see the example experiment in the tallrx.model.experiment docs"
                ) from None
            tables.setdefault(OUTPUT[kind], []).append(df)
    if not tables:
        raise InputError(
            f"{where}: no sections; add [[viability]], [[blot]], [[coip]], "
            "[[qpcr]] or [[timecourse]]"
        )
    out = {}
    for k, parts in tables.items():
        df = pd.concat(parts, ignore_index=True)
        drugs = [c for c in df.columns if c in DRUGS]  # absent drug = 0 uM, not missing
        df[drugs] = df[drugs].fillna(0.0)
        out[k] = df
    return out


def paper_experiments() -> dict:
    """The parsed :data:`PAPER_EXPERIMENTS` file (a fresh dict per call)."""
    return tomllib.loads(PAPER_EXPERIMENTS.read_text(encoding="utf-8"))


def read_experiment(path: str | os.PathLike) -> dict:
    """Parse an experiment TOML file (errors name the file and the TOML problem)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such experiment file")
    if not path.is_file():
        raise InputError(f"{path}: is a folder, not an experiment TOML file")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(
            f"{path}: not a text file (binary or not UTF-8); an experiment is a TOML text "
            "file, see `tallrx simulate --help`"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def write_experiment(
    path: str | os.PathLike, out: str | os.PathLike, *, engine: str = "batched"
) -> dict[str, Path]:
    """Run the experiment file ``path`` and write one CSV per table into ``out`` (atomically)."""
    spec = read_experiment(path)
    tables = run_experiment(spec, where=str(path), engine=engine)
    written = {}
    with atomic_dir(out) as tmp:
        for name, df in tables.items():
            df.to_csv(tmp / f"{name}.csv", index=False)
            written[name] = Path(out) / f"{name}.csv"
        (tmp / "experiment.json").write_text(
            json.dumps(
                json_safe(
                    {
                        "experiment": str(path),
                        "engine": engine,
                        "tables": {k: len(v) for k, v in tables.items()},
                        "spec": spec,
                    }
                ),
                indent=2,
            ),
            encoding="utf-8",
        )
    return written
