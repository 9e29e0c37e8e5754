"""The claims in order (claim id 1-8), gathered from their figure modules."""

from __future__ import annotations

from tallrx.reproduce.claims._base import Claim
from tallrx.reproduce.claims.fig1 import CLAIM1, CLAIM2
from tallrx.reproduce.claims.fig2 import CLAIM3
from tallrx.reproduce.claims.fig3 import CLAIM4
from tallrx.reproduce.claims.fig4 import CLAIM5
from tallrx.reproduce.claims.fig5 import CLAIM6, CLAIM7, CLAIM8

__all__ = ["CLAIMS"]

CLAIMS: tuple[Claim, ...] = (CLAIM1, CLAIM2, CLAIM3, CLAIM4, CLAIM5, CLAIM6, CLAIM7, CLAIM8)
assert [c.id for c in CLAIMS] == list(range(1, len(CLAIMS) + 1)), "claims out of order"
