"""Draw from (possibly conditional) profile distributions for whole arrays of rows."""

from __future__ import annotations

import numpy as np

from synth.profile import distributions as D

YEAR = 365.25
UNIT_DAYS = {"days": 1.0, "weeks": 7.0, "months": YEAR / 12, "years": YEAR}


def leaf_groups(dist, conds: list[np.ndarray]) -> list[tuple[object, np.ndarray]]:
    """Split rows by the conditioning values, returning (leaf distribution, row positions).

    Args:
        dist: a distribution; conditionals are followed one level per entry of ``conds``.
        conds: arrays of conditioning values, outermost first.
    """
    n = len(conds[0]) if conds else None
    todo = [(dist, np.arange(n) if n is not None else None, 0)]
    out = []
    while todo:
        d, rows, level = todo.pop(0)
        if isinstance(d, D.Conditional):
            for value, pos in D.group_rows(conds[level][rows]):
                todo.append((D.case_of(d, value), rows[pos], level + 1))
        else:
            out.append((d, rows))
    return out


def categorical(dist, rng: np.random.Generator, n: int, *conds, u: np.ndarray | None = None) -> np.ndarray:
    """Labels (object array) drawn for ``n`` rows, conditioned on ``conds``."""
    u = rng.random(n) if u is None else u
    if not conds:
        return np.asarray(dist.labels, dtype=object)[D.categorical_index(dist, u)]
    out = np.empty(n, dtype=object)
    for leaf, rows in leaf_groups(dist, list(conds)):
        out[rows] = np.asarray(leaf.labels, dtype=object)[D.categorical_index(leaf, u[rows])]
    return out


def share(dist, rng: np.random.Generator, n: int, *conds) -> np.ndarray:
    """Booleans drawn for ``n`` rows."""
    u = rng.random(n)
    if not conds:
        return u < dist.p
    p = np.empty(n)
    for leaf, rows in leaf_groups(dist, list(conds)):
        p[rows] = leaf.p
    return u < p


def histogram_days(dist, rng: np.random.Generator, n: int, *conds) -> np.ndarray:
    """Values in days drawn for ``n`` rows."""
    u, v = rng.random(n), rng.random(n)
    if not conds:
        return D.histogram_values(dist, u, v) * UNIT_DAYS[dist.unit]
    out = np.empty(n)
    for leaf, rows in leaf_groups(dist, list(conds)):
        out[rows] = D.histogram_values(leaf, u[rows], v[rows]) * UNIT_DAYS[leaf.unit]
    return out


def lognormal_days(dist, rng: np.random.Generator, n: int, *conds, key: np.ndarray | None = None) -> np.ndarray:
    """Values in days; ``key`` selects the mean where it is given per value."""
    z = rng.standard_normal(n)
    if not conds:
        return D.lognormal_values(dist, z, key) * UNIT_DAYS[dist.unit]
    out = np.empty(n)
    for leaf, rows in leaf_groups(dist, list(conds)):
        out[rows] = D.lognormal_values(leaf, z[rows], None if key is None else key[rows]) * UNIT_DAYS[leaf.unit]
    return out


def poisson(dist, rng: np.random.Generator, n: int, *conds) -> np.ndarray:
    """Counts for ``n`` rows."""
    if not conds:
        return D.poisson_values(dist, rng, n)
    out = np.zeros(n, dtype=np.int64)
    for leaf, rows in leaf_groups(dist, list(conds)):
        out[rows] = D.poisson_values(leaf, rng, len(rows))
    return out


def survival_days(dist, rng: np.random.Generator, n: int, *conds) -> np.ndarray:
    """Event times in days (NaN: no event within the curve's horizon)."""
    u = rng.random(n)
    if not conds:
        return D.survival_times(dist, u) * UNIT_DAYS[dist.unit]
    out = np.full(n, np.nan)
    for leaf, rows in leaf_groups(dist, list(conds)):
        out[rows] = D.survival_times(leaf, u[rows]) * UNIT_DAYS[leaf.unit]
    return out


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
