"""Western-blot quantification (paper Fig. 1C, 1E, 2): band tables and blot images.

Input is the tidy ``blots`` table (blot, lane, sample, target, intensity [+ conditions]), measured
or simulated alike, or a 2-D image array (io reads the files).

* :func:`normalize_bands`: each band / loading control in the same lane, / the same ratio in the
  reference lane (default: the first lane of each blot) -> ``normalized``.
* :func:`phospho_ratio`: phospho / total per lane (e.g. pERK / ERK), each optionally over its own
  blot's loading control, relative to the reference lane.
* :func:`upper_band_fraction`: mobility shift (phospho-BIM-EL runs slower): upper / (upper +
  lower) per lane.
* :func:`quantify_blot_image`: lanes (given boxes, a count, or detected from the column profile),
  per-lane vertical profiles (summed over the lane width), background removed with a rolling
  minimum (grey opening) of the profile, bands detected on the summed profile (or given as row
  windows) and integrated -> the ``blots`` table.

The parts: :mod:`.bands` (band tables: normalization, ratios, shifts) and :mod:`.image` (blot
images -> band tables).
"""

from tallrx._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "analyze_blots": ".bands",
        "normalize_bands": ".bands",
        "phospho_ratio": ".bands",
        "upper_band_fraction": ".bands",
        "detect_lanes": ".image",
        "quantify_blot_image": ".image",
    },
)
__all__ = [
    "analyze_blots",
    "normalize_bands",
    "phospho_ratio",
    "quantify_blot_image",
    "upper_band_fraction",
]
