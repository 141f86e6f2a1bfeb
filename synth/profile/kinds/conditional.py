"""Conditional: one distribution per value of a variable (``given``); cases may nest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import field_validator, model_validator

from synth.profile.kinds.base import Control, Judgement, Kind, Learned, keys_as_text

if TYPE_CHECKING:
    from synth.profile.kinds import Distribution


def group_rows(keys: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Split row positions by key value (as text), in sorted key order; rows keep their order."""
    keys = np.asarray(keys)
    if keys.size == 0:
        return []
    codes, uniques = pd.factorize(keys)
    labels = [str(u) for u in uniques]
    order = np.argsort(codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=len(uniques)))])
    return [(labels[i], order[bounds[i]:bounds[i + 1]]) for i in sorted(range(len(labels)), key=labels.__getitem__)]


class Conditional(Kind):
    """One distribution per value of a variable (``given``); cases may nest."""

    kind: Literal["conditional"]
    order: ClassVar[int] = 90
    given: str
    cases: dict[str, Distribution]

    @field_validator("cases", mode="before")
    @classmethod
    def _keys_as_text(cls, v: Any) -> Any:
        return keys_as_text(v)

    @model_validator(mode="after")
    def _same_kind(self) -> Conditional:
        kinds = {d.leaf_kind() for d in self.cases.values()}
        if len(kinds) > 1:
            raise ValueError(f"every case must be of one kind, found {sorted(kinds)}")
        if not self.cases:
            raise ValueError("needs at least one case")
        return self

    def leaf_kind(self) -> str:
        """The kind of the leaves (looking through nested conditionals)."""
        return self.first_leaf().leaf_kind()

    def first_leaf(self) -> Kind:
        """The first case's leaf."""
        return next(iter(self.cases.values())).first_leaf()

    def has_provenance(self) -> bool:
        """True when it, or every case, carries a source or an assumption."""
        return bool(self.source or self.assumption) or all(c.has_provenance() for c in self.cases.values())

    def provenance(self) -> str:
        """Its own provenance, else each case's."""
        return super().provenance() or "; ".join(f"{k}: {c.provenance()}" for k, c in self.cases.items())

    def case_of(self, value: Any) -> Kind:
        """The case for ``value``; raises KeyError naming the missing case."""
        try:
            return self.cases[str(value)]
        except KeyError:
            raise KeyError(f"no case {value!r} for given {self.given!r}") from None

    def leaf_at(self, path: tuple) -> Kind | None:
        """The leaf at a case path (None when the path leaves the conditional's cases)."""
        d: Kind = self
        for value in path:
            if not isinstance(d, Conditional) or str(value) not in d.cases:
                return None
            d = d.cases[str(value)]
        return d

    def leaves(self, path: tuple = ()) -> list[tuple[tuple, Kind]]:
        """(case path, leaf) for every leaf, in the order stated."""
        out: list[tuple[tuple, Kind]] = []
        for k, c in self.cases.items():
            out += c.leaves(path + (k,)) if isinstance(c, Conditional) else [(path + (k,), c)]
        return out

    def leaf_groups(self, conds: list[np.ndarray]) -> list[tuple[Kind, np.ndarray | None]]:
        """Split rows by the conditioning values, outermost first: (leaf, row positions)."""
        todo: list[tuple[Kind, np.ndarray, int]] = [(self, np.arange(len(conds[0])), 0)]
        out: list[tuple[Kind, np.ndarray | None]] = []
        while todo:
            d, rows, level = todo.pop(0)
            if isinstance(d, Conditional):
                for value, pos in group_rows(conds[level][rows]):
                    todo.append((d.case_of(value), rows[pos], level + 1))
            else:
                out.append((d, rows))
        return out

    def compare(self, observed: Any, z: float, **options: Any) -> Judgement:
        """Judge ``observed = (case path, data)`` against the leaf at that case."""
        path, data = observed
        leaf = self.leaf_at(tuple(path))
        if leaf is None:
            raise KeyError(f"no case {'/'.join(map(str, path))} under given {self.given!r}")
        return leaf.compare(data, z, **options)

    def describe(self) -> str:
        """``conditional on law_type: public → …; private → …``."""
        return f"conditional on {self.given}: " + "; ".join(f"{k} → {c.describe()}" for k, c in self.cases.items())

    @classmethod
    def learn(cls, base: Kind | None, observed: Any, control: Control, **options: Any) -> Learned | None:
        """Each of the base's cases learned from ``observed[case]`` (cases with nothing learned are left out).

        Args:
            base: the base profile's conditional (its ``given`` and cases' kinds are kept).
            observed: case value -> what the case's kind learns from.
            control: disclosure control.
        """
        if not isinstance(base, Conditional):
            return None
        cases: dict[str, Any] = {}
        n = 0.0
        for k, c in base.cases.items():
            if k not in observed:
                continue
            got = type(c).learn(c, observed[k], control, **options)
            if got is not None:
                cases[k] = got.body
                n += got.n
        if not cases:
            return None
        return Learned({"kind": "conditional", "given": base.given, "cases": cases}, n)
