"""Mechanism ablation: which part of the model carries steroid resistance.

For two resistant settings -- SUPT-1 NRAS G12D induced with doxycycline, and IL7 (25 ng/ml) on
IL7-responsive (PDX-like, ``il7r_level`` = 1) cells -- each mechanism is switched off in turn by
setting its parameters, and the 96 h viability under prednisolone 250 ug/ml (relative to the same
cells without prednisolone) is compared with the steroid-sensitive reference of the same setting
(no doxycycline, or no IL7) under the same ablation.

``retained`` = (resistant - sensitive) / (resistant - sensitive of the full model): 1 when the
ablation leaves resistance as it is, 0 when the resistant cells die like the sensitive ones.
Verdicts: ``kept`` (retained >= 0.75), ``reduced`` (0.25-0.75), ``lost`` (< 0.25), and
``no steroid kill`` when the sensitive reference itself survives (viability > 0.5): then the
ablation removed the steroid response, not the resistance.

>>> [a.name for a in ABLATIONS][:2]
['full model', 'loss of binding']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: prednisolone 250 ug/ml (the top of the paper's screens) in uM: 250 / 360.44 g/mol * 1e3
PREDNISOLONE_UM = 250.0 / 360.44 * 1e3
HOURS = 96.0  # paper Methods: viability after 4 days
IL7_NG_ML = 25.0  # paper Methods: IL7 in the PDX screens
KEPT, LOST = 0.75, 0.25
#: sensitive reference above this viability: the steroid no longer kills at all
NO_KILL = 0.5

COLUMNS = (
    "setting",
    "mechanism",
    "switched_off",
    "viability_sensitive",
    "viability_resistant",
    "retained",
    "verdict",
)


@dataclass(frozen=True)
class Setting:
    """A resistant setting and its steroid-sensitive reference (condition columns)."""

    name: str
    sensitive: Mapping[str, object]
    resistant: Mapping[str, object]


SETTINGS = (
    Setting(
        "NRAS G12D +dox",
        {"genotype": "NRAS_G12D", "dox": 0.0},
        {"genotype": "NRAS_G12D", "dox": 1.0},
    ),
    Setting(
        "IL7 (IL7-responsive cells)",
        {"genotype": "parental", "dox": 0.0, "p.il7r_level": 1.0, "il7": 0.0},
        {"genotype": "parental", "dox": 0.0, "p.il7r_level": 1.0, "il7": IL7_NG_ML},
    ),
)


@dataclass(frozen=True)
class Ablation:
    """One mechanism and the parameter values that switch it off (a callable gets the nominal
    parameter values {name: value} and returns the overrides)."""

    name: str
    overrides: Callable[[Mapping[str, float]], dict[str, float]]


def _same_as(pairs: Mapping[str, str]) -> Callable[[Mapping[str, float]], dict[str, float]]:
    return lambda p: {k: p[v] for k, v in pairs.items()}


def _zero(*names: str) -> Callable[[Mapping[str, float]], dict[str, float]]:
    return lambda p: dict.fromkeys(names, 0.0)


ABLATIONS = (
    Ablation("full model", lambda p: {}),
    # the paper's mechanism (Fig. 4): phospho-BIM binds BCL2 / BCLXL / MCL1 like BIM
    Ablation("loss of binding", _same_as({"Kd_pbim": "Kd_bim", "kon_pbim": "kon_bim"})),
    # assumption: phospho-BIM is degraded faster and more by the proteasome
    Ablation("pBIM turnover", _same_as({"kdeg_pbim": "kdeg_bim", "pf_pbim": "pf_bim"})),
    Ablation(
        "loss of binding + pBIM turnover",
        _same_as(
            {
                "Kd_pbim": "Kd_bim",
                "kon_pbim": "kon_bim",
                "kdeg_pbim": "kdeg_bim",
                "pf_pbim": "pf_bim",
            }
        ),
    ),
    Ablation("ERK -> BIM phosphorylation", _zero("k_p_el", "k_p_l")),
    Ablation("MCL1 induction by GR", _zero("a_gr_mcl1")),
    Ablation("STAT5 -> BCL2/MCL1", _zero("a_stat_bcl2", "a_stat_mcl1")),
    Ablation(
        "PI3K-AKT survival",
        lambda p: {"a_akt_bcl2": 0.0, "w_jak_akt": 0.0, "w_ras_akt": 0.0, "b_akt": 0.0},
    ),
    Ablation("GR -> BIM", _zero("a_gr_bim")),
)


def _verdict(sens: float, retained: float) -> str:
    if not np.isfinite(retained) or sens > NO_KILL:
        return "no steroid kill"
    return "kept" if retained >= KEPT else "lost" if retained < LOST else "reduced"


def ablation_table(
    ablations=ABLATIONS, settings=SETTINGS, *, engine: str = "batched"
) -> pd.DataFrame:
    """Viability under prednisolone with each mechanism switched off in turn.

    Parameters
    ----------
    ablations, settings
        The mechanisms (:data:`ABLATIONS`) and resistant settings (:data:`SETTINGS`).
    engine
        Model engine (``batched``, ``roadrunner``, ``scipy``).

    Returns
    -------
    pandas.DataFrame
        One row per setting x mechanism: setting, mechanism, switched_off ("name=value; ..."),
        viability_sensitive and viability_resistant (96 h, prednisolone 250 ug/ml relative to
        no prednisolone, 0-1+), retained (share of the full model's resistance left), verdict.
    """
    from tallrx.model.network import NETWORK
    from tallrx.model.simulate import simulate_batch

    nominal = {p.name: p.value for p in NETWORK.parameters}
    rows = []
    for s in settings:
        for a in ablations:
            over = a.overrides(nominal)
            for arm in ("sensitive", "resistant"):
                for pred in (0.0, PREDNISOLONE_UM):
                    row = dict(getattr(s, arm))
                    row.update({f"p.{k}": v for k, v in over.items()})
                    row.update(prednisolone=pred, setting=s.name, mechanism=a.name, arm=arm)
                    rows.append(row)
    cond = pd.DataFrame(rows)
    for col in cond.columns:
        if col.startswith("p."):  # a parameter an ablation leaves alone keeps its nominal value
            cond[col] = cond[col].fillna(nominal[col[2:]])
    if "il7" in cond:
        cond["il7"] = cond["il7"].fillna(0.0)
    res = simulate_batch(cond, [HOURS], engine=engine, observables=["viable_cells"]).table
    v = res["value"].to_numpy().reshape(-1, 2)  # (vehicle, prednisolone) pairs, row order kept
    rel = v[:, 1] / v[:, 0]
    out = []
    for i, (s, a) in enumerate((s, a) for s in settings for a in ablations):
        sens, res_ = rel[2 * i], rel[2 * i + 1]
        over = a.overrides(nominal)
        out.append(
            {
                "setting": s.name,
                "mechanism": a.name,
                "switched_off": "; ".join(f"{k}={v:g}" for k, v in over.items()) or "-",
                "viability_sensitive": sens,
                "viability_resistant": res_,
            }
        )
    df = pd.DataFrame(out)
    full = df.groupby("setting", sort=False).first()  # the first ablation is the full model
    gap = df["setting"].map(full["viability_resistant"] - full["viability_sensitive"])
    df["retained"] = (df["viability_resistant"] - df["viability_sensitive"]) / gap
    df["verdict"] = [_verdict(r.viability_sensitive, r.retained) for r in df.itertuples()]
    return df[list(COLUMNS)]


def markdown_table(df: pd.DataFrame) -> str:
    """The ablation table as Markdown (viabilities and retained share to 2 decimals)."""
    head = "| setting | mechanism switched off | parameters | sensitive | resistant | retained | verdict |"
    lines = [head, "|" + "---|" * 7]
    for r in df.itertuples(index=False):
        lines.append(
            f"| {r.setting} | {r.mechanism} | {r.switched_off} | {r.viability_sensitive:.2f} "
            f"| {r.viability_resistant:.2f} | {r.retained:.2f} | {r.verdict} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m tallrx.model.ablation: the docs table
    print(markdown_table(ablation_table()), end="")
