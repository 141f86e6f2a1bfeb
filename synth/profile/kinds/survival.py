"""Survival: time to an event as the cumulative probability of the event by each time."""

from __future__ import annotations

import math
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import model_validator

from synth.profile.kinds.base import MIN_N, UNIT_DAYS, Control, Judgement, Kind, Learned, Unit, too_few
from synth.profile.kinds.stats import kaplan_meier, kaplan_meier_curve


class Survival(Kind):
    """Time to an event: cumulative probability of the event by each time (no event after)."""

    kind: Literal["survival"]
    order: ClassVar[int] = 60
    unit: Unit
    times: list[float]
    cumulative: list[float]

    @model_validator(mode="after")
    def _shape(self) -> Survival:
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

    def at(self, u: np.ndarray) -> np.ndarray:
        """Event times (in the curve's unit) for uniforms ``u``: NaN where no event happens by the last time."""
        t = np.concatenate([[0.0], self.times])
        c = np.concatenate([[0.0], self.cumulative])
        out = np.full(u.shape, np.nan)
        hit = u < c[-1]
        out[hit] = np.interp(u[hit], c, t)
        return out

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
        """One uniform per row."""
        return (rng.random(n),)

    def values(self, draws: tuple[np.ndarray, ...], rng: np.random.Generator,
               key: np.ndarray | None = None) -> np.ndarray:
        """Event times in days (NaN: no event within the curve's horizon)."""
        return self.at(draws[0]) * UNIT_DAYS[self.unit]

    def compare(self, observed: Any, z: float, **options: Any) -> Judgement:
        """Kaplan-Meier cumulative incidence at each stated time against the stated curve.

        Args:
            observed: ``(durations_days, events, earliest_days)``; ``earliest_days`` (or None) is
                the earliest possible event time per row: an event drawn earlier happens then
                instead, so the target at time t becomes F(t) * P(earliest <= t), estimated from
                the rows where it is known (the draw and the earliest time are independent).
            z: the realism z.
        """
        durations_days, events, earliest_days = observed
        t = np.asarray(durations_days, dtype=float) / UNIT_DAYS[self.unit]
        e = np.asarray(events, dtype=bool)
        n = len(t)
        if n < MIN_N:
            return too_few(n)
        floor = None
        if earliest_days is not None:
            known = np.asarray(earliest_days, dtype=float)
            floor = np.sort(known[~np.isnan(known)]) / UNIT_DAYS[self.unit]
        targets = []
        for time, target in zip(self.times, self.cumulative):
            factor = np.searchsorted(floor, time, side="right") / len(floor) \
                if floor is not None and len(floor) else 1.0
            targets.append(round(float(target * factor), 5))
        achieved, worst = [], 0.0
        incs, ses, risks = kaplan_meier_curve(t, e, self.times)  # one sort for every stated time
        for target, inc, se, at_risk in zip(targets, incs, ses, risks):
            achieved.append(round(float(inc), 5))
            # Greenwood's SE comes from the achieved curve and is far too small when few events are
            # seen; the SE the target itself implies for those still at risk bounds it from below.
            at_risk = max(int(at_risk), 1)
            se = max(float(se), math.sqrt(target * (1 - target) / at_risk))
            if se > 0:
                worst = max(worst, abs(inc - target) / se)
            elif abs(inc - target) > 0.5 / math.sqrt(n):
                worst = max(worst, float("inf"))
        return Judgement(worst <= z, {"name": "max_z_km", "value": round(worst, 3), "tolerance": z, "n": n},
                         f"Kaplan-Meier over {n:,} at risk ({int(e.sum()):,} events), censored at the period end"
                         + ("; target allows for the earliest possible return" if floor is not None else ""),
                         {"labels": [f"{v:g} {self.unit}" for v in self.times], "target": targets,
                          "achieved": achieved})

    def describe(self) -> str:
        """``survival in years: 1 0.1, 3 0.2``."""
        cells = ", ".join(f"{t:g} {c:g}" for t, c in zip(self.times, self.cumulative))
        return f"survival in {self.unit}: {cells}"

    @classmethod
    def learn(cls, base: Kind | None, observed: Any, control: Control, **options: Any) -> Learned | None:
        """Kaplan-Meier incidence at the base curve's times (events and non-events must both be safe).

        Args:
            base: the base profile's curve (its times and unit are kept).
            observed: ``(durations_days, events)``: time to the event or to censoring, and
                whether the event was seen.
            control: disclosure control.
        """
        if not isinstance(base, Survival):
            return None
        durations, events = observed
        e = np.asarray(events, dtype=bool)
        pub = control.categories(e.astype(np.int64), ["censored", "event"], np.array([0.5, 0.5]), True, None)
        if pub is None:
            return None
        t = np.asarray(durations, dtype=float) / UNIT_DAYS[base.unit]
        cum = np.maximum.accumulate([kaplan_meier(t, e, time)[0] for time in base.times])
        body = {"kind": "survival", "unit": base.unit, "times": list(base.times),
                "cumulative": [round(float(c), 4) for c in cum]}
        return Learned(body, control.rounded(len(t)))
