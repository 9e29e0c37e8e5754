"""CLI commands of the molecular assays: `tallrx coip`, `tallrx qpcr`, `tallrx blot`.

Each writes tidy CSVs (fixed names: binding.csv, expression.csv, bands.csv), figures/*.png,
meta.json and a one-section report.html into the output folder, atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tallrx.cli._app import (
    DB_HELP,
    OUT_HELP,
    app,
    existing_files,
    parse_csv_list,
    record_run,
    say,
    say_summary,
    write_outputs,
)
from tallrx.cli._defaults import CT_MAX, LOSS_MIN_FOLD
from tallrx.errors import InputError

if TYPE_CHECKING:
    import pandas as pd


def _pairs(values: list[str] | None, option: str) -> list[tuple[str, str]]:
    out = []
    for v in values or []:
        sep = ":" if ":" in v else "/"
        a, _, b = v.partition(sep)
        if not a.strip() or not b.strip():
            raise InputError(f"{option} '{v}' is not FIRST:SECOND; expected e.g. {option} pERK:ERK")
        out.append((a.strip(), b.strip()))
    return out


def _ranges(value: str | None, option: str) -> list[tuple[int, int]] | None:
    if value is None:
        return None
    out = []
    for part in value.split(","):
        a, _, b = part.strip().partition("-")
        try:
            out.append((int(a), int(b)))
        except ValueError:
            raise InputError(
                f"{option} '{part.strip()}' is not START-END in pixels; expected "
                f"e.g. {option} 10-50,60-100"
            ) from None
    return out


# --------------------------------------------------------------------------- coip
@app.command("coip")
def coip_command(
    proteingroups: Annotated[
        Path,
        typer.Argument(help="MaxQuant proteinGroups.txt, or a long table (sample, protein, ibaq)."),
    ],
    out: Annotated[Path, typer.Option("-o", "--out", help=OUT_HELP)],
    samples: Annotated[
        Path | None,
        typer.Option(
            "--samples",
            help="Sample sheet: experiment, condition columns (dox, prednisolone, ...), "
            "replicate [, sample, bait, exclude].",
        ),
    ] = None,
    bait: Annotated[
        str, typer.Option(help="Bait protein (HGNC symbol; BIM = BCL2L11).")
    ] = "BCL2L11",
    compare: Annotated[
        str | None, typer.Option(help="Condition compared (default: dox when present).")
    ] = None,
    reference: Annotated[
        str | None,
        typer.Option(
            help="Reference level of --compare (default: the untreated-looking level, e.g. -)."
        ),
    ] = None,
    within: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated conditions to compare within (default: all other conditions)."
        ),
    ] = None,
    paired: Annotated[bool, typer.Option(help="Paired t-test by replicate.")] = False,
    method: Annotated[
        str, typer.Option(help="ratio (paper) or perseus (log2 + imputation).")
    ] = "ratio",
    min_fold: Annotated[
        float, typer.Option(help="Minimum fold drop for lost binding.")
    ] = LOSS_MIN_FOLD,
    alpha: Annotated[float | None, typer.Option(help="Also require q <= alpha.")] = None,
    control_bait: Annotated[
        str | None,
        typer.Option(help="Bait name of control IPs (IgG / beads / mock are recognized anyway)."),
    ] = None,
    quantity: Annotated[str, typer.Option(help="ibaq, lfq or intensity columns.")] = "ibaq",
    seed: Annotated[int, typer.Option(help="Seed of the Perseus imputation.")] = 0,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
) -> None:
    """Co-IP MS: bait-normalized binding, interactors and loss of binding (Fig. 4A)."""
    from tallrx.analysis.assays.coip import score_binding
    from tallrx.io.assays.maxquant import read_coip
    from tallrx.report.assays import coip_figures, coip_section

    (path,) = existing_files([proteingroups])
    if samples is not None:
        existing_files([samples])
    kwargs = {"quantity": quantity} if quantity != "ibaq" else {}
    coip = read_coip(path, samples, bait=bait, **kwargs)
    res = score_binding(
        coip,
        compare=compare,
        reference=reference,
        within=parse_csv_list(within),
        paired=paired,
        method=method,
        min_fold=min_fold,
        alpha=alpha,
        control_bait=control_bait,
        seed=seed,
        where=str(path),
    )
    tables = {
        "binding": res.table,
        "ratios": res.extra["ratios"],
        "coip": coip,
        **({"enrichment": res.extra["enrichment"]} if "enrichment" in res.extra else {}),
    }
    figs = coip_figures(res)
    meta = {
        **res.meta,
        "file": str(path),
        "samples": str(samples) if samples else None,
        "removed_protein_groups": coip.attrs.get("removed", {}),
    }
    report = write_outputs(
        out, tables, figs, "tallrx co-IP report", [coip_section(res, figs)], meta=meta
    )
    lost = res.table[(res.table["group"] == "test") & res.table["lost_binding"].astype(bool)]
    say(
        f"{coip['protein'].nunique()} proteins, {coip['sample'].nunique()} samples, "
        f"{len(res.meta['comparisons'])} comparison(s); lost binding: "
        f"{', '.join(sorted(lost['protein'].unique())) or 'none'} -> {out}/binding.csv"
    )
    say(f"report: {report}")
    pairs = res.table.groupby(["protein", "comparison"], sort=False)["flagged"].any()
    say_summary(int((~pairs).sum()), int(pairs.sum()), out / "binding.csv")
    record_run(db, out, "coip", [p for p in (proteingroups, samples) if p is not None])


# --------------------------------------------------------------------------- qpcr
def _efficiency(values: list[str] | None) -> dict[str, float] | str | None:
    if not values:
        return None
    if values == ["estimate"]:
        return "estimate"
    out = {}
    for v in values:
        gene, _, e = v.partition("=")
        try:
            out[gene.strip()] = float(e)
        except ValueError:
            raise InputError(
                f"--efficiency '{v}' is not GENE=E (e.g. BIM=1.95) or 'estimate'"
            ) from None
    return out


@app.command("qpcr")
def qpcr_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="qPCR export: Bio-Rad CFX CSV, QuantStudio/ViiA 7 text, LightCycler text, RDML, "
            "a long table (sample, target, ct, conditions, replicate) or a wide table (one column "
            "per target); CSV, TSV or XLSX."
        ),
    ],
    target: Annotated[list[str], typer.Option(help="Target gene(s); repeat or comma-separate.")],
    reference: Annotated[
        list[str], typer.Option(help="Reference gene(s), e.g. GAPDH; several = geometric mean.")
    ],
    baseline: Annotated[
        list[str],
        typer.Option(
            help="Baseline group COND=VALUE (repeat), e.g. --baseline dox=- --baseline "
            "prednisolone=0; its relative expression is 1."
        ),
    ],
    out: Annotated[Path, typer.Option("-o", "--out", help=OUT_HELP)],
    layout: Annotated[
        Path | None,
        typer.Option(help="Plate layout (wellmap TOML or CSV/XLSX with a well column)."),
    ] = None,
    method: Annotated[str, typer.Option(help="auto, livak or pfaffl.")] = "auto",
    efficiency: Annotated[
        list[str] | None,
        typer.Option(
            help="GENE=E amplification factor (2 = 100 %), repeat; or 'estimate' from standards."
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(help="Comma-separated group columns (default: sample + all conditions)."),
    ] = None,
    error: Annotated[str, typer.Option(help="Error convention: log (default) or linear.")] = "log",
    format: Annotated[
        str,
        typer.Option(
            help="Force a reader format: biorad, quantstudio, lightcycler, rdml, table or wide."
        ),
    ] = "auto",
    max_ct: Annotated[
        float,
        typer.Option(
            "--max-ct",
            help="Highest plausible Ct (cycles); Cts above it, below 1 or inf are flagged wells.",
        ),
    ] = CT_MAX,
    lc_target: Annotated[
        str | None,
        typer.Option(
            "--lc-target", help="Target of a LightCycler 480 export without target column."
        ),
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
) -> None:
    """RT-qPCR: relative expression by Livak 2^-ddCt or Pfaffl (Fig. 3A-B)."""
    from tallrx.analysis.assays.qpcr import relative_expression
    from tallrx.io.assays.qpcr import read_qpcr
    from tallrx.report.assays import qpcr_figures, qpcr_section

    (path,) = existing_files([file])
    if layout is not None:
        existing_files([layout])
    targets = [t for v in target for t in parse_csv_list(v)]
    refs = [r for v in reference for r in parse_csv_list(v)]
    qpcr = read_qpcr(
        path, layout=layout, format=format, target=lc_target, genes=[*targets, *refs]
    )
    for note in qpcr.attrs.get("notes", []):
        say(f"note: {note}")
    res = relative_expression(
        qpcr,
        target=targets,
        reference=refs,
        baseline=baseline,
        method=method,
        efficiency=_efficiency(efficiency),
        by=parse_csv_list(by),
        error=error,
        max_ct=max_ct,
        where=str(path),
    )
    for note in res.meta["notes"]:
        say(f"note: {note}")
    tables = {
        "expression": res.table,
        "replicates": res.extra["replicates"],
        "flags": res.extra["flags"],
        "qpcr": res.extra["wells"],
        **({"efficiency": res.extra["efficiency"]} if "efficiency" in res.extra else {}),
    }
    figs = qpcr_figures(res)
    meta = {
        **res.meta,
        "file": str(path),
        "format": qpcr.attrs.get("format"),
        "layout": str(layout) if layout else None,
    }
    report = write_outputs(
        out, tables, figs, "tallrx RT-qPCR report", [qpcr_section(res, figs)], meta=meta
    )
    say(
        f"{len(qpcr)} wells ({len(res.extra['flags'])} flagged: NTC / Undetermined / omitted / "
        f"standards), {res.meta['method']} -> {out}/expression.csv"
    )
    say(f"report: {report}")
    scored = int(res.table["relative_expression"].notna().sum())
    say_summary(scored, int(res.table["flagged"].sum()), out / "expression.csv")
    record_run(db, out, "qpcr", [p for p in (file, layout) if p is not None])


# --------------------------------------------------------------------------- blot
@app.command("blot")
def blot_command(
    source: Annotated[
        Path,
        typer.Argument(
            help="Band table (blot, lane, sample, target, intensity; or ImageJ Gel Analyzer "
            "results) or a blot image (TIFF / PNG)."
        ),
    ],
    out: Annotated[Path, typer.Option("-o", "--out", help=OUT_HELP)],
    samples: Annotated[
        Path | None, typer.Option("--samples", help="Lane sheet: lane, sample [, conditions].")
    ] = None,
    loading: Annotated[str | None, typer.Option(help="Loading-control target, e.g. GAPDH.")] = None,
    reference: Annotated[
        str | None,
        typer.Option(
            help="Reference lane number or sample (default: the first lane of each blot)."
        ),
    ] = None,
    phospho: Annotated[
        list[str] | None, typer.Option(help="PHOSPHO:TOTAL pair, e.g. pERK:ERK (repeat).")
    ] = None,
    shift: Annotated[
        list[str] | None,
        typer.Option(help="UPPER:LOWER band pair for the mobility shift, e.g. pBIM-EL:BIM-EL."),
    ] = None,
    blot: Annotated[str | None, typer.Option(help="Blot name (default: the file name).")] = None,
    target: Annotated[
        str | None, typer.Option(help="Target of an ImageJ results table (one band per row).")
    ] = None,
    targets: Annotated[
        str | None, typer.Option(help="Image: band names top to bottom, comma-separated.")
    ] = None,
    lanes: Annotated[
        str | None,
        typer.Option(help="Image: lane count (e.g. 8) or lane boxes x0-x1,... in pixels."),
    ] = None,
    band_rows: Annotated[
        str | None,
        typer.Option(help="Image: band windows y0-y1,... in pixels (default: detected)."),
    ] = None,
    invert: Annotated[str, typer.Option(help="Image: auto, yes (dark bands) or no.")] = "auto",
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
) -> None:
    """Western blots: normalized bands, phospho/total ratios, upper-band fraction."""
    from tallrx.analysis.assays.blots import analyze_blots, quantify_blot_image
    from tallrx.io.assays.blots import is_image, read_bands, read_blot_image, read_lane_sheet
    from tallrx.report.assays import blot_figures, blot_section

    (path,) = existing_files([source])
    sheet = read_lane_sheet(existing_files([samples])[0]) if samples is not None else None
    name = blot or path.stem
    image_res = image = None
    if is_image(path):
        image = read_blot_image(path)
        lane_arg = int(lanes) if lanes and lanes.strip().isdigit() else _ranges(lanes, "--lanes")
        names = parse_csv_list(targets)
        inv = {"auto": "auto", "yes": True, "no": False}.get(invert.lower())
        if inv is None:
            raise InputError(f"--invert '{invert}' is not auto, yes or no")
        image_res = quantify_blot_image(
            image,
            lanes=lane_arg,
            bands=_ranges(band_rows, "--band-rows"),
            targets=names,
            samples=sheet,
            blot=name,
            invert=inv,
            where=str(path),
        )
        bands = image_res.table
    else:
        bands = read_bands(path, blot=blot, target=target, lanes=sheet)
    ref: int | str | None = int(reference) if reference and reference.isdigit() else reference
    res = analyze_blots(
        bands,
        loading=loading,
        reference=ref,
        phospho=_pairs(phospho, "--phospho"),
        shift=_pairs(shift, "--shift"),
        where=str(path),
    )
    tables: dict[str, pd.DataFrame] = {"bands": res.table, **dict(res.extra)}
    meta: dict = {**res.meta, "file": str(path)}
    if image_res is not None:
        tables.update(
            {
                "lanes": image_res.extra["lanes"],
                "band_windows": image_res.extra["bands"],
                "profiles": image_res.extra["profiles"],
            }
        )
        meta["image"] = dict(image_res.meta)
    figs = blot_figures(res, image=image, image_result=image_res)
    report = write_outputs(
        out,
        tables,
        figs,
        "tallrx western blot report",
        [blot_section(res, figs, image_result=image_res)],
        meta=meta,
    )
    say(f"{bands['lane'].nunique()} lanes, {bands['target'].nunique()} targets -> {out}/bands.csv")
    say(f"report: {report}")
    n_flagged = int(res.table["flagged"].sum())
    say_summary(len(res.table) - n_flagged, n_flagged, out / "bands.csv")
    record_run(db, out, "blot", [p for p in (source, samples) if p is not None])


__all__ = ["blot_command", "coip_command", "qpcr_command"]
