"""Shared publication style for tallrx figures (object-oriented matplotlib, no global state)."""

from __future__ import annotations

from matplotlib.figure import Figure

PALETTE = {
    "without": "#8c9bb0",
    "with": "#1f3a5f",
    "responsive": "#d1495b",
    "neutral": "#6b7b8c",
    "highlight": "#edae49",
    "fit": "#00798c",
}
DRUG_COLORS = ["#1f3a5f", "#d1495b", "#00798c", "#edae49", "#66a182", "#8d6a9f", "#c97b63"]


def new_figure(width: float = 6.0, height: float = 4.0) -> Figure:
    """A Figure not registered with pyplot (no global state; nothing to close)."""
    return Figure(figsize=(width, height), layout="constrained")


def styled(ax, title: str = "", xlabel: str = "", ylabel: str = ""):
    """Apply tallrx's axis style (open top/right spines, small ticks, labels) and return ``ax``."""
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    return ax
