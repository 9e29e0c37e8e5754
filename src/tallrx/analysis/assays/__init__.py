"""The paper's bench assays: co-IP binding (``coip``), RT-qPCR ddCt (``qpcr``), western blots (``blots``)."""

from tallrx._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "score_binding": ".coip",
        "relative_expression": ".qpcr",
        "analyze_blots": ".blots",
    },
)
__all__ = ["analyze_blots", "relative_expression", "score_binding"]
