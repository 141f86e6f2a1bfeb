"""Poisson: a count, ``offset`` plus a Poisson variable with the given mean, capped at ``max``."""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from synth.profile.kinds.base import Control, Judgement, Kind, Learned
from synth.profile.kinds.categorical import tvd


class Poisson(Kind):
    """A count: ``offset`` plus a Poisson variable with the given mean, capped at ``max``."""

    kind: Literal["poisson"]
    order: ClassVar[int] = 50
    mean: float = Field(ge=0.0)
    offset: int = Field(0, ge=0)
    max: int | None = Field(None, ge=0)

    out_dtype: ClassVar[Any] = np.int64
    fill: ClassVar[Any] = 0

    @model_validator(mode="after")
    def _cap(self) -> Poisson:
        if self.max is not None and self.max < self.offset:
            raise ValueError(f"max ({self.max}) is below offset ({self.offset}); raise max or lower offset")
        return self

    def values(self, draws: tuple[np.ndarray, ...], rng: np.random.Generator,
               key: np.ndarray | None = None) -> np.ndarray:
        """Counts, drawn here (a Poisson draw per row of this leaf, leaves in case order)."""
        x = self.offset + rng.poisson(self.mean, len(draws[0]))
        return np.minimum(x, self.max) if self.max is not None else x

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
        """Nothing is drawn before rows are split by case; only the row positions are carried."""
        return (np.arange(n),)

    def compare(self, observed: Any, z: float, **options: Any) -> Judgement:
        """Counts against offset + Poisson(mean), capped at max (TVD over the counts)."""
        c = np.asarray(observed, dtype=int)
        top = self.max if self.max is not None else int(self.offset + self.mean + 8 * math.sqrt(self.mean + 1) + 5)
        k = np.arange(0, top - self.offset + 1)
        pmf = np.exp(-self.mean + k * math.log(max(self.mean, 1e-300)) - np.array([math.lgamma(v + 1) for v in k]))
        if self.mean == 0:
            pmf = (k == 0).astype(float)
        pmf[-1] += max(0.0, 1 - pmf.sum())
        labels = [str(v + self.offset) for v in k]
        return tvd(labels, pmf, c.astype(str), z,
                   detail=f"{len(c):,} counts against {self.offset} + Poisson({self.mean})"
                          + (f" capped at {self.max}" if self.max is not None else ""))

    def describe(self) -> str:
        """``poisson: 1 + Poisson(2.5), at most 9``."""
        cap = f", at most {self.max}" if self.max is not None else ""
        return f"poisson: {self.offset} + Poisson({self.mean:g}){cap}"

    @classmethod
    def learn(cls, base: Kind | None, observed: Any, control: Control, **options: Any) -> Learned | None:
        """The mean count (threshold and dominance rules applied by ``control``).

        With a Poisson ``base`` its offset and cap are kept and the learned mean is the mean count
        less the offset (at least 0.01); without one the mean count is the mean.

        Args:
            base: the base profile's leaf, or None.
            observed: ``(counts, units)``; units None: each count its own unit.
            control: disclosure control.
        """
        counts, units = observed
        m = control.mean(np.asarray(counts, dtype=float), units)
        if m is None:
            return None
        if not isinstance(base, Poisson):
            return Learned({"kind": "poisson", "mean": round(m, 3)}, control.rounded(len(counts)))
        body: dict[str, Any] = {"kind": "poisson", "mean": round(max(m - base.offset, 0.01), 3),
                                "offset": base.offset}
        if base.max is not None:
            body["max"] = base.max
        return Learned(body, control.rounded(len(counts)))
