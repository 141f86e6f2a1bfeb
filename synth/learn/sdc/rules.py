"""Disclosure-control rules, the disclosure log and how counts are said."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Rules:
    """Disclosure-control settings.

    Attributes:
        threshold: minimum contributors behind any published cell or summary.
        rounding: base to which published counts are rounded.
        dominance: ``(n, k)`` pairs: suppress when the largest ``n`` hold more than ``k`` of a total.
        p_percent: p% rule: suppress when (total - largest two) < p * largest.
    """

    threshold: int = 10
    rounding: int = 5
    dominance: tuple[tuple[int, float], ...] = ((1, 0.5), (2, 0.85))
    p_percent: float = 0.10

    def describe(self) -> str:
        """One line for provenance strings."""
        return f"threshold {self.threshold}, base-{self.rounding} rounding"


@dataclass(frozen=True)
class Event:
    """One disclosure-control action, in words that do not themselves disclose a small count."""

    distribution: str
    case: str
    action: str
    detail: str


@dataclass
class Log:
    """Events in the order they happened."""

    events: list[Event] = field(default_factory=list)

    def add(self, distribution: str, case: str, action: str, detail: str) -> None:
        """Record one event."""
        self.events.append(Event(distribution, case, action, detail))


def round_base(x: np.ndarray | float | list[float], base: int) -> np.ndarray:
    """Round to the nearest multiple of ``base`` (halves up)."""
    return np.floor(np.asarray(x, dtype=float) / base + 0.5) * base


def say(n: float, rules: Rules) -> str:
    """A count in publishable words: rounded when safe, "fewer than T" otherwise."""
    if n < rules.threshold:
        return f"fewer than {rules.threshold}"
    return f"{int(round_base(n, rules.rounding)[()]):,}"
