"""Observed samples put back on the stated distributions where place and year effects act.

The place model (synth/world/place.py) draws the youngest child's age, a return's new baby's age and
the public law outcome from the stated distributions changed by the issue year (and, for outcomes,
by the LA). The realism observers judge each sample against the stated distribution, so here each
observation is mapped through its own year's (and LA's) distribution onto the stated one: the
probability integral transform, randomised within a category for outcomes. When the mechanism draws
as declared, the mapped sample follows the stated distribution exactly, so the usual tolerances hold.
A profile without ``world.place`` leaves every sample as it is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.profile.kinds import Categorical, Conditional, Histogram
from synth.profile.kinds.categorical import inverse_cdf
from synth.profile.mechanisms import AGE_BANDS
from synth.rng import FAMILIES_PER_SHARD, generator
from synth.validate.observers.truth import Truth
from synth.world.place import Place

PLACE_KEY = "place_model"


def place_of(t: Truth) -> Place | None:
    """The run's place model (built once per run from its profile and seed), or None without one."""
    w = t.run.profile.world
    if w.place is None or w.population is None:
        return None
    if PLACE_KEY not in t.run.__dict__:
        from synth.world.context import build_context

        t.run.__dict__[PLACE_KEY] = build_context(t.run.loaded, t.run.seed).place
    return t.run.__dict__[PLACE_KEY]


def _to_stated(values: np.ndarray, fy: np.ndarray, place: Place, edges: np.ndarray, cdf: np.ndarray | None,
               stated: Histogram) -> np.ndarray:
    """Ages (days) drawn from the year's binned distribution, mapped to the stated histogram's scale."""
    if cdf is None or not len(values):
        return values
    v = np.asarray(values, dtype=float)
    y = place.year_index(fy)
    k = np.clip(np.searchsorted(edges, v, side="right") - 1, 0, len(edges) - 2)
    c_hi = cdf[y, k]
    c_lo = np.where(k > 0, cdf[y, np.maximum(k - 1, 0)], 0.0)
    frac = np.clip((v - edges[k]) / (edges[k + 1] - edges[k]), 0, 1)
    u = c_lo + frac * (c_hi - c_lo)
    bins = np.asarray(stated.bins, dtype=float)
    return np.interp(u, np.concatenate([[0.0], np.cumsum(stated.p)]), bins)


def stated_youngest(t: Truth, ages: np.ndarray, fy: np.ndarray) -> np.ndarray:
    """Public law youngest children's ages at issue, mapped from their issue year's age mix."""
    place = place_of(t)
    if place is None:
        return ages
    stated = t.dists["youngest_child_age_at_issue"]
    assert isinstance(stated, Conditional)
    hist = stated.cases["public"]
    assert isinstance(hist, Histogram)
    return _to_stated(ages, fy, place, place.age_edges, place.age_cdf, hist)


def stated_baby_ages(t: Truth, ages: np.ndarray, fy: np.ndarray) -> np.ndarray:
    """A return's new babies' ages at issue, mapped from their issue year's mix."""
    place = place_of(t)
    if place is None:
        return ages
    hist = t.dists["recurrence_baby_age_at_issue"]
    assert isinstance(hist, Histogram)
    return _to_stated(ages, fy, place, place.baby_edges, place.baby_cdf, hist)


def stated_outcomes(t: Truth, c: pd.DataFrame, law: pd.Series) -> pd.Series:
    """Public law outcomes mapped from each child's year and LA mix onto the stated mix of its age band."""
    place = place_of(t)
    out = c["outcome"].copy()
    pub = (law == "public").to_numpy()
    if place is None or not pub.any():
        return out
    p = t.proc.set_index("proceeding_id")
    rows = c[pub]
    fy = rows["proceeding_id"].map(p["fy"]).to_numpy()
    la = place.la_index(rows["proceeding_id"].map(p["la_code"]).to_numpy())
    probs = place.public_probabilities(rows["age_band"].to_numpy(), fy, la)
    labels = list(place.outcome_labels)
    k = pd.Categorical(rows["outcome"], categories=labels).codes
    known = k >= 0
    kk = np.maximum(k, 0)
    cdf = np.cumsum(probs, axis=1)
    hi = cdf[np.arange(len(kk)), kk]
    lo = hi - probs[np.arange(len(kk)), kk]
    # One stream per shard (its families' rows in run order): the same draws whether realism reads the
    # whole run or a slice of shards (synth.validate.pooling).
    shard = rows["proceeding_id"].map(p["family_id"]).to_numpy(np.int64) // FAMILIES_PER_SHARD
    r = np.empty(len(kk))
    for s in np.unique(shard):
        at = shard == s
        r[at] = generator(t.run.seed, "validate", "place_adjust", int(s)).random(int(at.sum()))
    u = lo + r * (hi - lo)
    band = pd.Categorical(rows["age_band"], categories=AGE_BANDS).codes.clip(0)
    dist = t.dists["outcome"]
    mapped = np.empty(len(kk), dtype=object)
    for b, name in enumerate(AGE_BANDS):
        m = band == b
        leaf = dist.leaf_at(("public", name))
        if m.any() and isinstance(leaf, Categorical):
            mapped[m] = np.asarray(leaf.labels, dtype=object)[inverse_cdf(leaf.p, u[m])]
    mapped[~known] = rows["outcome"].to_numpy()[~known]
    out.loc[rows.index] = mapped
    return out
