"""Observations tallied per cell: counts and distinct contributing units."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tally:
    """Observations of ``n_labels`` cells.

    Attributes:
        cat: cell index of each observation.
        n_labels: number of cells.
        unit: unit id of each observation (None: every observation is its own unit).
        weight: weight of each observation (None: 1; fractional when a value is spread over
            the days it may fall on, e.g. an age known to the week).
    """

    cat: np.ndarray
    n_labels: int
    unit: np.ndarray | None = None
    weight: np.ndarray | None = None

    @property
    def counts(self) -> np.ndarray:
        """Weighted count per cell."""
        return np.bincount(self.cat, weights=self.weight, minlength=self.n_labels).astype(float)

    def contributors(self, group_of: np.ndarray) -> np.ndarray:
        """Distinct units per group, for a grouping of the cells (``group_of[label]``)."""
        g = np.asarray(group_of)[self.cat]
        n_groups = int(np.max(group_of)) + 1 if len(group_of) else 0
        if self.unit is None and self.weight is None:
            return np.bincount(g, minlength=n_groups).astype(float)
        unit = np.arange(len(self.cat)) if self.unit is None else np.asarray(self.unit)
        _, codes = np.unique(unit, return_inverse=True)
        pairs = np.unique(codes.astype(np.int64) * max(n_groups, 1) + g)
        return np.bincount(pairs % max(n_groups, 1), minlength=n_groups).astype(float)

    def safe_size(self, group_of: np.ndarray) -> np.ndarray:
        """Per group, the smaller of its weighted count and its distinct units."""
        group_of = np.asarray(group_of)
        n_groups = int(group_of.max()) + 1 if len(group_of) else 0
        counts = np.bincount(group_of, weights=self.counts, minlength=n_groups)
        return np.minimum(counts, self.contributors(group_of))


def tally_counts(counts: Sequence[float] | np.ndarray) -> Tally:
    """A tally with one unit per observation, from integer counts per cell (for tests, volumes)."""
    c = np.asarray(counts, dtype=np.int64)
    return Tally(np.repeat(np.arange(len(c)), c), len(c))
