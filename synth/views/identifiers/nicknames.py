"""Nicknames: forename short forms, looked up by array search for the ``nickname`` error kind."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from synth.profile.find import shipped_reference
from synth.profile.reference import read_reference

#: The nickname list shipped with the package.
NICKNAMES_CSV = shipped_reference("nicknames.csv")


@dataclass(frozen=True)
class Nicknames:
    """Forename short forms as sorted arrays, for vectorised look-up.

    Attributes:
        names: Sorted distinct upper-case names.
        starts: For each name, its first row in ``nicknames``.
        counts: For each name, how many short forms it has.
        nicknames: Upper-case short forms, grouped by name in the order of ``names``.
    """

    names: np.ndarray
    starts: np.ndarray
    counts: np.ndarray
    nicknames: np.ndarray

    @classmethod
    def from_frame(cls, table: pd.DataFrame) -> Nicknames:
        """Build from a frame with columns ``name`` and ``nickname`` (any case)."""
        t = pd.DataFrame({"name": table["name"].astype(str).str.strip().str.upper(),
                          "nickname": table["nickname"].astype(str).str.strip().str.upper()})
        t = t[t["name"] != t["nickname"]].drop_duplicates().sort_values(["name", "nickname"])
        names, starts, counts = np.unique(t["name"].to_numpy(str), return_index=True, return_counts=True)
        return cls(names, starts, counts, t["nickname"].to_numpy(str))

    @classmethod
    def from_csv(cls, path: str | Path) -> Nicknames:
        """Read a checked ``name,nickname[,basis]`` CSV (see synth.profile.reference)."""
        return cls.from_frame(read_reference(path, "nicknames"))

    def lookup(self, names: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pick a short form for each upper-case name, using uniforms ``u`` in [0, 1).

        Returns:
            The short forms (None where the name has none) and a mask of names that have one.
        """
        names = np.asarray(names, dtype=str)
        if not len(self.names):
            return np.full(len(names), None, object), np.zeros(len(names), bool)
        at = np.searchsorted(self.names, names).clip(0, len(self.names) - 1)
        found = self.names[at] == names
        pick = self.starts[at] + np.minimum((u * self.counts[at]).astype(np.int64), self.counts[at] - 1)
        return np.where(found, self.nicknames[pick].astype(object), None), found  # type: ignore[return-value]


@lru_cache(maxsize=1)
def shipped_nicknames() -> Nicknames:
    """The nickname list shipped in ``synth/profiles/reference/nicknames.csv`` (read once)."""
    return Nicknames.from_csv(NICKNAMES_CSV)
