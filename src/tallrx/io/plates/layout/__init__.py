"""Plate layouts (wellmap TOML or a plain CSV/TSV/XLSX table) -> one row per well.

Output columns: ``plate`` (only when the layout names plates), ``well`` ("A1"), ``row``, ``col``
(1-based ints), ``sample`` (only when given), ``drug_a``, ``conc_a`` (uM), ``drug_b`` ("" for single
agents), ``conc_b`` (uM, 0.0 for single agents), ``role`` (treated | vehicle | blank | positive),
``conc_unit`` ("uM", or "U/l" for enzyme-activity doses that have no molar equivalent), ``vehicle``
(the vehicle's name, e.g. DMSO, when the layout names one), ``replicate``/``exclude`` when given,
then every other column unchanged (conditions such as ``il7``, ``dox``, ``genotype``).

Column aliases (case-insensitive; spaces, dashes and dots count as ``_``) are in :data:`ALIASES`.
Role, when not given: a drug named like a vehicle (DMSO, vehicle, solvent, medium, control, ...) or
no drug at concentration 0 -> vehicle; drug or sample 'blank' / 'empty' / 'no cells' -> blank;
otherwise treated. Vehicle wells get ``drug_a = ""`` and ``conc_a = 0``.

Parts: ``files`` reads the file (wellmap TOML, XLSX, CSV/TSV) into a raw table; ``normalize``
maps column aliases and builds the output; ``positions`` (wells), ``roles`` (role inference and
value checks) and ``doses`` (units -> uM) each handle one group of columns.
"""

from tallrx._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "ACTIVITY_DRUG": ".doses",
        "ACTIVITY_UNITS": ".doses",
        "ALIASES": ".normalize",
        "BLANK_NAMES": ".roles",
        "ROLE_ALIASES": ".roles",
        "VEHICLE_NAMES": ".roles",
        "WELLMAP_EXTRAS": ".files",
        "drop_wellmap_extras": ".files",
        "normalize_layout": ".normalize",
        "read_layout": ".files",
    },
)
__all__ = [
    "ACTIVITY_DRUG",
    "ACTIVITY_UNITS",
    "ALIASES",
    "BLANK_NAMES",
    "ROLE_ALIASES",
    "VEHICLE_NAMES",
    "WELLMAP_EXTRAS",
    "drop_wellmap_extras",
    "normalize_layout",
    "read_layout",
]
