"""Categorical: a finite set of outcomes with probabilities that sum to 1."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import field_validator

from synth.profile.kinds.base import (
    MIN_N,
    Control,
    Judgement,
    Kind,
    Learned,
    check_probabilities,
    keys_as_text,
    too_few,
)

DECIMALS = 6


def inverse_cdf(p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index of the outcome each uniform in ``u`` falls on (the last one takes any rounding slack)."""
    cdf = np.cumsum(p)
    cdf[-1] = 1.0
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(p) - 1)


def tvd(labels: list[str], p: np.ndarray, observed: Any, z: float, deff: float = 1.0, detail: str = "") -> Judgement:
    """TVD of observed labels against probabilities ``p`` over ``labels``."""
    observed = np.asarray(observed).astype(str)
    n = len(observed)
    if n < MIN_N:
        return too_few(n)
    labels = [str(x) for x in labels]
    p = np.asarray(p, dtype=float)
    counts = np.array([(observed == lab).sum() for lab in labels], dtype=float)
    other = n - counts.sum()
    share = counts / n
    n_eff = n / deff
    dist = 0.5 * (np.abs(share - p).sum() + other / n)
    tol = 0.5 * float(np.sum(z * np.sqrt(np.maximum(p * (1 - p), 0.25 / n) / n_eff)))
    worst = labels[int(np.argmax(np.abs(share - p)))]
    text = detail or f"{n:,} observations; largest gap at '{worst}'"
    if other:
        text += f"; {int(other)} values outside the stated categories"
    return Judgement(bool(dist <= tol and other == 0),
                     {"name": "tvd", "value": round(float(dist), 5), "tolerance": round(tol, 5), "n": n},
                     text, {"labels": labels, "target": p.round(5).tolist(), "achieved": share.round(5).tolist()})


def probabilities(labels: list[str], p: np.ndarray, keep: np.ndarray) -> dict[str, float]:
    """Label -> probability, rounded to DECIMALS and summing to exactly 1 (residual on the largest)."""
    q = np.round(np.asarray(p, dtype=float), DECIMALS)
    q[int(np.argmax(q))] += round(1.0 - float(q.sum()), DECIMALS)
    q = np.round(q, DECIMALS)
    return {lab: float(v) for lab, v, k in zip(labels, q, keep) if k}


def label_key(v: str) -> tuple[int, float, str]:
    """Sort key putting numeric labels first, in numeric order."""
    try:
        return (0, float(v), v)
    except ValueError:
        return (1, 0.0, v)


class Categorical(Kind):
    """A finite set of outcomes with probabilities that sum to 1."""

    kind: Literal["categorical"]
    order: ClassVar[int] = 10
    probabilities: dict[str, float]

    out_dtype: ClassVar[Any] = object
    fill: ClassVar[Any] = None

    @field_validator("probabilities", mode="before")
    @classmethod
    def _keys_as_text(cls, v: Any) -> Any:
        return keys_as_text(v)

    @field_validator("probabilities")
    @classmethod
    def _sum_to_one(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("needs at least one outcome")
        check_probabilities(list(v.values()))
        return v

    @property
    def labels(self) -> list[str]:
        """The outcomes, in the order stated."""
        return list(self.probabilities)

    @property
    def p(self) -> np.ndarray:
        """The probabilities, normalised."""
        p = np.array(list(self.probabilities.values()), dtype=float)
        return p / p.sum()

    def index(self, u: np.ndarray) -> np.ndarray:
        """Index into ``labels`` for each uniform in ``u`` (inverse CDF)."""
        return inverse_cdf(self.p, u)

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
        """One uniform per row."""
        return (rng.random(n),)

    def values(self, draws: tuple[np.ndarray, ...], rng: np.random.Generator,
               key: np.ndarray | None = None) -> np.ndarray:
        """Labels (object array)."""
        return np.asarray(self.labels, dtype=object)[self.index(draws[0])]

    def compare(self, observed: Any, z: float, deff: float = 1.0, detail: str = "", **options: Any) -> Judgement:
        """Total variation distance of observed labels against the stated probabilities."""
        return tvd(self.labels, self.p, observed, z, deff, detail)

    def describe(self) -> str:
        """``categorical: a 0.5, b 0.5`` (the first six outcomes)."""
        items = [f"{k} {v:g}" for k, v in list(self.probabilities.items())[:6]]
        more = f", … ({len(self.probabilities)} outcomes)" if len(self.probabilities) > 6 else ""
        return f"categorical: {', '.join(items)}{more}"

    @classmethod
    def learn(cls, base: Kind | None, observed: Any, control: Control, ordered: bool = False,
              prior: dict[str, float] | None = None, **options: Any) -> Learned | None:
        """Outcome shares from observed labels, with small cells merged by ``control``.

        Labels are the base's (or ``prior``'s), then other values seen (numerically sorted when
        ``ordered``). Base labels left with no mass keep probability 0; others appear only with mass.

        Args:
            base: the base profile's leaf (its probabilities are the prior).
            observed: ``(labels, units)``: one label per observation (nulls ignored) and the unit
                id of each (None: each observation its own unit).
            control: disclosure control.
            ordered: whether the labels are ordered (adjacent merging) or codes (pooling).
            prior: label -> base probability, instead of the base's.
        """
        values, units = observed
        if prior is None:
            prior = dict(base.probabilities) if isinstance(base, Categorical) else {}
        keep = pd.Series(values).notna().to_numpy()
        vals = pd.Series(values)[keep].astype(str).to_numpy()
        unit_ids = None if units is None else np.asarray(units)[keep]
        base_labels = list(prior)
        extra = sorted(set(vals) - set(base_labels), key=label_key)
        labels = base_labels + extra
        if ordered:
            labels = sorted(labels, key=label_key)
        p0 = np.array([prior.get(lab, 0.0) for lab in labels])
        codes = pd.Categorical(vals, categories=labels).codes.astype(np.int64)
        pub = control.categories(codes, labels, p0, ordered, unit_ids, named=np.isin(labels, base_labels))
        if pub is None:
            return None
        show = (pub.counts > 0) | np.isin(labels, base_labels)
        body = {"kind": "categorical", "probabilities": probabilities(labels, pub.p, show)}
        groups = tuple(tuple(labels[i] for i in g) for g in pub.groups)
        return Learned(body, control.rounded(len(vals)), groups)
