"""Genotypes (doxycycline-inducible SUPT-1 lines) and drugs of the model, with name checks.

>>> normalize_genotype("nras_g12d")
'NRAS_G12D'
>>> normalize_drug("CI-1040"), normalize_drug("AZD6244")
('ci1040', 'selumetinib')
"""

from __future__ import annotations

from tallrx.errors import InputError, did_you_mean

#: genotype name -> the transgene flag parameter it switches on (None: parental SUPT-1)
GENOTYPE_FLAGS: dict[str, str | None] = {
    "parental": None,
    "IL7R_WT": "g_IL7R_WT",
    "IL7R_V253GPSL": "g_IL7R_V253GPSL",
    "IL7R_PILT240-244RFCPH": "g_IL7R_RFCPH",
    "IL7R_LT243-244LMCPT": "g_IL7R_LMCPT",
    "IL7R_PIL240-242QSPSC": "g_IL7R_QSPSC",
    "JAK1_WT": "g_JAK1_WT",
    "JAK1_R724H": "g_JAK1_R724H",
    "JAK1_T901A": "g_JAK1_T901A",
    "NRAS_WT": "g_NRAS_WT",
    "NRAS_G12D": "g_NRAS_G12D",
}
GENOTYPES: tuple[str, ...] = tuple(GENOTYPE_FLAGS)

GENOTYPE_NOTES: dict[str, str] = {
    "parental": "SUPT-1 without transgene",
    "IL7R_WT": "wild-type IL7R alpha: more ligand-binding receptor, no ligand-independent signal",
    "IL7R_V253GPSL": "non-cysteine insertion mutant: no ligand-independent signal (Fig. 1A)",
    "IL7R_PILT240-244RFCPH": "cysteine mutant: ligand-independent JAK1 activation (strongest)",
    "IL7R_LT243-244LMCPT": "cysteine mutant: ligand-independent JAK1 activation (weakest)",
    "IL7R_PIL240-242QSPSC": "cysteine mutant: ligand-independent JAK1 activation",
    "JAK1_WT": "wild-type JAK1 overexpression (steroid sensitive)",
    "JAK1_R724H": "constitutively active JAK1, ruxolitinib-sensitive",
    "JAK1_T901A": "constitutively active JAK1, ruxolitinib-sensitive",
    "NRAS_WT": "wild-type NRAS overexpression (GAP-sensitive, feedback-limited)",
    "NRAS_G12D": "GAP-insensitive NRAS: ERK activation that ruxolitinib cannot block",
}

#: drug name -> (target, model input parameter)
DRUGS: dict[str, str] = {
    "prednisolone": "glucocorticoid receptor (agonist)",
    "dexamethasone": "glucocorticoid receptor (agonist)",
    "selumetinib": "MEK1/2",
    "trametinib": "MEK1/2",
    "binimetinib": "MEK1/2",
    "ci1040": "MEK1/2",
    "ruxolitinib": "JAK1/2",
    "bortezomib": "proteasome",
}

_DRUG_ALIASES = {
    "azd6244": "selumetinib",
    "arry142886": "selumetinib",
    "gsk1120212": "trametinib",
    "mek162": "binimetinib",
    "arry162": "binimetinib",
    "pd184352": "ci1040",
    "incb018424": "ruxolitinib",
    "ps341": "bortezomib",
    "velcade": "bortezomib",
    "dex": "dexamethasone",
    "pred": "prednisolone",
}


def normalize_genotype(name: str, *, where: str = "genotype") -> str:
    """Canonical genotype name (case-insensitive); InputError with a suggestion otherwise."""
    text = str(name).strip()
    if text in GENOTYPE_FLAGS:
        return text
    lowered = {g.lower(): g for g in GENOTYPES}
    if text.lower() in lowered:
        return lowered[text.lower()]
    raise InputError(
        f"{where}: unknown genotype '{name}'; known genotypes: "
        f"{', '.join(GENOTYPES)}.{did_you_mean(text, GENOTYPES)}"
    )


def normalize_drug(name: str, *, where: str = "drug") -> str:
    """Canonical drug name (case, dash and space insensitive; code names accepted)."""
    key = str(name).strip().lower().replace("-", "").replace(" ", "").replace("_", "")
    if key in DRUGS:
        return key
    if key in _DRUG_ALIASES:
        return _DRUG_ALIASES[key]
    raise InputError(
        f"{where}: unknown drug '{name}'; the model knows "
        f"{', '.join(DRUGS)}.{did_you_mean(key, list(DRUGS) + list(_DRUG_ALIASES))}"
    )
