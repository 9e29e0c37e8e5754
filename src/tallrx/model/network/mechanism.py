"""THE reaction table of the tallrx mechanistic model (the single source of truth).

IL7 / IL7R / JAK1 / NRAS -> RAS-RAF-MEK-ERK (with negative feedback) -> phosphorylation of BIM-EL
and BIM-L (never BIM-S) -> weaker binding to BCL2 / BCLXL / MCL1 and faster proteasomal turnover
-> less free activator BH3 -> less BAX/BAK activation, MOMP, caspase activity -> fewer dead cells.
The glucocorticoid receptor (prednisolone, dexamethasone) induces BIM (4-10 fold mRNA) and MCL1
and represses BCL2; STAT5 and AKT raise BCL2 (and MCL1); AKT lowers the basal death hazard
(the main way IL7 keeps PDX cells alive). Drugs are concentration-dependent target inhibition.
This is the paper's Fig. 6 made executable (van der Zwet et al., Leukemia 2021,
doi:10.1038/s41375-021-01291-5; "paper Fig. N" below refers to it).

Units: time in hours, proteins in nM, kinase/receptor activities as active fractions (0-1),
mRNAs relative to the basal level (1 = untreated), drug inputs in uM, IL7 in ng/ml, doxycycline
as the induced fraction of the transgene (0 or 1). One compartment of volume 1.

Every other representation (Antimony/SBML, the NumPy right-hand side and analytic Jacobian of the
batched solver, ``tallrx model show``) is generated from the tuples below.
"""

from __future__ import annotations

from tallrx.model._table import Network, Parameter, Reaction, Rule, Species

PAPER = "paper"  # shorthand used in sources
DOI_CHEN2005 = "doi:10.1016/j.molcel.2004.12.030"  # BH3-only binding specificities
DOI_LEY2003 = "doi:10.1074/jbc.M301010200"  # ERK -> BIM-EL phosphorylation, proteasomal turnover
DOI_LEY2004 = "doi:10.1074/jbc.M311578200"  # ERK phosphorylates BIM-EL at (S/T)P sites
DOI_SCHWANHAUSSER2011 = "doi:10.1038/nature10098"  # mammalian mRNA/protein half-lives
DOI_QUINTAS2010 = "doi:10.1182/blood-2009-04-214957"  # ruxolitinib cellular potency
DOI_LI2016 = "doi:10.1371/journal.pmed.1002200"  # IL7R/JAK1/NRAS mutant SUPT-1 lines
DOI_HENRIQUES2010 = "doi:10.1182/blood-2009-10-246876"  # IL7 internalizes and degrades IL7Ralpha

BIM_FORMS = ("BIM_EL", "BIM_EL_p", "BIM_L", "BIM_L_p", "BIM_S")
PHOSPHO = {"BIM_EL": "BIM_EL_p", "BIM_L": "BIM_L_p"}
ANTI_APOPTOTIC = ("BCL2", "BCLXL", "MCL1")
BMF_PARTNERS = ("BCL2", "BCLXL")  # BMF binds MCL1 only weakly (Chen 2005)


def complex_name(bh3: str, partner: str) -> str:
    """Species name of the ``bh3``:``partner`` complex, e.g. ``BIM_EL__BCL2``."""
    return f"{bh3}__{partner}"


def _p(name, value, unit, low, high, source, annotation, kind="kinetic"):
    return Parameter(name, float(value), unit, float(low), float(high), source, annotation, kind)


# ---------------------------------------------------------------------------------- species
SIGNALING = (
    Species(
        "IL7R_dn",
        "fraction",
        "IL7-induced internalization/degradation of IL7Ralpha (share of the ligand-binding "
        "receptor lost)",
    ),
    Species(
        "JAKa", "fraction", "active IL7R-associated JAK1 (ligand-bound, mutant IL7R or mutant JAK1)"
    ),
    Species("STAT5p", "fraction", "tyrosine-phosphorylated STAT5"),
    Species("AKTp", "fraction", "active (phosphorylated) AKT downstream of PI3K"),
    Species("RASgtp", "relative", "GTP-bound wild-type RAS (1 = endogenous RAS pool)"),
    Species("RASm_gtp", "relative", "GTP-bound GAP-insensitive NRAS G12D"),
    Species("RAFa", "fraction", "active RAF"),
    Species("MEKpp", "fraction", "doubly phosphorylated (active) MEK1/2"),
    Species("ERKpp", "fraction", "doubly phosphorylated (active) ERK1/2 = pERK"),
    Species(
        "FB",
        "fraction",
        "ERK-induced negative feedback on SOS (SPRY/DUSP, lumped), in "
        "units of the pERK that induced it",
    ),
)
MRNA = (
    Species("BIM_mRNA", "relative", "BCL2L11 mRNA (1 = basal)", 1.0),
    Species("MCL1_mRNA", "relative", "MCL1 mRNA (1 = basal)", 1.0),
    Species("BCL2_mRNA", "relative", "BCL2 mRNA (1 = basal)", 1.0),
)
FREE = (
    Species("BIM_EL", "nM", "free unphosphorylated BIM-EL", 20.0),
    Species("BIM_EL_p", "nM", "free ERK-phosphorylated BIM-EL (upper band)"),
    Species("BIM_L", "nM", "free unphosphorylated BIM-L", 8.0),
    Species("BIM_L_p", "nM", "free ERK-phosphorylated BIM-L (upper band)"),
    Species("BIM_S", "nM", "free BIM-S (has no ERK sites: never phosphorylated)", 3.0),
    Species("BMF", "nM", "free BMF (sensitizer BH3-only protein)", 10.0),
    Species("BCL2", "nM", "free BCL2", 80.0),
    Species("BCLXL", "nM", "free BCLXL", 40.0),
    Species("MCL1", "nM", "free MCL1", 40.0),
)
COMPLEXES = tuple(
    Species(complex_name(b, a), "nM", f"{b.replace('_p', ' (phospho)')}:{a} complex")
    for b in (*BIM_FORMS, "BMF")
    for a in (BMF_PARTNERS if b == "BMF" else ANTI_APOPTOTIC)
)
DEATH = (
    Species("BAXa", "fraction", "activated BAX/BAK (oligomerization-competent)"),
    Species("CASPa", "fraction", "active effector caspase (after MOMP)"),
    Species("Viable", "relative", "viable cells relative to the start of treatment", 1.0),
)
SPECIES = SIGNALING + MRNA + FREE + COMPLEXES + DEATH

# ------------------------------------------------------------------------------- parameters
CAL1 = "calibrated to Fig. 1A-C"
CAL2 = "calibrated to Fig. 2"
CAL3 = "calibrated to Fig. 3"
CAL4 = "calibrated to Fig. 4"
CAL5 = "calibrated to Fig. 5"
CALD = "calibrated to Fig. 1D-E"
CAL5A = "calibrated to Fig. 5A"
CAL5C = "calibrated to Fig. 5C"
CAL1E5 = "calibrated to Fig. 1E / 5B-C"

INPUTS = (
    _p(
        "il7",
        0,
        "ng/ml",
        0,
        1000,
        "paper Methods (25 ng/ml in PDX screens)",
        "IL7 in the medium",
        "input",
    ),
    _p(
        "dox", 0, "1", 0, 1, "paper Fig. 1", "doxycycline induction of the transgene (0/1)", "input"
    ),
    _p(
        "prednisolone",
        0,
        "uM",
        0,
        1e4,
        "paper Fig. 1A (0.00822-250 ug/ml)",
        "prednisolone",
        "input",
    ),
    _p("dexamethasone", 0, "uM", 0, 1e4, "paper Introduction", "dexamethasone", "input"),
    _p("selumetinib", 0, "uM", 0, 1e4, "paper Fig. 2D", "selumetinib (MEK1/2)", "input"),
    _p("trametinib", 0, "uM", 0, 1e4, "paper Fig. 2E", "trametinib (MEK1/2)", "input"),
    _p("binimetinib", 0, "uM", 0, 1e4, "paper Fig. 5A", "binimetinib (MEK1/2)", "input"),
    _p("ci1040", 0, "uM", 0, 1e4, "paper Fig. 2C (2 uM)", "CI1040 / PD184352 (MEK1/2)", "input"),
    _p("ruxolitinib", 0, "uM", 0, 1e4, "paper Fig. 4D-E (2 uM)", "ruxolitinib (JAK1/2)", "input"),
    _p("bortezomib", 0, "uM", 0, 1e4, "paper Suppl. Fig. 3b", "bortezomib (proteasome)", "input"),
)

GENOTYPE_FLAGS = (
    _p("g_IL7R_WT", 0, "1", 0, 1, PAPER + " Fig. 1A", "IL7R wild-type transgene", "genotype"),
    _p(
        "g_IL7R_V253GPSL",
        0,
        "1",
        0,
        1,
        PAPER + " Fig. 1A",
        "IL7R V253GPSL (non-cysteine, no ligand-independent signal)",
        "genotype",
    ),
    _p(
        "g_IL7R_RFCPH",
        0,
        "1",
        0,
        1,
        PAPER + " Fig. 1B",
        "IL7R PILT240-244RFCPH (cysteine)",
        "genotype",
    ),
    _p(
        "g_IL7R_LMCPT",
        0,
        "1",
        0,
        1,
        PAPER + " Fig. 1B",
        "IL7R LT243-244LMCPT (cysteine)",
        "genotype",
    ),
    _p(
        "g_IL7R_QSPSC",
        0,
        "1",
        0,
        1,
        PAPER + " Fig. 1B",
        "IL7R PIL240-242QSPSC (cysteine)",
        "genotype",
    ),
    _p("g_JAK1_WT", 0, "1", 0, 1, PAPER + " Fig. 2C", "JAK1 wild-type transgene", "genotype"),
    _p(
        "g_JAK1_R724H",
        0,
        "1",
        0,
        1,
        PAPER + " Fig. 2C",
        "JAK1 R724H (constitutively active)",
        "genotype",
    ),
    _p(
        "g_JAK1_T901A",
        0,
        "1",
        0,
        1,
        PAPER + " Fig. 2C",
        "JAK1 T901A (constitutively active)",
        "genotype",
    ),
    _p("g_NRAS_WT", 0, "1", 0, 1, PAPER + " Fig. 1C", "NRAS wild-type transgene", "genotype"),
    _p(
        "g_NRAS_G12D",
        0,
        "1",
        0,
        1,
        PAPER + " Fig. 1C",
        "NRAS G12D transgene (GAP-insensitive)",
        "genotype",
    ),
)

TRANSGENES = (
    _p(
        "leak_tg",
        0.003,
        "1",
        0,
        0.05,
        "paper Results (inducibility > 85 %)",
        "transgene expression without doxycycline, as a fraction of induced",
    ),
    _p(
        "tg_il7r_level",
        2.0,
        "relative",
        0.5,
        5,
        CAL1,
        "IL7R transgene level (ligand-binding receptor, relative to endogenous IL7R)",
    ),
    _p(
        "s_RFCPH",
        0.13,
        "relative",
        0.02,
        1,
        CAL1 + " / Fig. 2D-E (MEK-inhibitor-graded ERK output)",
        "ligand-independent JAK drive of IL7R PILT240-244RFCPH",
    ),
    _p(
        "s_LMCPT",
        0.08,
        "relative",
        0.02,
        1,
        CAL1 + " / Fig. 2D-E (MEK-inhibitor-graded ERK output)",
        "ligand-independent JAK drive of IL7R LT243-244LMCPT",
    ),
    _p(
        "s_QSPSC",
        0.1,
        "relative",
        0.02,
        1,
        CAL1 + " / Fig. 2D-E (MEK-inhibitor-graded ERK output)",
        "ligand-independent JAK drive of IL7R PIL240-242QSPSC",
    ),
    _p(
        "s_JAK1_WT",
        0.002,
        "relative",
        0,
        0.05,
        CAL1,
        "extra basal JAK drive of overexpressed wild-type JAK1",
    ),
    _p(
        "s_R724H",
        0.12,
        "relative",
        0.02,
        1,
        "calibrated to Fig. 2C-E / " + DOI_LI2016,
        "constitutive activity of JAK1 R724H",
    ),
    _p(
        "s_T901A",
        0.1,
        "relative",
        0.02,
        1,
        "calibrated to Fig. 2C-E / " + DOI_LI2016,
        "constitutive activity of JAK1 T901A",
    ),
    _p(
        "tg_nras_wt",
        1.5,
        "relative",
        0.5,
        5,
        CAL1,
        "NRAS wild-type transgene (GAP-sensitive), relative to endogenous RAS",
    ),
    _p(
        "tg_nras_g12d",
        0.15,
        "relative",
        0.03,
        1,
        CAL1 + " / Fig. 2D-E",
        "NRAS G12D transgene, relative to endogenous RAS",
    ),
)

CONTEXT = (
    _p(
        "il7r_level",
        0.3,
        "relative",
        0.0,
        10,
        CALD,
        "endogenous IL7R (SUPT-1 low; PDX vary)",
        "context",
    ),
    _p(
        "erk_drive",
        0.0,
        "relative",
        0.0,
        5,
        CALD,
        "IL7-independent ('unknown non-IL7') SOS/RAS drive (paper Fig. 6)",
        "context",
    ),
    _p(
        "mut_jak_drive",
        0.0,
        "relative",
        0.0,
        5,
        CALD,
        "constitutive JAK drive of an IL7R/JAK1 mutation in a PDX",
        "context",
    ),
    _p(
        "mut_ras_level",
        0.0,
        "relative",
        0.0,
        5,
        CALD,
        "GAP-insensitive RAS of an NRAS/KRAS mutation in a PDX",
        "context",
    ),
    _p(
        "gr_level",
        1.0,
        "relative",
        0.1,
        3,
        CAL3,
        "glucocorticoid receptor (NR3C1) level",
        "context",
    ),
    _p(
        "s_BIM",
        1.0,
        "relative",
        0.2,
        5,
        CAL1,
        "BIM translation scale (cell line/patient)",
        "context",
    ),
    _p("s_BCL2", 1.0, "relative", 0.2, 5, CAL1, "BCL2 synthesis scale", "context"),
    _p("s_BCLXL", 1.0, "relative", 0.2, 5, CAL1, "BCLXL synthesis scale", "context"),
    _p("s_MCL1", 1.0, "relative", 0.2, 5, CAL1, "MCL1 synthesis scale", "context"),
    _p("s_BMF", 1.0, "relative", 0.2, 5, CAL4, "BMF synthesis scale", "context"),
    _p(
        "k_prolif",
        0.025,
        "1/h",
        0.0,
        0.05,
        "paper Methods (SUPT-1 doubles in ~1-1.5 days; PDX cells barely proliferate)",
        "proliferation rate",
        "context",
    ),
    _p(
        "k_death0",
        0.004,
        "1/h",
        0.0,
        0.05,
        CALD,
        "basal death hazard without survival signals (cytokine withdrawal)",
        "context",
    ),
)

KINETICS = (
    # receptor / JAK / STAT5 / AKT
    _p(
        "k_int",
        1.5,
        "1/h",
        0.1,
        5,
        "calibrated to Fig. 1E / 5C (transient IL7 signal); " + DOI_HENRIQUES2010,
        "IL7-induced internalization and degradation of IL7Ralpha",
    ),
    _p(
        "k_rec",
        0.15,
        "1/h",
        0.02,
        2,
        "calibrated to Fig. 1E / 5C; " + DOI_HENRIQUES2010,
        "IL7Ralpha resynthesis / return to the surface",
    ),
    _p("k_jak", 6.0, "1/h", 2, 30, CALD + " (pERK within 30 min of IL7)", "JAK (in)activation"),
    _p(
        "d_jak0",
        0.003,
        "relative",
        0.0,
        0.2,
        CAL1 + " / " + CAL5A + " (ruxolitinib alone inert without IL7)",
        "basal JAK drive",
    ),
    _p(
        "w_il7",
        2.0,
        "relative",
        0.05,
        5,
        CAL1E5 + " (IL7 raises pERK within 30 min in IL7-independent PDX too)",
        "JAK drive per unit IL7R at saturating IL7",
    ),
    _p("K_il7", 0.5, "ng/ml", 0.05, 5, CALD, "IL7 for half-maximal receptor occupancy"),
    _p("k_stat", 20.0, "1/h", 5, 100, CAL1, "STAT5 phosphorylation by active JAK"),
    _p("k_stat_dp", 4.0, "1/h", 1, 20, CAL1, "STAT5 dephosphorylation"),
    _p("k_akt", 10.0, "1/h", 2, 50, CAL1, "AKT activation (PI3K)"),
    _p("b_akt", 0.02, "relative", 0.0, 0.2, CAL1, "basal PI3K input"),
    _p("w_jak_akt", 1.0, "relative", 0.2, 5, CALD, "PI3K input per active JAK (IL7R Y449)"),
    _p("w_ras_akt", 0.1, "relative", 0.0, 1, CAL1, "PI3K input per active RAS"),
    _p("k_akt_dp", 5.0, "1/h", 1, 20, CAL1, "AKT inactivation (PTEN/PP2A)"),
    # RAS-RAF-MEK-ERK (Huang-Ferrell-type cascade, doi:10.1073/pnas.93.19.10078)
    _p("k_sos", 20.0, "1/h", 5, 100, CAL1, "SOS-catalysed GTP loading of RAS per unit drive"),
    _p(
        "b_sos",
        0.02,
        "relative",
        0.0,
        0.2,
        CAL1,
        "basal SOS drive",
    ),
    _p("w_jak_sos", 1.5, "relative", 0.2, 5, CAL1, "SOS drive per active JAK (IL7R -> RAS)"),
    _p("K_fb", 0.2, "fraction", 0.05, 1, CAL2, "feedback (pERK units) halving SOS drive"),
    _p("k_gap", 20.0, "1/h", 5, 100, CAL1, "GAP-stimulated GTP hydrolysis of wild-type RAS"),
    _p("k_exch_m", 0.6, "1/h", 0.1, 5, CAL1, "intrinsic GTP loading of NRAS G12D"),
    _p(
        "k_hyd_m",
        0.3,
        "1/h",
        0.05,
        2,
        CAL1,
        "intrinsic GTP hydrolysis of NRAS G12D (GAP insensitive)",
    ),
    _p("k_raf", 10.0, "1/h", 1, 100, CAL1, "RAF activation per unit RAS-GTP"),
    _p("k_raf_i", 10.0, "1/h", 1, 100, CAL1, "RAF inactivation"),
    _p("k_mek", 20.0, "1/h", 2, 200, CAL1, "MEK phosphorylation by RAF"),
    _p("k_mek_dp", 10.0, "1/h", 1, 100, CAL1, "MEK dephosphorylation"),
    _p("k_erk", 30.0, "1/h", 3, 300, CAL1, "ERK dual phosphorylation by MEK (max)"),
    _p(
        "K_mek",
        0.3,
        "fraction",
        0.05,
        1,
        CAL1,
        "active MEK for half-maximal ERK phosphorylation "
        "(Hill 2: distributive dual phosphorylation)",
    ),
    _p("k_erk_dp", 20.0, "1/h", 2, 200, CAL2, "ERK dephosphorylation (DUSPs)"),
    _p("k_fb", 0.7, "1/h", 0.1, 5, CAL2, "induction / decay of the ERK feedback"),
    # BIM phosphorylation (paper Fig. 2; Ley 2003/2004)
    _p(
        "k_p_el",
        12.0,
        "1/h",
        1,
        50,
        CAL2 + " / " + DOI_LEY2004,
        "max ERK phosphorylation of BIM-EL",
    ),
    _p(
        "k_p_l",
        6.0,
        "1/h",
        0.5,
        50,
        CAL2,
        "max ERK phosphorylation of BIM-L (exon 4 sites, paper Discussion)",
    ),
    _p(
        "K_erk_bim",
        0.12,
        "fraction",
        0.05,
        1,
        CAL2 + " / " + CAL5C + " (non-IL7 ERK saturates BIM phosphorylation)",
        "pERK for half-maximal BIM phosphorylation",
    ),
    _p(
        "n_erk_bim",
        3.0,
        "1",
        1,
        4,
        "paper Discussion (three ERK sites on BIM-EL exon 3) / " + CAL2,
        "Hill coefficient of ERK toward BIM (multisite)",
    ),
    _p(
        "k_dp_bim",
        1.5,
        "1/h",
        0.3,
        10,
        CAL2 + " (lambda phosphatase / MEK inhibitor reversal)",
        "BIM dephosphorylation",
    ),
    # transcription (GR, STAT5, AKT) and translation
    _p(
        "a_gr_bim",
        4.5,
        "relative",
        3,
        9,
        "paper Fig. 3A-B (4-10 fold BIM mRNA); " + CAL5A,
        "max BIM mRNA induction by GR (fold - 1)",
    ),
    _p("a_gr_mcl1", 1.0, "relative", 0.2, 4, "paper Fig. 3C", "max MCL1 induction by GR"),
    _p(
        "r_gr_bcl2",
        0.5,
        "relative",
        0.2,
        4,
        "paper Introduction (BCL2 down with steroids); " + CAL5A,
        "BCL2 repression by GR",
    ),
    _p(
        "a_stat_bcl2",
        0.3,
        "relative",
        0.0,
        5,
        CAL5C + " (JAK inhibition adds little beyond ERK in IL7-independent PDX)",
        "BCL2 induction by STAT5",
    ),
    _p(
        "a_akt_bcl2",
        0.1,
        "relative",
        0.0,
        3,
        CAL5C,
        "BCL2 induction by AKT",
    ),
    _p(
        "a_stat_mcl1",
        0.2,
        "relative",
        0.0,
        3,
        CAL5C,
        "MCL1 induction by STAT5",
    ),
    _p("k_m_bim", 0.35, "1/h", 0.1, 1.5, DOI_SCHWANHAUSSER2011, "BIM mRNA turnover"),
    _p("k_m_mcl1", 0.7, "1/h", 0.2, 2, DOI_SCHWANHAUSSER2011, "MCL1 mRNA turnover (short-lived)"),
    _p("k_m_bcl2", 0.1, "1/h", 0.03, 0.5, DOI_SCHWANHAUSSER2011, "BCL2 mRNA turnover"),
    _p("k_tl_bim", 5.0, "nM/h", 1, 30, CAL3, "BIM translation at basal mRNA", "level"),
    _p(
        "f_EL",
        0.65,
        "1",
        0.4,
        0.85,
        "paper Fig. 1C (BIM-EL is the main isoform)",
        "share of BIM made as BIM-EL",
    ),
    _p("f_L", 0.25, "1", 0.05, 0.4, "paper Fig. 1C", "share of BIM made as BIM-L (rest BIM-S)"),
    _p("k_tl_bcl2", 3.6, "nM/h", 0.5, 20, CAL1, "BCL2 translation at basal mRNA", "level"),
    _p("k_tl_mcl1", 40.0, "nM/h", 5, 200, CAL3, "MCL1 translation at basal mRNA", "level"),
    _p("k_syn_bclxl", 1.5, "nM/h", 0.2, 10, CAL4, "BCLXL synthesis", "level"),
    _p("k_syn_bmf", 2.0, "nM/h", 0.2, 10, CAL4, "BMF synthesis", "level"),
    # turnover (proteasome share pf_*: bortezomib slows that part)
    _p("kdeg_bim", 0.12, "1/h", 0.03, 0.5, DOI_LEY2003, "unphosphorylated BIM turnover"),
    _p(
        "kdeg_pbim",
        0.3,
        "1/h",
        0.1,
        1,
        DOI_LEY2003 + "; " + CAL5A + " (MEK inhibitors stabilize BIM)",
        "phospho-BIM turnover (faster)",
    ),
    _p("pf_bim", 0.5, "1", 0.1, 1, CAL4, "proteasomal share of BIM turnover"),
    _p("pf_pbim", 0.95, "1", 0.5, 1, DOI_LEY2003, "proteasomal share of phospho-BIM turnover"),
    _p("kdeg_bcl2", 0.04, "1/h", 0.01, 0.15, DOI_SCHWANHAUSSER2011, "BCL2 turnover (long-lived)"),
    _p("kdeg_bclxl", 0.03, "1/h", 0.01, 0.15, DOI_SCHWANHAUSSER2011, "BCLXL turnover"),
    _p(
        "kdeg_mcl1",
        0.7,
        "1/h",
        0.2,
        2,
        "paper Suppl. Fig. 3b (MCL1 stabilized by bortezomib)",
        "MCL1 turnover (half-life ~1 h)",
    ),
    _p("kdeg_bmf", 0.1, "1/h", 0.02, 0.5, DOI_SCHWANHAUSSER2011, "BMF turnover"),
    _p("pf_bcl2", 0.3, "1", 0, 1, CAL4, "proteasomal share of BCL2/BCLXL turnover"),
    _p("pf_mcl1", 0.95, "1", 0.5, 1, "paper Suppl. Fig. 3b", "proteasomal share of MCL1 turnover"),
    _p("pf_bmf", 0.5, "1", 0, 1, CAL4, "proteasomal share of BMF turnover"),
    # BCL-2 family binding (Chen 2005: BIM binds all three tightly; BMF binds BCL2/BCLXL)
    _p("kon_bim", 3.6, "1/(nM*h)", 0.36, 36, DOI_CHEN2005, "BIM association (1e6 /M/s)"),
    _p(
        "Kd_bim",
        10.0,
        "nM",
        0.1,
        30,
        "calibrated to Fig. 1A (graded dose response; BH3 peptides "
        "bind tighter in vitro, " + DOI_CHEN2005 + ")",
        "effective Kd of unphosphorylated BIM for BCL2, BCLXL, MCL1 in cells",
    ),
    _p("kon_pbim", 0.36, "1/(nM*h)", 0.036, 36, CAL4, "phospho-BIM association"),
    _p(
        "Kd_pbim",
        3000.0,
        "nM",
        300,
        10000,
        "calibrated to Fig. 4A-C (co-IP loss of binding)",
        "Kd of phospho-BIM (impaired binding)",
    ),
    _p("kon_bmf", 3.6, "1/(nM*h)", 0.36, 36, DOI_CHEN2005, "BMF association"),
    _p("Kd_bmf", 2.0, "nM", 0.1, 50, DOI_CHEN2005, "Kd of BMF for BCL2 and BCLXL"),
    # BAX/BAK, MOMP, caspases, death
    _p(
        "eps_p",
        0.03,
        "1",
        0,
        0.3,
        "calibrated to Fig. 1A-B (phospho-BIM weak activator)",
        "BAX-activating potency of free phospho-BIM relative to BIM",
    ),
    _p("k_bax", 1.0, "1/h", 0.1, 10, CAL1, "BAX/BAK activation by free activator BH3"),
    _p("K_bh3", 20.0, "nM", 1, 100, CAL1, "free activator BH3 scale of BAX activation"),
    _p("k_bax_i", 1.0, "1/h", 0.1, 10, CAL1, "BAX/BAK inactivation"),
    _p(
        "K_retro",
        20.0,
        "nM",
        2,
        200,
        CAL1,
        "free anti-apoptotic protein that doubles BAX retro-translocation",
    ),
    _p("K_momp", 0.3, "fraction", 0.05, 0.9, CAL1, "active BAX/BAK for half-maximal MOMP"),
    _p("n_momp", 2.0, "1", 1, 8, CAL1, "steepness of the MOMP switch"),
    _p("k_casp", 0.5, "1/h", 0.05, 5, CAL1, "caspase activation after MOMP"),
    _p("k_casp_i", 0.25, "1/h", 0.05, 5, CAL1, "caspase inactivation / XIAP"),
    _p("k_apop", 0.08, "1/h", 0.01, 0.5, CAL1, "death hazard at full caspase activity"),
    _p("K_akt_surv", 0.2, "fraction", 0.02, 2, CALD, "pAKT halving the basal death hazard"),
    # drugs: cellular potencies (uM) and off-target toxicity
    _p(
        "IC50_rux",
        0.01,
        "uM",
        0.01,
        1,
        "calibrated to Fig. 5B (cellular IL7-STAT5 block; "
        "Ba/F3 assays give 0.1-0.3 uM, " + DOI_QUINTAS2010 + ")",
        "ruxolitinib, JAK1/2 in cells",
    ),
    _p("IC50_sel", 0.015, "uM", 0.003, 0.1, CAL2, "selumetinib, MEK in cells"),
    _p("IC50_tram", 0.001, "uM", 0.0002, 0.01, CAL2, "trametinib, MEK in cells"),
    _p(
        "IC50_bini",
        0.015,
        "uM",
        0.005,
        0.2,
        CAL5A,
        "binimetinib, MEK in cells",
    ),
    _p("IC50_ci1040", 0.3, "uM", 0.05, 2, CAL2, "CI1040 (PD184352), MEK in cells"),
    _p(
        "h_mek",
        0.7,
        "1",
        0.5,
        2,
        CAL2 + " (graded BIM dephosphorylation over the MEK-inhibitor series, Fig. 2D-E)",
        "Hill slope of MEK inhibition",
    ),
    _p("Kd_pred", 1.0, "uM", 0.01, 3, CAL1, "prednisolone, GR half-occupancy in cells"),
    _p("Kd_dex", 0.03, "uM", 0.001, 0.3, CAL1, "dexamethasone, GR half-occupancy in cells"),
    _p("IC50_btz", 0.01, "uM", 0.002, 0.05, CAL4, "bortezomib, proteasome in cells"),
    _p(
        "TC50_mek",
        100.0,
        "uM",
        10,
        500,
        CAL2 + " (non-toxic at pathway-blocking doses)",
        "off-target cytotoxicity of selumetinib/binimetinib/CI1040",
    ),
    _p("TC50_tram", 5.0, "uM", 0.5, 50, CAL2, "off-target cytotoxicity of trametinib"),
    _p("TC50_rux", 100.0, "uM", 10, 500, CAL5, "off-target cytotoxicity of ruxolitinib"),
    _p("TC50_btz", 0.1, "uM", 0.01, 1, CAL4, "proteotoxic death by bortezomib"),
    _p("k_tox", 0.06, "1/h", 0, 0.3, CAL5, "max off-target death hazard"),
)

PARAMETERS = INPUTS + GENOTYPE_FLAGS + TRANSGENES + CONTEXT + KINETICS

# ------------------------------------------------------------------------------------ rules
RULES = (
    Rule(
        "induction",
        "leak_tg + (1 - leak_tg)*dox",
        "1",
        "transgene expression (leaky without doxycycline)",
    ),
    Rule("il7_occ", "il7/(il7 + K_il7)", "1", "IL7 receptor occupancy"),
    Rule(
        "jak_drive",
        "d_jak0 + induction*g_JAK1_WT*s_JAK1_WT"
        " + w_il7*il7_occ*(1 - IL7R_dn)"
        "*(il7r_level + induction*(g_IL7R_WT + g_IL7R_V253GPSL)*tg_il7r_level)"
        " + induction*(g_IL7R_RFCPH*s_RFCPH + g_IL7R_LMCPT*s_LMCPT + g_IL7R_QSPSC*s_QSPSC"
        " + g_JAK1_R724H*s_R724H + g_JAK1_T901A*s_T901A) + mut_jak_drive",
        "relative",
        "JAK activating drive: ligand-bound receptor, cysteine-mutant IL7R, mutant JAK1",
    ),
    Rule("f_rux", "1/(1 + ruxolitinib/IC50_rux)", "1", "JAK kinase activity left by ruxolitinib"),
    Rule(
        "u_mek",
        "selumetinib/IC50_sel + trametinib/IC50_tram + binimetinib/IC50_bini + ci1040/IC50_ci1040",
        "1",
        "MEK inhibitor load (Loewe-additive, same site)",
    ),
    Rule("f_mek", "1/(1 + u_mek**h_mek)", "1", "MEK catalytic activity left by MEK inhibitors"),
    Rule("u_gr", "prednisolone/Kd_pred + dexamethasone/Kd_dex", "1", "glucocorticoid load"),
    Rule("GR", "gr_level*u_gr/(1 + u_gr)", "relative", "ligand-bound (active) GR"),
    Rule("f_prot", "1/(1 + bortezomib/IC50_btz)", "1", "proteasome activity left by bortezomib"),
    Rule("ras_tot_wt", "1 + induction*g_NRAS_WT*tg_nras_wt", "relative", "GAP-sensitive RAS"),
    Rule(
        "ras_tot_m",
        "induction*g_NRAS_G12D*tg_nras_g12d + mut_ras_level",
        "relative",
        "GAP-insensitive RAS",
    ),
    Rule("kd_BIM", "kdeg_bim*(1 - pf_bim*(1 - f_prot))", "1/h", "BIM turnover"),
    Rule("kd_pBIM", "kdeg_pbim*(1 - pf_pbim*(1 - f_prot))", "1/h", "phospho-BIM turnover"),
    Rule("kd_BCL2", "kdeg_bcl2*(1 - pf_bcl2*(1 - f_prot))", "1/h", "BCL2 turnover"),
    Rule("kd_BCLXL", "kdeg_bclxl*(1 - pf_bcl2*(1 - f_prot))", "1/h", "BCLXL turnover"),
    Rule("kd_MCL1", "kdeg_mcl1*(1 - pf_mcl1*(1 - f_prot))", "1/h", "MCL1 turnover"),
    Rule("kd_BMF", "kdeg_bmf*(1 - pf_bmf*(1 - f_prot))", "1/h", "BMF turnover"),
    Rule(
        "u_tox",
        "(selumetinib + binimetinib + ci1040)/TC50_mek + trametinib/TC50_tram"
        " + ruxolitinib/TC50_rux + bortezomib/TC50_btz",
        "1",
        "off-target toxic load",
    ),
    Rule("h_tox", "k_tox*u_tox**2/(1 + u_tox**2)", "1/h", "off-target death hazard"),
    # state-dependent
    Rule("J", "JAKa*f_rux", "fraction", "JAK kinase output"),
    Rule(
        "sos",
        "(b_sos + w_jak_sos*J + erk_drive)/(1 + FB/K_fb)",
        "relative",
        "SOS drive with ERK negative feedback",
    ),
    Rule("RAS_active", "RASgtp + RASm_gtp", "relative", "all GTP-bound RAS"),
    Rule("mek_out", "f_mek*MEKpp", "fraction", "MEK catalytic output"),
    Rule(
        "erk_bim",
        "ERKpp**n_erk_bim/(K_erk_bim**n_erk_bim + ERKpp**n_erk_bim)",
        "1",
        "ERK activity toward BIM (multisite)",
    ),
    Rule(
        "A_free",
        "BIM_EL + BIM_L + BIM_S + eps_p*(BIM_EL_p + BIM_L_p)",
        "nM",
        "free activator BH3 (phospho-BIM counts eps_p)",
    ),
    Rule("AA_free", "BCL2 + BCLXL + MCL1", "nM", "free anti-apoptotic proteins"),
    Rule(
        "MOMP",
        "BAXa**n_momp/(K_momp**n_momp + BAXa**n_momp)",
        "fraction",
        "mitochondrial outer membrane permeabilization",
    ),
    Rule(
        "hazard",
        "k_death0/(1 + AKTp/K_akt_surv) + k_apop*CASPa + h_tox",
        "1/h",
        "death hazard of viable cells",
    ),
)


# -------------------------------------------------------------------------------- reactions
def _signaling() -> list[Reaction]:
    R = Reaction
    return [
        R(
            "il7r_int",
            "-> IL7R_dn",
            "k_int*il7_occ*(1 - IL7R_dn)",
            "IL7 binding internalizes IL7Ralpha (lysosomal degradation)",
        ),
        R("il7r_rec", "IL7R_dn ->", "k_rec*IL7R_dn", "IL7Ralpha resynthesis"),
        R("jak_on", "-> JAKa", "k_jak*jak_drive*(1 - JAKa)", "JAK activation"),
        R("jak_off", "JAKa ->", "k_jak*JAKa", "JAK inactivation (SOCS/phosphatases)"),
        R("stat5_p", "-> STAT5p", "k_stat*J*(1 - STAT5p)", "STAT5 phosphorylation by JAK"),
        R("stat5_dp", "STAT5p ->", "k_stat_dp*STAT5p", "STAT5 dephosphorylation"),
        R(
            "akt_on",
            "-> AKTp",
            "k_akt*(b_akt + w_jak_akt*J + w_ras_akt*RAS_active)*(1 - AKTp)",
            "PI3K-AKT activation by IL7R/JAK and RAS",
        ),
        R("akt_off", "AKTp ->", "k_akt_dp*AKTp", "AKT inactivation"),
        R("ras_load", "-> RASgtp", "k_sos*sos*(ras_tot_wt - RASgtp)", "SOS loads wild-type RAS"),
        R("ras_gap", "RASgtp ->", "k_gap*RASgtp", "GAP-stimulated hydrolysis"),
        R(
            "rasm_load",
            "-> RASm_gtp",
            "(k_sos*sos + k_exch_m)*(ras_tot_m - RASm_gtp)",
            "NRAS G12D loading (SOS + intrinsic)",
        ),
        R("rasm_hyd", "RASm_gtp ->", "k_hyd_m*RASm_gtp", "slow intrinsic hydrolysis of G12D"),
        R("raf_on", "-> RAFa", "k_raf*RAS_active*(1 - RAFa)", "RAF activation by RAS-GTP"),
        R("raf_off", "RAFa ->", "k_raf_i*RAFa", "RAF inactivation"),
        R("mek_p", "-> MEKpp", "k_mek*RAFa*(1 - MEKpp)", "MEK phosphorylation by RAF"),
        R("mek_dp", "MEKpp ->", "k_mek_dp*MEKpp", "MEK dephosphorylation"),
        R(
            "erk_p",
            "-> ERKpp",
            "k_erk*mek_out**2/(K_mek**2 + mek_out**2)*(1 - ERKpp)",
            "ERK dual phosphorylation by (uninhibited) MEK",
        ),
        R("erk_dp", "ERKpp ->", "k_erk_dp*ERKpp", "ERK dephosphorylation"),
        R("fb_on", "-> FB", "k_fb*ERKpp", "ERK induces feedback (SPRY/DUSP)"),
        R("fb_off", "FB ->", "k_fb*FB", "feedback decay"),
    ]


def _transcription() -> list[Reaction]:
    R = Reaction
    return [
        R(
            "bim_tx",
            "-> BIM_mRNA",
            "k_m_bim*(1 + a_gr_bim*GR)",
            "BCL2L11 transcription (GR target)",
        ),
        R("bim_mdeg", "BIM_mRNA ->", "k_m_bim*BIM_mRNA", "BIM mRNA decay"),
        R(
            "mcl1_tx",
            "-> MCL1_mRNA",
            "k_m_mcl1*(1 + a_gr_mcl1*GR + a_stat_mcl1*STAT5p)",
            "MCL1 transcription (GR, STAT5)",
        ),
        R("mcl1_mdeg", "MCL1_mRNA ->", "k_m_mcl1*MCL1_mRNA", "MCL1 mRNA decay"),
        R(
            "bcl2_tx",
            "-> BCL2_mRNA",
            "k_m_bcl2*(1 + a_stat_bcl2*STAT5p + a_akt_bcl2*AKTp)/(1 + r_gr_bcl2*GR)",
            "BCL2 transcription (STAT5, AKT up; GR down)",
        ),
        R("bcl2_mdeg", "BCL2_mRNA ->", "k_m_bcl2*BCL2_mRNA", "BCL2 mRNA decay"),
        R("bim_el_syn", "-> BIM_EL", "k_tl_bim*s_BIM*f_EL*BIM_mRNA", "BIM-EL translation"),
        R("bim_l_syn", "-> BIM_L", "k_tl_bim*s_BIM*f_L*BIM_mRNA", "BIM-L translation"),
        R("bim_s_syn", "-> BIM_S", "k_tl_bim*s_BIM*(1 - f_EL - f_L)*BIM_mRNA", "BIM-S translation"),
        R("bcl2_syn", "-> BCL2", "k_tl_bcl2*s_BCL2*BCL2_mRNA", "BCL2 translation"),
        R("mcl1_syn", "-> MCL1", "k_tl_mcl1*s_MCL1*MCL1_mRNA", "MCL1 translation"),
        R("bclxl_syn", "-> BCLXL", "k_syn_bclxl*s_BCLXL", "BCLXL synthesis"),
        R("bmf_syn", "-> BMF", "k_syn_bmf*s_BMF", "BMF synthesis"),
    ]


_KD_OF = {
    "BIM_EL": "kd_BIM",
    "BIM_L": "kd_BIM",
    "BIM_S": "kd_BIM",
    "BIM_EL_p": "kd_pBIM",
    "BIM_L_p": "kd_pBIM",
    "BMF": "kd_BMF",
    "BCL2": "kd_BCL2",
    "BCLXL": "kd_BCLXL",
    "MCL1": "kd_MCL1",
}
_PHOS_K = {"BIM_EL": "k_p_el", "BIM_L": "k_p_l"}


def _binding_key(bh3: str) -> tuple[str, str]:
    if bh3 == "BMF":
        return "kon_bmf", "Kd_bmf"
    if bh3.endswith("_p"):
        return "kon_pbim", "Kd_pbim"
    return "kon_bim", "Kd_bim"


def _bcl2_family() -> list[Reaction]:
    R = Reaction
    out: list[Reaction] = []
    # phosphorylation of free and bound BIM-EL / BIM-L by ERK, reversed by phosphatases
    for b, bp in PHOSPHO.items():
        k = _PHOS_K[b]
        out.append(
            R(
                f"{b}_phos",
                f"{b} -> {bp}",
                f"{k}*erk_bim*{b}",
                f"ERK phosphorylates free {b.replace('_', '-')}",
            )
        )
        out.append(R(f"{b}_dephos", f"{bp} -> {b}", f"k_dp_bim*{bp}", "phosphatase reversal"))
        for a in ANTI_APOPTOTIC:
            c, cp = complex_name(b, a), complex_name(bp, a)
            out.append(
                R(
                    f"{c}_phos",
                    f"{c} -> {cp}",
                    f"{k}*erk_bim*{c}",
                    f"ERK phosphorylates {a}-bound {b.replace('_', '-')}",
                )
            )
            out.append(R(f"{c}_dephos", f"{cp} -> {c}", f"k_dp_bim*{cp}", "phosphatase"))
    # turnover of the free proteins
    for s in (*BIM_FORMS, "BMF", *ANTI_APOPTOTIC):
        out.append(R(f"{s}_deg", f"{s} ->", f"{_KD_OF[s]}*{s}", f"turnover of free {s}"))
    # binding and turnover inside complexes
    for b in (*BIM_FORMS, "BMF"):
        kon, kd = _binding_key(b)
        for a in BMF_PARTNERS if b == "BMF" else ANTI_APOPTOTIC:
            c = complex_name(b, a)
            out.append(
                R(
                    f"{c}_bind",
                    f"{b} + {a} -> {c}",
                    f"{kon}*({b}*{a} - {kd}*{c})",
                    f"{b} binds {a} (reversible)",
                )
            )
            out.append(
                R(
                    f"{c}_degb",
                    f"{c} -> {a}",
                    f"{_KD_OF[b]}*{c}",
                    f"{b} degraded in the complex, {a} released",
                )
            )
            out.append(
                R(
                    f"{c}_dega",
                    f"{c} -> {b}",
                    f"{_KD_OF[a]}*{c}",
                    f"{a} degraded in the complex, {b} released",
                )
            )
    return out


def _death() -> list[Reaction]:
    R = Reaction
    return [
        R(
            "bax_on",
            "-> BAXa",
            "k_bax*A_free/K_bh3*(1 - BAXa)",
            "free activator BH3 activates BAX/BAK",
        ),
        R(
            "bax_off",
            "BAXa ->",
            "k_bax_i*(1 + AA_free/K_retro)*BAXa",
            "inactivation, helped by free BCL2/BCLXL/MCL1",
        ),
        R("casp_on", "-> CASPa", "k_casp*MOMP*(1 - CASPa)", "MOMP -> cytochrome c -> caspases"),
        R("casp_off", "CASPa ->", "k_casp_i*CASPa", "caspase inactivation"),
        R("growth", "-> Viable", "k_prolif*Viable", "proliferation"),
        R("death", "Viable ->", "hazard*Viable", "death of viable cells"),
    ]


REACTIONS = tuple(_signaling() + _transcription() + _bcl2_family() + _death())

NETWORK = Network(SPECIES, PARAMETERS, RULES, REACTIONS)
