"""Share: the probability that something is true."""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from synth.profile.kinds.base import MIN_N, Control, Judgement, Kind, Learned, too_few


class Share(Kind):
    """The probability that something is true."""

    kind: Literal["share"]
    order: ClassVar[int] = 30
    p: float = Field(ge=0.0, le=1.0)

    out_dtype: ClassVar[Any] = bool
    fill: ClassVar[Any] = False

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
        """One uniform per row."""
        return (rng.random(n),)

    def values(self, draws: tuple[np.ndarray, ...], rng: np.random.Generator,
               key: np.ndarray | None = None) -> np.ndarray:
        """True where the uniform falls below ``p``."""
        return draws[0] < self.p

    def compare(self, observed: Any, z: float, deff: float = 1.0, target: float | None = None, detail: str = "",
                **options: Any) -> Judgement:
        """A proportion against ``p`` (or ``target`` when the mechanism implies another figure)."""
        obs = np.asarray(observed, dtype=bool)
        n = len(obs)
        if n < MIN_N:
            return too_few(n)
        p = self.p if target is None else target
        got = float(obs.mean())
        tol = z * math.sqrt(max(p * (1 - p), 0.25 / n) / (n / deff))
        return Judgement(abs(got - p) <= tol,
                         {"name": "abs_error", "value": round(abs(got - p), 5), "tolerance": round(tol, 5), "n": n},
                         detail or f"achieved {got:.4f} vs stated {p:.4f} over {n:,}",
                         {"labels": ["share"], "target": [round(p, 5)], "achieved": [round(got, 5)]})

    def describe(self) -> str:
        """``share: p = 0.5``."""
        return f"share: p = {self.p:g}"

    @classmethod
    def learn(cls, base: Kind | None, observed: Any, control: Control, **options: Any) -> Learned | None:
        """The share of true flags; both the yes and the no cell must be safe.

        Args:
            base: unused (a share has nothing to keep from the base).
            observed: ``(flags, units)``; units None: each flag its own unit.
            control: disclosure control.
        """
        flags, units = observed
        p = share_value(flags, units, control)
        if p is None:
            return None
        return Learned({"kind": "share", "p": round(p, 4)}, control.rounded(len(flags)))


def share_value(flags: Any, units: Any, control: Control) -> float | None:
    """The disclosure-controlled share of true ``flags`` (None when a cell is unsafe)."""
    f = np.asarray(flags, dtype=bool)
    pub = control.categories(f.astype(np.int64), ["no", "yes"], np.array([0.5, 0.5]), True,
                             None if units is None else np.asarray(units))
    return None if pub is None else float(pub.p[1])
