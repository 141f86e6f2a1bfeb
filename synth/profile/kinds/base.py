"""What every distribution kind shares: provenance, strict numbers, sampling and judging.

A kind is a frozen pydantic model (the profile embeds it, discriminated by ``kind``) that also
knows how to sample itself for whole arrays of rows, compare an achieved sample with itself,
describe itself in one line and build itself from disclosure-controlled counts for ``synth learn``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

YEAR = 365.25
#: Days in each time unit a profile may state.
UNIT_DAYS = {"days": 1.0, "weeks": 7.0, "months": YEAR / 12, "years": YEAR}
Unit = Literal["days", "weeks", "months", "years"]
#: Fewest observations a comparison judges (fewer pass as "too few to judge").
MIN_N = 20
SUM_TOLERANCE = 1e-6



class Control(Protocol):
    """Disclosure control ``Kind.learn`` calls (synth.learn supplies it; profile/ never imports learn/).

    Each method returns None when nothing may be published (after logging why).
    """

    def categories(self, codes: np.ndarray, labels: list[str], prior: np.ndarray, ordered: bool,
                   units: np.ndarray | None, named: np.ndarray | None = None) -> Any:
        """Published counts (``.counts``, ``.p``, ``.groups``) of coded observations."""

    def bins(self, codes: np.ndarray, labels: list[str], units: np.ndarray, weight: np.ndarray | None) -> Any:
        """Published counts of ordered bins, small ones merged with neighbours."""

    def mean(self, values: np.ndarray, units: np.ndarray | None = None) -> float | None:
        """The mean of ``values`` if it may be published."""

    def dispersion(self, values: np.ndarray) -> bool:
        """Whether a mean and coefficient of variation of ``values`` may be published."""

    def rounded(self, n: float) -> float:
        """A count rounded as published counts are."""


@dataclass(frozen=True)
class Judgement:
    """An achieved sample judged against its target.

    Attributes:
        passed: whether the achieved sample is within tolerance.
        statistic: name, value, tolerance and ``n`` of the statistic used.
        detail: one sentence a person can read.
        series: ``{"labels", "target", "achieved"}`` for plots, where there is one.
    """

    passed: bool
    statistic: dict[str, Any]
    detail: str
    series: dict[str, list] | None = None


@dataclass(frozen=True)
class Observed:
    """An achieved sample with options for its kind's ``compare`` (e.g. a design effect).

    Attributes:
        data: what the kind compares (labels, values in days, flags, counts, or a tuple).
        options: keyword arguments for ``compare``.
    """

    data: Any
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Learned:
    """A distribution body learned from data.

    Attributes:
        body: YAML-ready mapping (``kind`` and parameters, no provenance).
        n: the observations it rests on, rounded as published counts are.
        groups: the cells published together (labels per group); several make a merge.
    """

    body: dict[str, Any]
    n: float
    groups: tuple[tuple[str, ...], ...] = ()


def too_few(n: int) -> Judgement:
    """The judgement for a sample too small to judge (it passes, saying so)."""
    return Judgement(True, {"name": "n", "value": n, "tolerance": MIN_N},
                     f"only {n} observations: too few to judge (needs {MIN_N})")


def check_probabilities(values: list[float]) -> list[float]:
    """Reject negative probabilities or ones that do not sum to 1."""
    if any(v < 0 for v in values):
        raise ValueError("probabilities must not be negative")
    total = float(sum(values))
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"probabilities sum to {total:.6g}, not 1; rescale them so they sum to 1")
    return values


def keys_as_text(v: Any) -> Any:
    """Mapping keys as text (YAML reads ``2020:`` or ``1:`` as numbers)."""
    return {str(k): val for k, val in v.items()} if isinstance(v, dict) else v


class Kind(BaseModel):
    """Fields and behaviour every distribution kind has.

    Subclasses set ``kind`` (a one-value Literal) and implement ``draw``/``values`` (sampling),
    ``compare``, ``describe`` and ``learn``. NaN and infinities are rejected everywhere.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    source: str | None = Field(None, description="Address of the published figure (domain/stats.md).")
    assumption: str | None = Field(None, description="Why this number was chosen when none is published.")
    note: str | None = None

    #: Where the kind is listed among the kinds (messages, the union); ties by name.
    order: ClassVar[int] = 50
    #: numpy dtype of sampled values and the value unfilled rows start with.
    out_dtype: ClassVar[Any] = float
    fill: ClassVar[Any] = np.nan

    # ---- sampling ---------------------------------------------------------------------------

    def leaf_kind(self) -> str:
        """The kind of this distribution's leaves (itself unless conditional)."""
        return str(self.kind)  # type: ignore[attr-defined]

    def has_provenance(self) -> bool:
        """True when the distribution carries a source or an assumption."""
        return bool(self.source or self.assumption)

    def leaf_groups(self, conds: list[np.ndarray]) -> list[tuple[Kind, np.ndarray | None]]:
        """(leaf, row positions) pairs; a leaf is its own only group."""
        return [(self, None if not conds else np.arange(len(conds[0])))]

    def leaf_at(self, path: tuple) -> Kind | None:
        """The leaf at a conditional case path: itself for the empty path, else None."""
        return None if path else self

    def first_leaf(self) -> Kind:
        """A leaf of this distribution (itself unless conditional)."""
        return self

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
        """The random numbers for ``n`` rows, drawn before rows are split by case."""
        return ()

    def values(self, draws: tuple[np.ndarray, ...], rng: np.random.Generator,
               key: np.ndarray | None = None) -> np.ndarray:
        """Sampled values from the ``draws`` of some rows (days for a time)."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int, *conds: np.ndarray, key: np.ndarray | None = None,
               u: np.ndarray | None = None) -> np.ndarray:
        """Values for ``n`` rows, conditioned on ``conds`` (outermost first).

        Args:
            rng: the generator to draw from.
            n: rows.
            *conds: one array of conditioning values per ``given`` level.
            key: per-row key selecting a mean given per value (lognormal).
            u: uniforms to use instead of drawing (categorical).

        Returns:
            Labels (object array), booleans (share), counts (poisson) or values in days.
        """
        first = self.first_leaf()
        draws = first.draw(rng, n) if u is None else (u,)
        if not conds:
            return first.values(draws, rng, key)
        out = np.full(n, first.fill, dtype=first.out_dtype)
        for leaf, rows in self.leaf_groups(list(conds)):
            out[rows] = leaf.values(tuple(d[rows] for d in draws), rng, None if key is None else key[rows])
        return out

    # ---- judging, describing, learning --------------------------------------------------------

    def compare(self, observed: Any, z: float, **options: Any) -> Judgement:
        """Judge an achieved sample against this distribution."""
        raise NotImplementedError

    def describe(self) -> str:
        """One line stating the distribution's parameters."""
        raise NotImplementedError

    @classmethod
    def learn(cls, base: Kind | None, observed: Any, control: Control, **options: Any) -> Learned | None:
        """This kind learned from ``observed`` (None when nothing may be published).

        ``control`` applies disclosure control (synth.learn supplies it), so the profile layer
        never imports the learner.
        """
        raise NotImplementedError

    def provenance(self) -> str:
        """Source, assumption and note as one line."""
        parts = []
        if self.source:
            parts.append(f"source: {self.source}")
        if self.assumption:
            parts.append(f"assumption: {self.assumption}")
        if self.note:
            parts.append(f"note: {self.note}")
        return "; ".join(parts)
