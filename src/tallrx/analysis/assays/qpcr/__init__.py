"""RT-qPCR relative expression: Livak 2^-ddCt and Pfaffl (paper Fig. 3A-B).

Input is the tidy ``qpcr`` table (plate, well, sample, target, ct, replicate [+ task, quantity, omit,
efficiency, condition columns]), measured or simulated alike.

Conventions (stated in every Result's meta):

* Technical replicates (wells with the same group, replicate and target) are averaged as Ct.
* The reference term is the mean over reference genes of Ct x log2(E): with several reference
  genes that is the geometric mean of their relative quantities (Vandesompele et al. 2002).
* Per biological replicate: log2 RQ = -(Ct_target log2 E_target - ref term) minus the mean of the
  same quantity over the baseline group's replicates (the calibrator). With E = 2 (Livak &
  Schmittgen 2001) this is -ddCt; with measured E it is Pfaffl (2001).
* Error convention ``error="log"`` (default): relative_expression = 2^mean(log2 RQ) (the baseline
  is exactly 1), lower / upper = 2^(mean -/+ SD of log2 RQ) over biological replicates;
  ``error="linear"``: mean and mean -/+ SD of the per-replicate 2^-ddCt values. ``sd`` is always
  the SD of the per-replicate linear values (ddof = 1).
* NTC / NRT wells, Undetermined wells, omitted wells and standards are listed in
  ``extra['flags']`` with what was done with them; none is dropped silently.
* Bad wells never stop the batch (:func:`flag_wells`): a Ct that is not finite, below 1 cycle
  or above ``max_ct`` (default 50 cycles) is impossible; a well listed twice (same plate, well and target)
  is not a replicate (identical copies: the first is kept; different Cts: every copy is dropped).
  Such wells get ``exclude`` True and a ``message`` (``extra['wells']``); the groups they belong
  to are ``flagged`` in the table with a message. A group without a value (no Ct, no reference,
  no baseline group) is a flagged row with NaN, not an error; so is a group whose technical
  replicates span more than ``TECH_RANGE_MAX`` (1 cycle), with its value kept.

The parts, one job each: :mod:`.wells` (well flags), :mod:`.efficiency` (dilution series,
Livak / Pfaffl efficiencies) and :mod:`.ddct` (:func:`relative_expression`, the ddCt arithmetic
and the summary per group).
"""

from tallrx._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "ANNOTATIONS": ".wells",
        "CT_MAX": ".wells",
        "CT_MIN": ".wells",
        "flag_wells": ".wells",
        "EFFICIENCY_RANGE": ".efficiency",
        "LIVAK_EFFICIENCY": ".efficiency",
        "estimate_efficiency": ".efficiency",
        "EXPRESSION_STATS": ".ddct",
        "TECH_RANGE_MAX": ".ddct",
        "parse_baseline": ".ddct",
        "relative_expression": ".ddct",
    },
)
__all__ = [
    "CT_MAX",
    "EFFICIENCY_RANGE",
    "EXPRESSION_STATS",
    "LIVAK_EFFICIENCY",
    "estimate_efficiency",
    "flag_wells",
    "parse_baseline",
    "relative_expression",
]
