"""The registry of distribution kinds a profile may state, with vectorised samplers.

Every kind is a frozen pydantic model carrying its parameters and a ``source:`` (a published
figure's address) or an ``assumption:`` (why the number was chosen). Samplers take a numpy
generator or precomputed uniforms and return whole arrays: there is no per-row Python here.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SUM_TOLERANCE = 1e-6


class _Dist(BaseModel):
    """Fields every distribution has."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str | None = Field(None, description="Address of the published figure (domain/stats.md).")
    assumption: str | None = Field(None, description="Why this number was chosen when none is published.")
    note: str | None = None


def _check_probabilities(values: list[float]) -> list[float]:
    if any(v < 0 for v in values):
        raise ValueError("probabilities must not be negative")
    total = float(sum(values))
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"probabilities sum to {total:.6g}, not 1; rescale them so they sum to 1")
    return values


class Categorical(_Dist):
    """A finite set of outcomes with probabilities that sum to 1."""

    kind: Literal["categorical"]
    probabilities: dict[str, float]

    @field_validator("probabilities", mode="before")
    @classmethod
    def _keys_as_text(cls, v):
        return {str(k): val for k, val in v.items()} if isinstance(v, dict) else v

    @field_validator("probabilities")
    @classmethod
    def _sum_to_one(cls, v):
        if not v:
            raise ValueError("needs at least one outcome")
        _check_probabilities(list(v.values()))
        return v

    @property
    def labels(self) -> list[str]:
        return list(self.probabilities)

    @property
    def p(self) -> np.ndarray:
        p = np.array(list(self.probabilities.values()), dtype=float)
        return p / p.sum()


class Histogram(_Dist):
    """A continuous quantity given as bins with probabilities; uniform within a bin."""

    kind: Literal["histogram"]
    unit: Literal["days", "weeks", "months", "years"]
    bins: list[float]
    probabilities: list[float]
    labels: list[str] | None = None

    @field_validator("bins")
    @classmethod
    def _edges(cls, v):
        if len(v) < 2 or any(b <= a for a, b in zip(v[:-1], v[1:])):
            raise ValueError("bins must be at least two strictly increasing edges")
        return v

    @field_validator("probabilities")
    @classmethod
    def _per_bin(cls, v, info):
        bins = info.data.get("bins")
        if bins is not None and len(v) != len(bins) - 1:
            raise ValueError(f"{len(bins)} bin edges need {len(bins) - 1} probabilities, got {len(v)}")
        return _check_probabilities(v)

    @field_validator("labels")
    @classmethod
    def _per_label(cls, v, info):
        probs = info.data.get("probabilities")
        if v is not None and probs is not None and len(v) != len(probs):
            raise ValueError("labels must have one entry per bin")
        return v

    @property
    def p(self) -> np.ndarray:
        p = np.asarray(self.probabilities, dtype=float)
        return p / p.sum()


class Share(_Dist):
    """The probability that something is true."""

    kind: Literal["share"]
    p: float = Field(ge=0.0, le=1.0)


class Lognormal(_Dist):
    """A positive quantity given by its mean (a number, or one per value of ``given``) and CV."""

    kind: Literal["lognormal"]
    unit: Literal["days", "weeks", "months", "years"]
    mean: float | dict[str, float]
    cv: float = Field(gt=0.0)
    given: str | None = None
    min: float | None = None
    max: float | None = None

    @field_validator("mean", mode="before")
    @classmethod
    def _keys_as_text(cls, v):
        return {str(k): val for k, val in v.items()} if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _given(self):
        means = self.mean.values() if isinstance(self.mean, dict) else [self.mean]
        if any(m <= 0 for m in means):
            raise ValueError("mean must be positive")
        if isinstance(self.mean, dict) and not self.given:
            raise ValueError("a mean given per value needs 'given:' naming the variable")
        if not isinstance(self.mean, dict) and self.given:
            raise ValueError("'given:' needs 'mean:' to be a mapping of value -> mean")
        return self


class Poisson(_Dist):
    """A count: ``offset`` plus a Poisson variable with the given mean, capped at ``max``."""

    kind: Literal["poisson"]
    mean: float = Field(ge=0.0)
    offset: int = 0
    max: int | None = None


class Survival(_Dist):
    """Time to an event: cumulative probability of the event by each time (no event after)."""

    kind: Literal["survival"]
    unit: Literal["days", "weeks", "months", "years"]
    times: list[float]
    cumulative: list[float]

    @model_validator(mode="after")
    def _shape(self):
        if len(self.times) != len(self.cumulative) or len(self.times) < 1:
            raise ValueError("times and cumulative need the same, non-zero length")
        if any(b <= a for a, b in zip(self.times[:-1], self.times[1:])) or self.times[0] <= 0:
            raise ValueError("times must be positive and strictly increasing")
        c = self.cumulative
        if any(v < 0 or v > 1 for v in c) or any(b < a for a, b in zip(c[:-1], c[1:])):
            raise ValueError("cumulative must be non-decreasing probabilities in [0, 1]")
        return self

    @property
    def ever(self) -> float:
        """Probability of the event by the last time given."""
        return self.cumulative[-1]


class Conditional(_Dist):
    """One distribution per value of a variable (``given``); cases may nest."""

    kind: Literal["conditional"]
    given: str
    cases: dict[str, Distribution]

    @field_validator("cases", mode="before")
    @classmethod
    def _keys_as_text(cls, v):
        return {str(k): val for k, val in v.items()} if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _same_kind(self):
        kinds = {leaf_kind(d) for d in self.cases.values()}
        if len(kinds) > 1:
            raise ValueError(f"every case must be of one kind, found {sorted(kinds)}")
        if not self.cases:
            raise ValueError("needs at least one case")
        return self


Distribution = Annotated[
    Categorical | Histogram | Share | Lognormal | Poisson | Survival | Conditional,
    Field(discriminator="kind"),
]
Conditional.model_rebuild()

KINDS = ("categorical", "histogram", "share", "lognormal", "poisson", "survival", "conditional")


def leaf_kind(d) -> str:
    """Return the kind of a distribution, looking through conditionals to their leaves."""
    while isinstance(d, Conditional):
        d = next(iter(d.cases.values()))
    return d.kind


def has_provenance(d) -> bool:
    """True when ``d`` or, for a conditional, it or every case carries a source or assumption."""
    if d.source or d.assumption:
        return True
    return isinstance(d, Conditional) and all(has_provenance(c) for c in d.cases.values())


# --------------------------------------------------------------------------------------------
# Sampling. ``keys`` are arrays of the conditioning values, one per row (stringified).


def _inverse_cdf(p: np.ndarray, u: np.ndarray) -> np.ndarray:
    cdf = np.cumsum(p)
    cdf[-1] = 1.0
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(p) - 1)


def categorical_index(d: Categorical, u: np.ndarray) -> np.ndarray:
    """Index into ``d.labels`` for each uniform in ``u`` (inverse CDF)."""
    return _inverse_cdf(d.p, u)


def histogram_values(d: Histogram, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Values for uniforms ``u`` (picks the bin) and ``v`` (position within the bin)."""
    idx = _inverse_cdf(d.p, u)
    lo = np.asarray(d.bins[:-1])[idx]
    hi = np.asarray(d.bins[1:])[idx]
    return lo + (hi - lo) * v


def histogram_bin(d: Histogram, x: np.ndarray) -> np.ndarray:
    """Bin index of each value (values outside the edges are clipped to the end bins)."""
    return np.clip(np.searchsorted(np.asarray(d.bins), x, side="right") - 1, 0, len(d.p) - 1)


def lognormal_values(d: Lognormal, z: np.ndarray, keys: np.ndarray | None = None) -> np.ndarray:
    """Values from standard normals ``z``; ``keys`` select the mean when it is given per value."""
    sigma2 = np.log1p(d.cv**2)
    if isinstance(d.mean, dict):
        uniq, inverse = np.unique(np.asarray(keys).astype(str), return_inverse=True)
        mean = np.array([d.mean.get(k, np.nan) for k in uniq], dtype=float)[inverse.ravel()]
    else:
        mean = np.full(z.shape, float(d.mean))
    x = np.exp(np.log(mean) - sigma2 / 2 + np.sqrt(sigma2) * z)
    if d.min is not None or d.max is not None:
        x = np.clip(x, d.min if d.min is not None else -np.inf, d.max if d.max is not None else np.inf)
    return x


def poisson_values(d: Poisson, rng: np.random.Generator, n: int) -> np.ndarray:
    """Counts for ``n`` rows."""
    x = d.offset + rng.poisson(d.mean, n)
    return np.minimum(x, d.max) if d.max is not None else x


def survival_times(d: Survival, u: np.ndarray) -> np.ndarray:
    """Event times for uniforms ``u``: NaN where no event happens by the last time."""
    t = np.concatenate([[0.0], d.times])
    c = np.concatenate([[0.0], d.cumulative])
    out = np.full(u.shape, np.nan)
    hit = u < c[-1]
    out[hit] = np.interp(u[hit], c, t)
    return out


def case_of(d: Conditional, value: str):
    """The case of ``d`` for ``value``; raises KeyError naming the missing case."""
    try:
        return d.cases[str(value)]
    except KeyError:
        raise KeyError(f"no case {value!r} for given {d.given!r}") from None


def group_rows(keys: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Split row positions by key value (as text), in sorted key order; rows keep their order."""
    keys = np.asarray(keys)
    if keys.size == 0:
        return []
    codes, uniques = pd.factorize(keys)
    labels = [str(u) for u in uniques]
    order = np.argsort(codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(uniques)))])
    return [(labels[i], order[bounds[i]:bounds[i + 1]]) for i in sorted(range(len(labels)), key=labels.__getitem__)]
