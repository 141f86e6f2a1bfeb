"""Row helpers the world shares: positions within groups and outcome age bands.

Distributions sample themselves (``dist.sample(rng, n, *conds)``, synth.profile.kinds).
"""

from __future__ import annotations

import numpy as np

from synth.profile.kinds import UNIT_DAYS, YEAR

__all__ = ["UNIT_DAYS", "YEAR", "age_band", "within_group_index"]


def within_group_index(group: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within runs of equal values of a sorted ``group`` array."""
    n = len(group)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1]]))
    idx = np.arange(n)
    return idx - np.repeat(starts, np.diff(np.concatenate([starts, [n]])))


def age_band(age_days: np.ndarray) -> np.ndarray:
    """Outcome age band of each age at issue in days (unborn counts as under 1)."""
    years = np.asarray(age_days) / YEAR
    bands = np.array(["under_1", "1-4", "5-9", "10-15", "16-17"], dtype=object)
    return bands[np.searchsorted([1, 5, 10, 16], years, side="right")]
