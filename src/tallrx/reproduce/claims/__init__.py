"""The eight claims of the paper that ``tallrx reproduce`` re-derives, with pre-registered rules.

Each :class:`Claim` holds the paper's statement and the decision rule, written before any result
was looked at (van der Zwet et al., Leukemia 2021). Each ``evaluate_claimN`` is a pure function
of ANALYSIS RESULT TABLES (curves, strata, regression fits, blot ratios, relative expression,
co-IP binding, combinations) -- the same tables a lab gets from its real files -- never of model
internals. It returns a :class:`Verdict`: ``held`` and the numbers that decided it.

The claims live by figure, each with its thresholds beside it (the paper's own numbers come from
:mod:`tallrx.paper`): ``fig1`` (claims 1-2), ``fig2`` (3), ``fig3`` (4), ``fig4`` (5), ``fig5``
(6-8). :data:`CLAIMS` lists them in order.
"""

from tallrx._lazy import lazy_exports

_NAMES = {
    "CLAIMS": ".registry",
    "Claim": "._base",
    "Verdict": "._base",
    "not_run": "._base",
    "evaluate_claim1": ".fig1",
    "evaluate_claim2": ".fig1",
    "ACTIVATING": ".fig1",
    "evaluate_claim3": ".fig2",
    "evaluate_claim4": ".fig3",
    "evaluate_claim5": ".fig4",
    "BCL2_FAMILY": ".fig4",
    "evaluate_claim6": ".fig5",
    "evaluate_claim7": ".fig5",
    "evaluate_claim8": ".fig5",
    "MEK_INHIBITORS": ".fig5",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
