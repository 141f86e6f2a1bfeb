"""Turn measurements into disclosure-controlled distribution leaves (YAML-ready mappings).

Each builder takes the observations of one conditional case and lets the distribution's kind
learn itself (``Kind.learn``) with :mod:`synth.learn.sdc` applied through :class:`SdcControl`;
it returns a :class:`Leaf` (or None when nothing may be published, after logging why). The
derivations in :mod:`synth.learn.derive` and :mod:`synth.learn.derive_people` only decide what
to measure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
import pandas as pd

from synth.learn import sdc
from synth.learn.extract import Extract
from synth.profile.kinds import Categorical, Conditional, Histogram, Kind, Share
from synth.profile.kinds.categorical import DECIMALS, probabilities
from synth.profile.kinds.histogram import SPREAD_POINTS
from synth.profile.kinds.share import share_value as controlled_share

__all__ = ["DECIMALS", "SPREAD_POINTS", "Context", "Leaf", "SdcControl", "case_text", "categorical_leaf",
           "histogram_leaf", "mean_value", "probabilities", "share_leaf", "share_value"]

#: Observations or unit ids, one per observation.
Values: TypeAlias = "pd.Series | np.ndarray"


@dataclass(frozen=True)
class Leaf:
    """One learned distribution case.

    Attributes:
        name: the distribution.
        case: its conditional case path (empty for an unconditional distribution).
        body: the distribution mapping without provenance (``kind`` and parameters).
        n: the units it rests on (rounded).
        unit: what those units are ("index cases", "children", ...).
        note: how it was measured, in publishable words.
        groups: the cells published together (labels, or bin labels, per group); a group of
            several is a merge of small cells.
    """

    name: str
    case: tuple[str, ...]
    body: dict
    n: float
    unit: str
    note: str = ""
    groups: tuple[tuple[str, ...], ...] = ()


@dataclass
class Context:
    """What every derivation reads and writes."""

    x: Extract
    dists: dict
    rules: sdc.Rules
    log: sdc.Log = field(default_factory=sdc.Log)
    leaves: list[Leaf] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)
    countries: tuple[str, ...] = ()

    def base_leaf(self, name: str, case: tuple[str, ...] = ()) -> Kind | None:
        """The base profile's distribution at ``case`` (None if it has no such case)."""
        d = self.dists.get(name)
        for v in case:
            if not isinstance(d, Conditional) or v not in d.cases:
                return None
            d = d.cases[v]
        return d

    def add(self, leaf: Leaf | None) -> Leaf | None:
        """Keep a learned leaf (None is ignored)."""
        if leaf is not None:
            self.leaves.append(leaf)
        return leaf

    def keep(self, name: str, reason: str) -> None:
        """Record that ``name`` stays as in the base profile, and why."""
        self.kept.setdefault(name, reason)
        self.log.add(name, "", "kept", f"kept from the base profile: {reason}")

    def learned(self, name: str, case: tuple[str, ...]) -> Leaf | None:
        """A leaf learned earlier in this run."""
        return next((lf for lf in self.leaves if lf.name == name and lf.case == case), None)


def case_text(case: tuple[str, ...]) -> str:
    """``public/under_1`` style text for a case path."""
    return "/".join(case)


class SdcControl:
    """Disclosure control for one distribution case: what ``Kind.learn`` calls (synth.profile.kinds.Control)."""

    def __init__(self, ctx: Context, name: str, case: tuple[str, ...] = ()) -> None:
        self.ctx, self.name, self.case = ctx, name, case_text(case)

    def categories(self, codes: np.ndarray, labels: list[str], prior: np.ndarray, ordered: bool,
                   units: np.ndarray | None, named: np.ndarray | None = None) -> sdc.Published | None:
        """Merge, round and publish categorical cells (sdc.control_categories)."""
        tally = sdc.Tally(codes, len(labels), units)
        return sdc.control_categories(tally, labels, prior, ordered, self.ctx.rules, self.ctx.log, self.name,
                                      self.case, named=named)

    def bins(self, codes: np.ndarray, labels: list[str], units: np.ndarray,
             weight: np.ndarray | None) -> sdc.Published | None:
        """Merge adjacent histogram bins until each is safe, then round (sdc.control_bins)."""
        tally = sdc.Tally(codes, len(labels), units, weight)
        return sdc.control_bins(tally, self.ctx.rules, self.ctx.log, self.name, self.case, labels)

    def mean(self, values: np.ndarray, units: np.ndarray | None = None) -> float | None:
        """The mean if it passes the threshold and dominance rules, else None (logged)."""
        v = np.asarray(values, dtype=float)
        problem = sdc.summary_problem(v, self.ctx.rules, None if units is None else np.asarray(units))
        if problem is not None:
            self.ctx.log.add(self.name, self.case, "suppress", f"mean not published: {problem}")
            return None
        return float(v.mean())

    def dispersion(self, values: np.ndarray) -> bool:
        """Whether a mean and CV may be published (logged when not)."""
        problem = sdc.dispersion_problem(values, self.ctx.rules)
        if problem is not None:
            self.ctx.log.add(self.name, self.case, "suppress", f"mean and CV not published: {problem}")
        return problem is None

    def rounded(self, n: float) -> float:
        """A count rounded to the rules' base."""
        return float(sdc.round_base(n, self.ctx.rules.rounding))


def categorical_leaf(ctx: Context, name: str, case: tuple[str, ...], values: pd.Series, units: Values | None,
                     unit: str, ordered: bool, note: str = "", prior: dict[str, float] | None = None) -> Leaf | None:
    """A categorical leaf from observed labels (one per observation); see ``Categorical.learn``.

    Args:
        ctx: the run context.
        name: distribution name.
        case: conditional case.
        values: observed labels (nulls ignored).
        units: unit id per observation (None: each observation its own unit).
        unit: what a unit is, for the note.
        ordered: whether the labels are ordered (adjacent merging) or codes (pooling).
        note: extra words for the leaf's note.
        prior: label -> base probability, instead of the base leaf's (e.g. for coarse groups).
    """
    got = Categorical.learn(ctx.base_leaf(name, case), (values, units), SdcControl(ctx, name, case),
                            ordered=ordered, prior=prior)
    return None if got is None else Leaf(name, case, got.body, got.n, unit, note, got.groups)


def histogram_leaf(ctx: Context, name: str, case: tuple[str, ...], lo: Values, hi: Values,
                   units: Values | None, unit: str,
                   note: str = "") -> Leaf | None:
    """A histogram leaf with the base leaf's bins (merged where small), from values in days.

    Values known only to a range [lo, hi] (days) are spread evenly over it; values outside the
    bins fall in the end bins, as the generator's own checks count them.
    """
    got = Histogram.learn(ctx.base_leaf(name, case), (lo, hi, units), SdcControl(ctx, name, case))
    if got is None:
        return None
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    ok = ~(np.isnan(lo) | np.isnan(hi))
    if not np.allclose(lo[ok], hi[ok]):
        note = (note + "; " if note else "") + "values known to a week or month are spread evenly over it"
    return Leaf(name, case, got.body, got.n, unit, note, got.groups)


def share_leaf(ctx: Context, name: str, case: tuple[str, ...], flags: Values, units: Values | None, unit: str,
               note: str = "") -> Leaf | None:
    """A share: both the yes and the no cell must be safe; p from the rounded counts."""
    got = Share.learn(None, (flags, units), SdcControl(ctx, name, case))
    return None if got is None else Leaf(name, case, got.body, got.n, unit, note)


def share_value(ctx: Context, name: str, case: tuple[str, ...], flags: Values,
                units: Values | None) -> float | None:
    """The disclosure-controlled share of true ``flags`` (None when a cell is unsafe)."""
    return controlled_share(flags, units, SdcControl(ctx, name, case))


def mean_value(ctx: Context, name: str, case: tuple[str, ...], values: Values,
               units: Values | None = None) -> float | None:
    """The mean of ``values`` if it passes the threshold and dominance rules, else None (logged)."""
    return SdcControl(ctx, name, case).mean(values, units)
