"""Histogram: a continuous quantity given as bins with probabilities; uniform within a bin."""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import ValidationInfo, field_validator

from synth.profile.kinds.base import (
    MIN_N,
    UNIT_DAYS,
    Control,
    Judgement,
    Kind,
    Learned,
    Unit,
    check_probabilities,
    too_few,
)
from synth.profile.kinds.categorical import inverse_cdf, probabilities
from synth.profile.kinds.stats import ks_constant, ks_distance

#: Positions a value known only to a range (a week or month of birth) is spread over.
SPREAD_POINTS = 7


def spread(lo: np.ndarray, hi: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray]:
    """Values known only to lie in [lo, hi], spread evenly over ``points`` positions.

    Returns:
        ``(values, row)``: ``points`` values per row (row-major) and the row each comes from.
    """
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    if points <= 1:
        return (lo + hi) / 2, np.arange(len(lo))
    frac = np.linspace(0.0, 1.0, points)
    values = lo[:, None] + (hi - lo)[:, None] * frac[None, :]
    return values.ravel(), np.repeat(np.arange(len(lo)), points)


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else float(v)


class Histogram(Kind):
    """A continuous quantity given as bins with probabilities; uniform within a bin."""

    kind: Literal["histogram"]
    order: ClassVar[int] = 20
    unit: Unit
    bins: list[float]
    probabilities: list[float]
    labels: list[str] | None = None

    @field_validator("bins")
    @classmethod
    def _edges(cls, v: list[float]) -> list[float]:
        if len(v) < 2 or any(b <= a for a, b in zip(v[:-1], v[1:])):
            raise ValueError("bins must be at least two strictly increasing edges")
        return v

    @field_validator("probabilities")
    @classmethod
    def _per_bin(cls, v: list[float], info: ValidationInfo) -> list[float]:
        bins = info.data.get("bins")
        if bins is not None and len(v) != len(bins) - 1:
            raise ValueError(f"{len(bins)} bin edges need {len(bins) - 1} probabilities, got {len(v)}")
        return check_probabilities(v)

    @field_validator("labels")
    @classmethod
    def _per_label(cls, v: list[str] | None, info: ValidationInfo) -> list[str] | None:
        probs = info.data.get("probabilities")
        if v is not None and probs is not None and len(v) != len(probs):
            raise ValueError("labels must have one entry per bin")
        return v

    @property
    def p(self) -> np.ndarray:
        """The bin probabilities, normalised."""
        p = np.asarray(self.probabilities, dtype=float)
        return p / p.sum()

    @property
    def bin_labels(self) -> list[str]:
        """The bins' labels, or ``lo-hi`` for each."""
        return list(self.labels or [f"{a:g}-{b:g}" for a, b in zip(self.bins[:-1], self.bins[1:])])

    def bin_of(self, x: np.ndarray) -> np.ndarray:
        """Bin index of each value in the histogram's unit (outside the edges: the end bins)."""
        return np.clip(np.searchsorted(np.asarray(self.bins), x, side="right") - 1, 0, len(self.p) - 1)

    def at(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Values in the histogram's unit for uniforms ``u`` (the bin) and ``v`` (within the bin)."""
        idx = inverse_cdf(self.p, u)
        lo = np.asarray(self.bins[:-1])[idx]
        hi = np.asarray(self.bins[1:])[idx]
        return lo + (hi - lo) * v

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
        """Two uniforms per row: the bin, then the position within it."""
        u = rng.random(n)
        return (u, rng.random(n))

    def values(self, draws: tuple[np.ndarray, ...], rng: np.random.Generator,
               key: np.ndarray | None = None) -> np.ndarray:
        """Values in days."""
        return self.at(draws[0], draws[1]) * UNIT_DAYS[self.unit]

    def compare(self, observed: Any, z: float, deff: float = 1.0, **options: Any) -> Judgement:
        """KS and binned shares of values (given in days) against the histogram."""
        x = np.sort(np.asarray(observed, dtype=float) / UNIT_DAYS[self.unit])
        n = len(x)
        if n < MIN_N:
            return too_few(n)
        cdf = np.concatenate([[0.0], np.cumsum(self.p)])
        d = ks_distance(np.interp(x, self.bins, cdf))
        tol = ks_constant(z) / math.sqrt(n / deff)
        shares = np.bincount(self.bin_of(x), minlength=len(self.p)) / n
        return Judgement(d <= tol, {"name": "ks", "value": round(d, 5), "tolerance": round(tol, 5), "n": n},
                         f"{n:,} observations in {self.unit}; KS against the stated histogram",
                         {"labels": self.bin_labels, "target": self.p.round(5).tolist(),
                          "achieved": shares.round(5).tolist()})

    def describe(self) -> str:
        """``histogram in years: 0-1 0.2, 1-5 0.8``."""
        cells = [f"{lab} {p:g}" for lab, p in zip(self.bin_labels, self.probabilities)]
        return f"histogram in {self.unit}: {', '.join(cells)}"

    @classmethod
    def learn(cls, base: Kind | None, observed: Any, control: Control, **options: Any) -> Learned | None:
        """The base's bins (small ones merged by ``control``) with shares of values in days.

        Args:
            base: the base profile's histogram (its bins and unit are kept).
            observed: ``(lo, hi, units)``: each value known to a range [lo, hi] in days (spread
                evenly over it when lo != hi; values outside the bins fall in the end bins) and
                the unit id of each (None: each its own unit).
            control: disclosure control.
        """
        if not isinstance(base, Histogram):
            return None
        lo, hi, units = observed
        lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
        ok = ~(np.isnan(lo) | np.isnan(hi))
        lo, hi = lo[ok], hi[ok]
        unit_ids = np.arange(len(lo)) if units is None else np.asarray(units)[ok]
        points = 1 if np.allclose(lo, hi) else SPREAD_POINTS
        x, row = spread(lo, hi, points)
        codes = base.bin_of(x / UNIT_DAYS[base.unit]).astype(np.int64)
        labels = base.bin_labels
        weight = None if points == 1 else np.full(len(x), 1.0 / points)
        pub = control.bins(codes, labels, unit_ids[row], weight)
        if pub is None:
            return None
        edges = [base.bins[r[0]] for r in pub.groups] + [base.bins[-1]]
        p = pub.counts / pub.counts.sum()
        body: dict[str, Any] = {
            "kind": "histogram", "unit": base.unit, "bins": [_num(e) for e in edges],
            "probabilities": list(probabilities([str(i) for i in range(len(p))], p, np.ones(len(p), bool)).values())}
        if base.labels:
            body["labels"] = ["+".join(labels[i] for i in r) for r in pub.groups]
        groups = tuple(tuple(labels[i] for i in g) for g in pub.groups)
        return Learned(body, control.rounded(len(lo)), groups)
