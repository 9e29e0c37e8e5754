"""Co-IP mass spectrometry: bait-normalized binding and loss of binding (paper Fig. 4A).

Input is the tidy ``coip`` table (experiment, bait, sample, condition columns, protein, ibaq,
replicate), measured or simulated alike. The paper's method (van der Zwet et al. 2021):

* relative stoichiometry: each protein's iBAQ / the bait's iBAQ in the same sample (bait BIM,
  HGNC ``BCL2L11``);
* interactors: proteins seen (iBAQ > 0) in every replicate of the reference condition;
* loss of binding: the bait-normalized amount drops between conditions (e.g. +dox vs -dox within
  each prednisolone condition) consistently in every replicate.

Per protein and comparison :func:`score_binding` reports the per-replicate ratios, their mean, the
log2 fold change, a Welch (or paired) t-test with Benjamini-Hochberg FDR over the proteins of that
comparison, and the consistency call. ``method="perseus"`` switches to log2 iBAQ with a valid-value
filter and down-shifted normal imputation (width 0.3 SD, shift 1.8 SD, per sample) before the
ratios. Control IPs (bait IgG / beads / mock) give an enrichment table; when present, interactors
must also be enriched over the control.

The parts, one job each: :mod:`.proteins` (bait names, control IPs, the protein x sample matrix),
:mod:`.normalize` (bait normalization, Perseus imputation), :mod:`.enrichment` (interactors,
enrichment over control IPs), :mod:`.comparisons` (groups, t-tests, direction, FDR, notes) and
:mod:`.binding` (:func:`score_binding`, which ties them together).
"""

from tallrx._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "BAIT_ALIASES": ".proteins",
        "CONTROL_BAITS": ".proteins",
        "resolve_protein": ".proteins",
        "IMPUTE_SHIFT": ".normalize",
        "IMPUTE_WIDTH": ".normalize",
        "bait_normalize": ".normalize",
        "MIN_ENRICHMENT": ".enrichment",
        "control_enrichment": ".enrichment",
        "find_interactors": ".enrichment",
        "reference_level": ".comparisons",
        "BINDING_STATS": ".binding",
        "LOSS_MIN_FOLD": ".binding",
        "score_binding": ".binding",
    },
)
__all__ = [
    "BAIT_ALIASES",
    "BINDING_STATS",
    "CONTROL_BAITS",
    "IMPUTE_SHIFT",
    "IMPUTE_WIDTH",
    "LOSS_MIN_FOLD",
    "MIN_ENRICHMENT",
    "bait_normalize",
    "control_enrichment",
    "find_interactors",
    "reference_level",
    "resolve_protein",
    "score_binding",
]
