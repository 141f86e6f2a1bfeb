"""Lognormal: a positive quantity given by its mean (a number, or one per value of ``given``) and CV."""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from synth.profile.kinds.base import MIN_N, UNIT_DAYS, Control, Judgement, Kind, Learned, Unit, keys_as_text, too_few
from synth.profile.kinds.stats import erfc, ks_constant, ks_distance


class Lognormal(Kind):
    """A positive quantity given by its mean (a number, or one per value of ``given``) and CV."""

    kind: Literal["lognormal"]
    order: ClassVar[int] = 40
    unit: Unit
    mean: float | dict[str, float]
    cv: float = Field(gt=0.0)
    given: str | None = None
    min: float | None = None
    max: float | None = None

    @field_validator("mean", mode="before")
    @classmethod
    def _keys_as_text(cls, v: Any) -> Any:
        return keys_as_text(v)

    @model_validator(mode="after")
    def _given(self) -> Lognormal:
        means = self.mean.values() if isinstance(self.mean, dict) else [self.mean]
        if any(m <= 0 for m in means):
            raise ValueError("mean must be positive")
        if isinstance(self.mean, dict) and not self.given:
            raise ValueError("a mean given per value needs 'given:' naming the variable")
        if not isinstance(self.mean, dict) and self.given:
            raise ValueError("'given:' needs 'mean:' to be a mapping of value -> mean")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is above max ({self.max:g}); swap them")
        return self

    def quantile_999(self, mean: float | None = None) -> float:
        """99.9th percentile (in the distribution's unit) for a scalar mean or the ``mean`` given."""
        m = float(self.mean if mean is None else mean)  # type: ignore[arg-type]
        s = math.sqrt(math.log1p(self.cv**2))
        return m * math.exp(-s * s / 2 + 3.09 * s)

    def at(self, z: np.ndarray, keys: np.ndarray | None = None) -> np.ndarray:
        """Values (in the distribution's unit) from standard normals ``z``; ``keys`` select the mean."""
        sigma2 = np.log1p(self.cv**2)
        if isinstance(self.mean, dict):
            uniq, inverse = np.unique(np.asarray(keys).astype(str), return_inverse=True)
            mean = np.array([self.mean.get(k, np.nan) for k in uniq], dtype=float)[inverse.ravel()]
        else:
            mean = np.full(z.shape, float(self.mean))
        x = np.exp(np.log(mean) - sigma2 / 2 + np.sqrt(sigma2) * z)
        if self.min is not None or self.max is not None:
            x = np.clip(x, self.min if self.min is not None else -np.inf, self.max if self.max is not None else np.inf)
        return x

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
        """One standard normal per row."""
        return (rng.standard_normal(n),)

    def values(self, draws: tuple[np.ndarray, ...], rng: np.random.Generator,
               key: np.ndarray | None = None) -> np.ndarray:
        """Values in days."""
        return self.at(draws[0], key) * UNIT_DAYS[self.unit]

    def compare(self, observed: Any, z: float, checkable: set[str] | None = None, **options: Any) -> Judgement:
        """KS against the lognormal for a scalar mean; for means given per key, each key's mean.

        Args:
            observed: values in days, or ``(days, keys)`` when the mean is given per key.
            z: the realism z.
            checkable: keys whose values are fully observed (others are not judged).
        """
        days, keys = observed if isinstance(observed, tuple) else (observed, None)
        x = np.asarray(days, dtype=float) / UNIT_DAYS[self.unit]
        if self.min is not None:
            x = np.where(np.isclose(x, self.min, rtol=1e-6, atol=1e-3 / UNIT_DAYS[self.unit]), self.min, x)
        if not isinstance(self.mean, dict):
            n = len(x)
            if n < MIN_N:
                return too_few(n)
            s2 = math.log1p(self.cv**2)
            mu = math.log(self.mean) - s2 / 2
            xs = np.sort(x)
            # Values recorded in whole days (a draw rounded to the day) are judged against the rounded
            # distribution: the target CDF steps at each day, from F(day - 1/2) to F(day + 1/2).
            half = 0.5 / UNIT_DAYS[self.unit] if _whole_days(days) else 0.0
            f, f_below = (self._cdf(xs + half, mu, s2), self._cdf(xs - half, mu, s2))
            d = ks_distance(f, f_below)
            tol = ks_constant(z) / math.sqrt(n)
            return Judgement(d <= tol, {"name": "ks", "value": round(d, 5), "tolerance": round(tol, 5), "n": n},
                             f"{n:,} observations; KS against lognormal(mean {self.mean}, cv {self.cv})")
        keys = np.asarray(keys).astype(str)
        labels, target, achieved, worst = [], [], [], 0.0
        for k in sorted(self.mean, key=lambda v: (len(v), v)):
            if checkable is not None and k not in checkable:
                continue
            sel = x[keys == k]
            if len(sel) < MIN_N:
                continue
            m = self.mean[k]
            zval = abs(sel.mean() - m) / (self.cv * m / math.sqrt(len(sel)))
            worst = max(worst, zval)
            labels.append(k)
            target.append(round(m, 3))
            achieved.append(round(float(sel.mean()), 3))
        if not labels:
            return too_few(0)
        return Judgement(worst <= z, {"name": "max_z_of_mean", "value": round(worst, 3), "tolerance": z,
                                      "n": int(len(x))},
                         f"mean {self.unit} per {self.given} for {len(labels)} fully observed values",
                         {"labels": labels, "target": target, "achieved": achieved})

    def _cdf(self, v: np.ndarray, mu: float, s2: float) -> np.ndarray:
        """The target CDF at ``v`` (in the unit): values clipped at min/max are point masses there."""
        f = 0.5 * erfc(-(np.log(np.maximum(v, 1e-12)) - mu) / math.sqrt(2 * s2))
        if self.min is not None:
            f = np.where(v < self.min, 0.0, f)
        if self.max is not None:
            f = np.where(v >= self.max, 1.0, f)
        return f

    def describe(self) -> str:
        """``lognormal in weeks: mean 30, cv 0.5``."""
        if isinstance(self.mean, dict):
            means = ", ".join(f"{k} {v:g}" for k, v in self.mean.items())
            mean = f"mean by {self.given} ({means})"
        else:
            mean = f"mean {self.mean:g}"
        bounds = "".join(f", {b} {getattr(self, b):g}" for b in ("min", "max") if getattr(self, b) is not None)
        return f"lognormal in {self.unit}: {mean}, cv {self.cv:g}{bounds}"

    @classmethod
    def learn(cls, base: Kind | None, observed: Any, control: Control, unit: str | None = None,
              **options: Any) -> Learned | None:
        """Mean and CV of values in days (the spread must be publishable).

        Args:
            base: the base profile's lognormal (its unit, unless ``unit`` is given, and ``min`` are kept).
            observed: values in days.
            control: disclosure control.
            unit: the unit to state the mean in.
        """
        if unit is None:
            unit = base.unit if isinstance(base, Lognormal) else "days"
        v = np.asarray(observed, dtype=float) / UNIT_DAYS[unit]
        if not control.dispersion(v):
            return None
        body: dict[str, Any] = {"kind": "lognormal", "unit": unit, "mean": round(float(v.mean()), 2),
                                "cv": round(float(v.std() / v.mean()), 3)}
        if isinstance(base, Lognormal) and base.min is not None:
            body["min"] = base.min
        return Learned(body, control.rounded(len(v)))


def _whole_days(days: Any) -> bool:
    """Whether every value is a whole number of days (a date difference, not a continuous draw)."""
    a = np.asarray(days, dtype=float)
    return bool(len(a)) and bool(np.all(a == np.round(a)))
