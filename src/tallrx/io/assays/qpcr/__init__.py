"""RT-qPCR exports -> the tidy ``qpcr`` table (one row per well x target).

Readers: Bio-Rad CFX / CFX Maestro "Quantification Cq Results" CSV, Applied Biosystems QuantStudio /
ViiA 7 text exports (``* key = value`` header, ``[Results]`` block, "Undetermined"), Roche
LightCycler 480 text (``Experiment: ... Selected Filter: ...``, Pos / Name / Cp) and LightCycler 96
tables, RDML 1.x (zip or plain XML, read with the standard library; sample annotations become condition
columns, target amplification efficiencies the ``efficiency`` column), a generic long table
(sample, target, ct [+ plate, well, replicate, task, quantity, efficiency, condition columns]) and a
wide table (one column per target and one row per well, as the R ``pcr`` package keeps Ct values,
or one column per sample and one row per target). Excel workbooks are recognised by content.

Columns: plate, well, sample, target, ct (cycles; NaN = no amplification / Undetermined),
replicate, task (unknown / ntc / standard / nrt / negative / positive), quantity (standards),
omit (flagged by the instrument software), efficiency (amplification factor per cycle, 2 = 100 %,
when the file states it), exclude + message (a Ct cell that is not a number is an excluded well whose
message quotes it; a non-detect word - Undetermined, No Ct, NaN, empty - is NaN with the message
"non-detect"), source, and condition columns from a layout. Impossible numbers (Ct <= 0, inf,
above the cycle count) and duplicated wells are judged by the analysis
(:func:`tallrx.analysis.assays.qpcr.flag_wells`), which sees tables from every source. Empty wells (no sample, no
target, no Ct) are not rows; every other well is kept, including NTC and Undetermined wells.

One module per format family: ``biorad``, ``quantstudio``, ``lightcycler``, ``rdml``, ``tables``
(long and wide tables) and ``layout`` (plate maps); ``read`` guesses the format and dispatches.
"""

from tallrx._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "FORMATS": ".read",
        "apply_layout": ".layout",
        "detect_format": ".read",
        "read_biorad_cfx": ".biorad",
        "read_lightcycler": ".lightcycler",
        "read_qpcr": ".read",
        "read_qpcr_layout": ".layout",
        "read_qpcr_table": ".tables",
        "read_qpcr_wide": ".tables",
        "read_quantstudio": ".quantstudio",
        "read_rdml": ".rdml",
    },
)
__all__ = [
    "FORMATS",
    "apply_layout",
    "detect_format",
    "read_biorad_cfx",
    "read_lightcycler",
    "read_qpcr",
    "read_qpcr_layout",
    "read_qpcr_table",
    "read_qpcr_wide",
    "read_quantstudio",
    "read_rdml",
]
