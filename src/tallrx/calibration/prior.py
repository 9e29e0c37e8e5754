"""The calibration prior: log-uniform over each uncertain parameter's stated range
(:func:`tallrx.reproduce.sensitivity.uncertain_parameters`, bounds from parameters.csv), in
log space so the SMC moves are scale-free. Parameters whose range starts at 0 are uniform."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class BoxPrior:
    """Independent uniform prior on a box in transformed (log for positive ranges) space."""

    names: tuple[str, ...]
    low: np.ndarray  # transformed bounds
    high: np.ndarray
    log: np.ndarray  # True where the parameter is log-transformed

    @classmethod
    def from_table(cls, spec: pd.DataFrame) -> BoxPrior:
        """From a table with columns name, low, high (natural units)."""
        lo, hi = spec["low"].to_numpy(float), spec["high"].to_numpy(float)
        pos = lo > 0
        return cls(
            tuple(spec["name"]),
            np.where(pos, np.log(np.where(pos, lo, 1.0)), lo),
            np.where(pos, np.log(np.where(pos, hi, 1.0)), hi),
            pos,
        )

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """(n, d) draws in transformed space."""
        return self.low + rng.random((n, len(self.names))) * (self.high - self.low)

    def log_density(self, x: np.ndarray) -> np.ndarray:
        """Log density (constant inside the box, -inf outside) of (n, d) transformed points."""
        inside = np.all((x >= self.low) & (x <= self.high), axis=1)
        return np.where(inside, -np.sum(np.log(self.high - self.low)), -np.inf)

    def to_parameters(self, x: np.ndarray) -> pd.DataFrame:
        """Transformed points -> natural-unit parameter table (one column per parameter)."""
        return pd.DataFrame(np.where(self.log, np.exp(x), x), columns=list(self.names))

    def width(self, x: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Weighted 5-95 % width of each coordinate of ``x`` (transformed space)."""
        from tallrx.calibration.weighted import weighted_quantiles

        return np.asarray([np.diff(weighted_quantiles(x[:, j], weights, [0.05, 0.95]))[0]
                           for j in range(x.shape[1])])


def calibration_prior(spread: float = 1.0) -> BoxPrior:
    """The prior over :func:`~tallrx.reproduce.sensitivity.uncertain_parameters`.

    ``spread`` (0-1] narrows each stated range around the nominal value to that fraction of the
    (log) distance from the nominal value to each bound, as ``tallrx reproduce --spread`` does
    (1 = the whole stated range).
    """
    from tallrx.reproduce.sensitivity import check_spread, uncertain_parameters

    check_spread(spread)
    spec = uncertain_parameters()
    if spread < 1.0:
        low, high = spec["low"].to_numpy(float), spec["high"].to_numpy(float)
        mid = np.clip(spec["value"].to_numpy(float), low, high)
        pos = low > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(pos, (high / mid) ** spread * mid, mid + spread * (high - mid))
            s = np.where(pos, (low / mid) ** spread * mid, mid - spread * (mid - low))
        spec = spec.assign(low=s, high=g)
    return BoxPrior.from_table(spec)
