"""The mechanism: assignment rules (drug inhibition, receptor occupancy, turnover, hazards) and
the reactions with their rate laws, in species unit per hour.

Death rule (neutralization, "indirect activation" of BAX/BAK): BH3-only proteins (BIM, BMF) act by
sequestering the anti-apoptotic proteins. BAX/BAK activation (fraction per hour) is::

    bax_on  = k_bax * (1 - BAXa) / (1 + (AA_free / K_aa)**n_aa)     AA_free = BCL2 + BCLXL + MCL1 (nM)
    bax_off = k_bax_i * BAXa

so BAX/BAK is released when the free anti-apoptotic reserve falls below its capacity ``K_aa`` (nM).
Free BH3-only protein does not activate BAX/BAK directly. Glucocorticoids induce BIM beyond the
reserve (they also induce MCL1, which raises it); ERK-phosphorylated BIM binds ~300-fold less
(``Kd_pbim``), neutralizes less and the cells survive. ``tallrx.model.ablation`` switches each
mechanism off in turn.

Every name a rule or rate uses is a species (:mod:`.species`), a parameter (the cited table
``tallrx/data/model/parameters.csv``) or an earlier rule; :class:`._table.Network` checks it.
"""

from __future__ import annotations

from tallrx.model.network._table import Reaction, Rule
from tallrx.model.network.species import (
    ANTI_APOPTOTIC,
    BIM_FORMS,
    BMF_PARTNERS,
    PHOSPHO,
    complex_name,
)

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
        "AA_free",
        "BCL2 + BCLXL + MCL1",
        "nM",
        "free anti-apoptotic reserve (BCL2 + BCLXL + MCL1 not bound to BIM or BMF)",
    ),
    Rule(
        "neutralized",
        "1/(1 + (AA_free/K_aa)**n_aa)",
        "1",
        "share of BAX/BAK released from anti-apoptotic restraint (1 when the reserve is used up)",
    ),
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
            "k_bax*neutralized*(1 - BAXa)",
            "BAX/BAK released when BH3-only proteins sequester the anti-apoptotic reserve",
        ),
        R("bax_off", "BAXa ->", "k_bax_i*BAXa", "BAX/BAK inactivation (retro-translocation)"),
        R("casp_on", "-> CASPa", "k_casp*MOMP*(1 - CASPa)", "MOMP -> cytochrome c -> caspases"),
        R("casp_off", "CASPa ->", "k_casp_i*CASPa", "caspase inactivation"),
        R("growth", "-> Viable", "k_prolif*Viable", "proliferation"),
        R("death", "Viable ->", "hazard*Viable", "death of viable cells"),
    ]


REACTIONS = tuple(_signaling() + _transcription() + _bcl2_family() + _death())
