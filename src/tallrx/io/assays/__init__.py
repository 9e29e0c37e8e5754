"""Assay readers: RT-qPCR exports, MaxQuant co-IP tables, western-blot bands/images, synergy tables."""

from tallrx._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "read_qpcr": ".qpcr",
        "read_coip": ".maxquant",
        "read_proteingroups": ".maxquant",
        "read_bands": ".blots",
        "read_blot_image": ".blots",
        "read_synergyfinder": ".synergyfinder",
    },
)
__all__ = ["read_bands", "read_blot_image", "read_coip", "read_proteingroups", "read_qpcr",
           "read_synergyfinder"]
