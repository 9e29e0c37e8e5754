"""The model what-if page: one virtual well's time courses and its 4-day viability curve.

Both come from :func:`tallrx.model.simulate_batch` (the batched engine): the time courses of the
chosen genotype, dox, IL7 (ng/ml) and drugs (uM) over 0-96 h, and the viable cells at 96 h
(relative to time 0) across a dose series of the first drug (the other drugs held fixed).
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field

import numpy as np

#: hours of the time courses
HOURS = (0.0, 1.0, 2.0, 4.0, 8.0, 12.0, 24.0, 36.0, 48.0, 72.0, 96.0)
#: observables drawn as time courses (see tallrx.model.OBSERVABLES)
SHOWN = ("pERK", "pBIM_EL", "BIM_total", "MCL1", "viable_cells")
#: the dose series of the viability curve: the chosen dose x these factors (uM)
DOSE_FACTORS = tuple(10.0 ** np.arange(-2.0, 2.01, 1.0))
_PLOT_LOCK = threading.Lock()  # matplotlib's text layout is not thread-safe


@dataclass
class WhatIf:
    """The page's inputs (genotype, dox, il7 ng/ml, drugs {name: uM})."""

    genotype: str = "NRAS_G12D"
    dox: bool = True
    il7: float = 0.0
    drugs: dict[str, float] = field(default_factory=lambda: {"prednisolone": 1.0})


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def compute(w: WhatIf) -> dict[str, object]:
    """``{"timecourse": data URI, "viability": data URI, "v96": viable cells at 96 h}``."""
    import pandas as pd

    from tallrx.model import normalize_drug, normalize_genotype, simulate_batch

    base = {"genotype": normalize_genotype(w.genotype), "dox": float(w.dox), "il7": float(w.il7)}
    drugs = {normalize_drug(k): float(v) for k, v in w.drugs.items()}
    rows = [{**base, **drugs}]
    first = next(iter(drugs), None)
    doses: list[float] = []
    if first is not None:
        ref = drugs[first] if drugs[first] > 0 else 1.0
        doses = [ref * f for f in DOSE_FACTORS]
        rows += [{**base, **drugs, first: d} for d in doses]
    res = simulate_batch(pd.DataFrame(rows).fillna(0.0), HOURS, engine="batched",
                         observables=list(SHOWN))
    t = res.table
    course = t[t["sim_id"] == 0]
    end = t[(t["observable"] == "viable_cells") & (t["time_h"] == HOURS[-1])]
    v96 = end.set_index("sim_id")["value"]
    with _PLOT_LOCK:
        tc = _timecourse_png(course, w)
        via = _viability_png(doses, [float(v96.get(i + 1, np.nan)) for i in range(len(doses))],
                             first, w)
    return {"timecourse": _data_uri(tc), "viability": _data_uri(via),
            "v96": float(v96.get(0, np.nan))}


def _label(w: WhatIf) -> str:
    drugs = ", ".join(f"{k} {v:g} uM" for k, v in w.drugs.items()) or "no drug"
    return f"{w.genotype} ({'dox' if w.dox else 'no dox'}), IL7 {w.il7:g} ng/ml, {drugs}"


def _timecourse_png(course, w: WhatIf) -> bytes:
    from tallrx.plots.style import DRUG_COLORS, new_figure, styled
    from tallrx.report.html import figure_png

    fig = new_figure(7.5, 4.2)
    axes = fig.subplots(2, 3).ravel()
    for ax, (name, color) in zip(axes, zip(SHOWN, DRUG_COLORS, strict=False), strict=False):
        d = course[course["observable"] == name]
        ax.plot(d["time_h"], d["value"], marker="o", ms=3, color=color)
        styled(ax, name, "time (h)", "")
    axes[-1].axis("off")
    axes[-1].text(0, 0.5, _label(w).replace(", ", "\n"), fontsize=8, va="center")
    fig.suptitle("Model time courses", fontsize=10)
    return figure_png(fig, dpi=100)


def _viability_png(doses: list[float], v96: list[float], drug: str | None, w: WhatIf) -> bytes:
    from tallrx.plots.style import PALETTE, new_figure, styled
    from tallrx.report.html import figure_png

    fig = new_figure(5.0, 3.4)
    ax = fig.subplots()
    if doses:
        ax.semilogx(doses, v96, marker="o", color=PALETTE["fit"])
    else:
        ax.text(0.5, 0.5, "choose a drug to see its dose series", ha="center",
                transform=ax.transAxes)
    styled(ax, f"4-day viability: {w.genotype}{' + dox' if w.dox else ''}",
           f"{drug or 'drug'} (uM)", "viable cells at 96 h (rel. to 0 h)")
    return figure_png(fig, dpi=100)


def _number(text: str | None, what: str, default: float) -> float:
    from tallrx.errors import InputError

    if text is None or str(text).strip() == "":
        return default
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{what} {text!r}: expected a number") from None
    if not np.isfinite(value) or value < 0:
        raise InputError(f"{what} {text!r}: expected a finite number >= 0")
    return value


def from_query(query) -> WhatIf | None:
    """The :class:`WhatIf` of the page's query (``genotype``, ``dox``, ``il7``, ``drug1``/
    ``dose1``, ``drug2``/``dose2``); None before the form was sent (defaults with ``query`` None)."""
    if query is None:
        return WhatIf()
    if "genotype" not in query:
        return None
    drugs = {}
    for i in (1, 2):
        name = (query.get(f"drug{i}") or "").strip()
        if name:
            drugs[name] = _number(query.get(f"dose{i}"), f"dose{i}", 1.0)
    return WhatIf(genotype=query["genotype"], dox=query.get("dox", "") in ("on", "1", "true"),
                  il7=_number(query.get("il7"), "il7", 0.0), drugs=drugs)
