"""Turn measurements into disclosure-controlled distribution leaves (YAML-ready mappings).

Each builder takes the observations of one conditional case, applies :mod:`synth.learn.sdc`
and returns a :class:`Leaf` (or None when nothing may be published, after logging why). The
derivations in :mod:`synth.learn.derive` and :mod:`synth.learn.derive_people` only decide what
to measure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from synth.learn import sdc
from synth.learn.extract import Extract
from synth.learn.fit import spread
from synth.profile import distributions as D
from synth.world.sampling import UNIT_DAYS

#: Positions a value known only to a range (a week or month of birth) is spread over.
SPREAD_POINTS = 7
DECIMALS = 6


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

    def base_leaf(self, name: str, case: tuple[str, ...] = ()):
        """The base profile's distribution at ``case`` (None if it has no such case)."""
        d = self.dists.get(name)
        for v in case:
            if not isinstance(d, D.Conditional) or v not in d.cases:
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


def probabilities(labels: list[str], p: np.ndarray, keep: np.ndarray) -> dict[str, float]:
    """Label -> probability, rounded to DECIMALS and summing to exactly 1 (residual on the largest)."""
    q = np.round(np.asarray(p, dtype=float), DECIMALS)
    q[int(np.argmax(q))] += round(1.0 - float(q.sum()), DECIMALS)
    q = np.round(q, DECIMALS)
    return {lab: float(v) for lab, v, k in zip(labels, q, keep) if k}


def _label_key(v: str):
    try:
        return (0, float(v), v)
    except ValueError:
        return (1, 0.0, v)


def categorical_leaf(ctx: Context, name: str, case: tuple[str, ...], values: pd.Series, units,
                     unit: str, ordered: bool, note: str = "", prior: dict[str, float] | None = None) -> Leaf | None:
    """A categorical leaf from observed labels (one per observation).

    Labels are the base leaf's, then other values seen (numerically sorted when ``ordered``).
    Base labels that end with no mass stay with probability 0; other labels appear only with mass.

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
    if prior is None:
        base = ctx.base_leaf(name, case)
        prior = dict(base.probabilities) if isinstance(base, D.Categorical) else {}
    keep = pd.Series(values).notna().to_numpy()
    vals = pd.Series(values)[keep].astype(str).to_numpy()
    unit_ids = None if units is None else np.asarray(units)[keep]
    base_labels = list(prior)
    extra = sorted(set(vals) - set(base_labels), key=_label_key)
    labels = base_labels + extra
    if ordered:
        labels = sorted(labels, key=_label_key)
    p0 = np.array([prior.get(lab, 0.0) for lab in labels])
    cat = pd.Categorical(vals, categories=labels).codes.astype(np.int64)
    tally = sdc.Tally(cat, len(labels), unit_ids)
    pub = sdc.control_categories(tally, labels, p0, ordered, ctx.rules, ctx.log, name, case_text(case),
                                 named=np.isin(labels, base_labels))
    if pub is None:
        return None
    show = (pub.counts > 0) | np.isin(labels, base_labels)
    body = {"kind": "categorical", "probabilities": probabilities(labels, pub.p, show)}
    groups = tuple(tuple(labels[i] for i in g) for g in pub.groups)
    return Leaf(name, case, body, float(sdc.round_base(len(vals), ctx.rules.rounding)), unit, note, groups)


def histogram_leaf(ctx: Context, name: str, case: tuple[str, ...], lo, hi, units, unit: str,
                   note: str = "") -> Leaf | None:
    """A histogram leaf with the base leaf's bins (merged where small), from values in days.

    Values known only to a range [lo, hi] (days) are spread evenly over it; values outside the
    bins fall in the end bins, as the generator's own checks count them.
    """
    base = ctx.base_leaf(name, case)
    if not isinstance(base, D.Histogram):
        return None
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    ok = ~(np.isnan(lo) | np.isnan(hi))
    lo, hi = lo[ok], hi[ok]
    unit_ids = np.arange(len(lo)) if units is None else np.asarray(units)[ok]
    points = 1 if np.allclose(lo, hi) else SPREAD_POINTS
    x, row = spread(lo, hi, points)
    scale = UNIT_DAYS[base.unit]
    cat = D.histogram_bin(base, x / scale).astype(np.int64)
    labels = list(base.labels or [f"{a:g}-{b:g}" for a, b in zip(base.bins[:-1], base.bins[1:])])
    weight = None if points == 1 else np.full(len(x), 1.0 / points)
    tally = sdc.Tally(cat, len(labels), unit_ids[row], weight)
    pub = sdc.control_bins(tally, ctx.rules, ctx.log, name, case_text(case), labels)
    if pub is None:
        return None
    edges = [base.bins[r[0]] for r in pub.groups] + [base.bins[-1]]
    p = pub.counts / pub.counts.sum()
    body = {"kind": "histogram", "unit": base.unit, "bins": [_num(e) for e in edges],
            "probabilities": list(probabilities([str(i) for i in range(len(p))], p, np.ones(len(p), bool)).values())}
    if base.labels:
        body["labels"] = ["+".join(labels[i] for i in r) for r in pub.groups]
    if points > 1:
        note = (note + "; " if note else "") + "values known to a week or month are spread evenly over it"
    groups = tuple(tuple(labels[i] for i in g) for g in pub.groups)
    return Leaf(name, case, body, float(sdc.round_base(len(lo), ctx.rules.rounding)), unit, note, groups)


def _num(v: float):
    return int(v) if float(v).is_integer() else float(v)


def share_leaf(ctx: Context, name: str, case: tuple[str, ...], flags, units, unit: str,
               note: str = "") -> Leaf | None:
    """A share: both the yes and the no cell must be safe; p from the rounded counts."""
    p = share_value(ctx, name, case, flags, units)
    if p is None:
        return None
    n = sdc.round_base(len(flags), ctx.rules.rounding)
    return Leaf(name, case, {"kind": "share", "p": round(p, 4)}, float(n), unit, note)


def share_value(ctx: Context, name: str, case: tuple[str, ...], flags, units) -> float | None:
    """The disclosure-controlled share of true ``flags`` (None when a cell is unsafe)."""
    f = np.asarray(flags, dtype=bool)
    tally = sdc.Tally(f.astype(np.int64), 2, None if units is None else np.asarray(units))
    pub = sdc.control_categories(tally, ["no", "yes"], np.array([0.5, 0.5]), True, ctx.rules, ctx.log,
                                 name, case_text(case))
    return None if pub is None else float(pub.p[1])


def mean_value(ctx: Context, name: str, case: tuple[str, ...], values, units=None) -> float | None:
    """The mean of ``values`` if it passes the threshold and dominance rules, else None (logged)."""
    v = np.asarray(values, dtype=float)
    problem = sdc.summary_problem(v, ctx.rules, None if units is None else np.asarray(units))
    if problem is not None:
        ctx.log.add(name, case_text(case), "suppress", f"mean not published: {problem}")
        return None
    return float(v.mean())
