"""tallrx.reproduce: the paper's experiments in silico, analyzed like lab files, and its claims.

* :mod:`.design`: the experiment designs, read from ``data/model/paper_experiments.toml`` (the
  one encoding ``tallrx simulate`` also runs);
* :mod:`.experiments`: each figure's virtual experiment and its analysis;
* :mod:`.claims`: the eight claims by figure, each with its thresholds;
* :mod:`.runner`, :mod:`.evaluate`, :mod:`.sensitivity`, :mod:`.outputs`: the jobs of a run,
  strung together by :func:`reproduce` (:mod:`.run`).

Names load on first use.
"""

from tallrx._lazy import lazy_exports

_NAMES = {
    "reproduce": ".run",
    "n_steps": ".run",
    "ReproduceResult": ".outputs",
    "CLAIMS": ".claims",
    "EXPERIMENTS": ".experiments",
    "Context": ".experiments",
    "resistant_groups": ".selection",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, _NAMES)
