"""Names sampled with numpy from Faker's en_GB lists, read once into arrays.

No per-row Faker call is made: the lists (and the surname weights Faker ships) are turned into
arrays and cumulative weights once, then whole columns are drawn by inverse CDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class NameTables:
    """Arrays of names and their cumulative weights."""

    female: np.ndarray
    male: np.ndarray
    surnames: np.ndarray
    surname_cdf: np.ndarray


@lru_cache(maxsize=1)
def name_tables() -> NameTables:
    """Read Faker's en_GB person data once."""
    from faker.providers.person import en_GB

    p = en_GB.Provider
    last = p.last_names
    if hasattr(last, "items"):
        surnames = np.array(list(last.keys()), dtype=object)
        w = np.array(list(last.values()), dtype=float)
    else:
        surnames = np.array(list(last), dtype=object)
        w = np.ones(len(surnames))
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    return NameTables(
        female=np.array(list(p.first_names_female), dtype=object),
        male=np.array(list(p.first_names_male), dtype=object),
        surnames=surnames,
        surname_cdf=cdf,
    )


def forenames(sex: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A forename for each person (sex 1 male, 2 female)."""
    t = name_tables()
    out = np.empty(len(sex), dtype=object)
    male = sex == 1
    out[male] = t.male[rng.integers(0, len(t.male), int(male.sum()))]
    out[~male] = t.female[rng.integers(0, len(t.female), int((~male).sum()))]
    return out


def surnames(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` surnames drawn with Faker's en_GB weights."""
    t = name_tables()
    return t.surnames[np.searchsorted(t.surname_cdf, rng.random(n), side="right").clip(0, len(t.surnames) - 1)]
