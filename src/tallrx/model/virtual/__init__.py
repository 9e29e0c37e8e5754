"""Virtual assays and the virtual PDX cohort: model states -> the same tidy tables a lab's files
become (``source = simulated``), so the analysis code cannot tell measured from simulated.

Every assay takes a conditions table (one row per sample / lane / IP / cDNA: ``sample``,
``genotype``, ``dox``, ``il7``, drug columns in uM, optional ``p.<parameter>`` columns for virtual
patients; any other column is a condition carried into the output) and a seed. Identical
conditions are simulated once (:mod:`.run`); measurement noise is drawn afterwards.

* :func:`viability_plates` (:mod:`.viability`) -> ``wells``;
* :func:`western_blots` (:mod:`.blots`) -> ``blots``;
* :func:`coip_ms` (:mod:`.coip`) -> ``coip``;
* :func:`qpcr_plate` (:mod:`.qpcr`) -> ``qpcr``;
* :mod:`.cohort`: the virtual PDX cohort (drawn from stated distributions) and its screen.

Names load on first use.
"""

from __future__ import annotations

from tallrx._lazy import lazy_exports

_NAMES = {
    "run_conditions": ".run",
    "treatments_single": ".treatments",
    "treatments_matrix": ".treatments",
    "treatments_ray": ".treatments",
    "ASSAY_HOURS": ".viability",
    "FORMATS": ".viability",
    "READOUTS": ".viability",
    "Readout": ".viability",
    "WELL_COLUMNS": ".viability",
    "viability_plates": ".viability",
    "BLOT_TARGETS": ".blots",
    "western_blots": ".blots",
    "DETECTION_LIMIT": ".coip",
    "coip_ms": ".coip",
    "qpcr_plate": ".qpcr",
    "load_cohort": ".cohort",
    "cohort_conditions": ".cohort",
    "cohort_screen": ".cohort",
    "generate_cohort": ".cohort",
}
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
__all__ = list(_NAMES)
