"""The ``tallrx reproduce`` report: the claims checklist, one section per claim (statement,
pre-registered rule, reproduced figure, evidence, held / not held), the parameter sensitivity, the
claims over posterior draws, and the full screen, synergy and assay sections of the virtual
experiments. Computes nothing.

:func:`render` is the ``render`` hook of :func:`tallrx.reproduce.run.reproduce` (it writes
``report.html`` and ``figures/*.png`` into the run's atomic output folder);
:func:`reproduce_report` runs both.
"""

from __future__ import annotations

import json
from pathlib import Path

from matplotlib.figure import Figure

from tallrx.plots.reproduce import CLAIM_FIGURES, sensitivity_figure
from tallrx.report.assays import blot_section, coip_section, qpcr_section
from tallrx.report.html import Section, escape, render_report
from tallrx.report.screen import screen_figures, screen_sections
from tallrx.report.synergy import synergy_figures, synergy_section
from tallrx.reproduce.claims import CLAIMS
from tallrx.reproduce.run import ReproduceResult, reproduce

__all__ = ["render", "reproduce_report", "claim_sections", "REPORT_TITLE"]

REPORT_TITLE = "tallrx reproduce: van der Zwet et al., Leukemia 2021, re-derived in silico"
_STATUS_CLASS = {"held": "held", "not held": "not-held", "not run": "note"}


def _badge(status: str) -> str:
    return f'<span class="{_STATUS_CLASS.get(status, "note")}">{escape(status)}</span>'


def _checklist(result: ReproduceResult) -> Section:
    rows = "".join(
        f"<tr><td>{r['id']}</td><td>{escape(r['figure'])}</td>"
        f"<td style='text-align:left'>{escape(r['statement'])}</td><td>{_badge(r['status'])}"
        f"</td><td style='text-align:left'>{escape(r['summary'])}</td>"
        + (f"<td>{_fraction(r)}</td>" if "sensitivity" in r else "")
        + (f"<td>{_held_fraction(r)}</td>" if "held_fraction" in r else "")
        + "</tr>"
        for r in result.records
    )
    sens_head = (
        "<th>held in sampled parameter sets</th>"
        if any("sensitivity" in r for r in result.records)
        else ""
    )
    if any("held_fraction" in r for r in result.records):
        sens_head += "<th>held in posterior draws (Wilson 95 % CI)</th>"
    counts = {
        s: sum(r["status"] == s for r in result.records) for s in ("held", "not held", "not run")
    }
    intro = (
        f"The paper's experiments were run on the mechanistic model's virtual assays (seed "
        f"{result.seed}); the simulated plates, blots, co-IP and qPCR tables went through the same "
        "analysis functions a lab runs on real files, and each claim was decided by a rule "
        f"written before the run. {counts['held']} held, {counts['not held']} not held, "
        f"{counts['not run']} not run."
    )
    html = (
        f"<table class='data'><tr><th>#</th><th>figure</th><th>claim</th><th>status</th>"
        f"<th>deciding numbers</th>{sens_head}</tr>{rows}</table>"
    )
    return Section("Claims checklist", intro, html=html)


def _fraction(rec: dict) -> str:
    s = rec["sensitivity"]
    if s["fraction_held"] is None:
        return "n/a"
    return f"{100 * s['fraction_held']:.0f} % of {s['n_runs']}"


def _held_fraction(rec: dict) -> str:
    """'90 % [79-96 %] of 50' for a record with posterior draws."""
    if rec["held_fraction"] is None:
        return f"n/a of {rec['n_draws']}"
    low, high = rec["held_fraction_interval"]
    n = rec["n_draws"] - rec["n_draws_not_run"]
    return f"{100 * rec['held_fraction']:.0f} % [{100 * low:.0f}-{100 * high:.0f} %] of {n}"


def _draws_section(result: ReproduceResult, figures: dict[str, Figure]) -> Section:
    runs = result.draw_runs
    intro = (
        f"Every experiment was re-run and every claim re-evaluated for each of {len(runs)} "
        f"parameter sets drawn (with replacement, by weight, seed {result.seed}) from the "
        f"calibration posterior {escape(str(runs.attrs.get('posterior', '')))} "
        f"({runs['posterior_row'].nunique()} distinct draws). The held fraction counts the draws "
        "in which the claim could be evaluated; its interval is the Wilson score 95 % interval "
        "(Monte-Carlo uncertainty of this many draws). draws_runs.csv has every draw."
    )
    return Section(
        "Claims over the calibration posterior",
        intro,
        figures=[("fraction of posterior draws in which each claim held", figures["draws"])],
        tables={"per claim": result.draws},
    )


def _figure(result: ReproduceResult, claim_id: int) -> Figure | None:
    inputs = result.claim_inputs(claim_id)
    if not inputs or result.verdicts[claim_id].held is None:
        return None
    return CLAIM_FIGURES[claim_id](**inputs)


def claim_sections(result: ReproduceResult, figures: dict[str, Figure]) -> list[Section]:
    """One section per claim: statement, rule, figure, evidence and the verdict."""
    out = []
    for claim, rec in zip(CLAIMS, result.records, strict=True):
        fig = figures.get(f"claim{claim.id}")
        evidence = json.dumps(rec["evidence"], indent=1)
        html = (
            f"<p><b>Verdict:</b> {_badge(rec['status'])} &mdash; {escape(rec['summary'])}</p>"
            f"<p><b>Pre-registered rule:</b> {escape(claim.rule)}</p>"
            f"<details><summary>Evidence (the numbers that decided it)</summary>"
            f"<pre style='font-size:.78em;white-space:pre-wrap'>{escape(evidence)}</pre>"
            "</details>"
        )
        if "sensitivity" in rec:
            s = rec["sensitivity"]
            html += (
                f"<p><b>Parameter sensitivity:</b> held in {_fraction(rec)} sampled "
                f"parameter sets ({s['n_not_run']} not run); most influential: "
                f"{escape(s['most_influential'] or 'n/a')}.</p>"
            )
        if "held_fraction" in rec:
            html += f"<p><b>Posterior draws:</b> held in {_held_fraction(rec)}.</p>"
        out.append(
            Section(
                f"Claim {claim.id} ({claim.figure}): {rec['status']}",
                claim.statement,
                figures=[(f"Reproduced {claim.figure}", fig)] if fig is not None else [],
                html=html,
            )
        )
    return out


def _spread_text(spread: float) -> str:
    if spread >= 1:
        return "its stated range"
    return (
        f"{100 * spread:.0f} % of the (log) distance from its nominal value to each bound "
        "of its stated range"
    )


def _sensitivity_section(result: ReproduceResult, figures: dict[str, Figure]) -> Section:
    n = int(result.sensitivity["n_runs"].max()) if len(result.sensitivity) else 0
    intro = (
        f"Every kinetic and level parameter with a stated range (except the per-patient ones) "
        f"was drawn independently within {_spread_text(result.spread)} (log-uniform; uniform "
        f"for ranges from 0) for each of "
        f"{len(result.sensitivity_runs)} parameter sets; everything was re-run and re-evaluated "
        f"with the same measurement-noise seed. Up to {n} runs per claim completed. "
        "'Most influential' lists the parameters whose rank correlates most with the claim "
        "holding (sensitivity_runs.csv has every run)."
    )
    return Section(
        "Parameter sensitivity",
        intro,
        figures=[("fraction of parameter sets in which each claim held", figures["sensitivity"])]
        if "sensitivity" in figures
        else [],
        tables={"per claim": result.sensitivity},
    )


#: screen figures left out of the reproduce report (slow to draw; the claim figures and the
#: CSV tables cover them): the dose-response panel grid and all but two QC heatmaps
MAX_QC_HEATMAPS = 2
SYNERGY_BLOCK_FIGURES = 1


def _screen(res) -> list[Section]:
    figs = screen_figures(res)
    qc = [k for k in figs if k.startswith("qc_plate_")][MAX_QC_HEATMAPS:]
    figs = {k: v for k, v in figs.items() if k not in qc and not k.startswith("dose_response")}
    return [
        Section(f"PDX screen: {s.title}", s.intro, s.figures, s.tables, s.html)
        for s in screen_sections(res, figs)
    ]


def _result(result: ReproduceResult, run: str, name: str):
    r = result.runs.get(run)
    return None if r is None else r.results.get(name)


def _analysis_sections(result: ReproduceResult) -> list[Section]:
    out: list[Section] = []
    if (screen := _result(result, "pdx", "screen")) is not None:
        out += _screen(screen)
    if (combos := _result(result, "fig5c", "combinations")) is not None:
        out.append(synergy_section(combos, synergy_figures(combos, SYNERGY_BLOCK_FIGURES)))
    if (binding := _result(result, "fig4", "binding_dox")) is not None:
        out.append(coip_section(binding))
    if (expr := _result(result, "fig3", "expression")) is not None:
        # its bar chart is claim 4's figure (drawn once)
        out.append(qpcr_section(expr, figures={}))
    if (blots := _result(result, "fig2", "blots")) is not None:
        out.append(blot_section(blots))
    if result.failures:
        html = (
            "<ul>"
            + "".join(
                f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in result.failures.items()
            )
            + "</ul>"
        )
        out.append(
            Section(
                "Experiments that did not run",
                "Their claims are reported as 'not run' (never evaluated on substitute data).",
                html=html,
            )
        )
    return out


def render(result: ReproduceResult, folder: Path) -> Path:
    """Write ``figures/claimN.png`` and ``report.html`` for ``result`` into ``folder``."""
    folder = Path(folder)
    figures: dict[str, Figure] = {}
    for claim in CLAIMS:
        fig = _figure(result, claim.id)
        if fig is not None:
            figures[f"claim{claim.id}"] = fig
    if len(result.sensitivity):
        figures["sensitivity"] = sensitivity_figure(result.sensitivity)
    if len(result.draws):
        figures["draws"] = sensitivity_figure(result.draws, "posterior draws")
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    for name, fig in figures.items():
        fig.savefig(folder / "figures" / f"{name}.png", dpi=110, bbox_inches="tight")
    sections = [_checklist(result), *claim_sections(result, figures)]
    if len(result.sensitivity):
        sections.append(_sensitivity_section(result, figures))
    if len(result.draws):
        sections.append(_draws_section(result, figures))
    sections += _analysis_sections(result)
    return render_report(
        REPORT_TITLE,
        sections,
        folder / "report.html",
        subtitle=f"seed {result.seed}; claims.json and tables/ beside this file",
    )


def reproduce_report(out: str | Path, **options) -> ReproduceResult:
    """:func:`tallrx.reproduce.run.reproduce` with the HTML report (the ``tallrx reproduce``
    command's Python equivalent)."""
    return reproduce(out, render=render, **options)
