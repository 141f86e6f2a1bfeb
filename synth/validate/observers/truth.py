"""The truth tables of a run with the joins the realism observers share, computed once."""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import pandas as pd

from synth.profile.kinds import Kind
from synth.validate.core import RunData

K = TypeVar("K", bound=Kind)

YEAR = 365.25
DAY = np.timedelta64(1, "D")

#: What an observer returns: case path -> the achieved sample (or an ``Observed`` with options).
Observations = dict[tuple, Any]


def days_between(a: Any, b: Any) -> np.ndarray:
    """Days from date column a to date column b."""
    return ((pd.to_datetime(b, cache=False).to_numpy("datetime64[D]")
             - pd.to_datetime(a, cache=False).to_numpy("datetime64[D]")) / DAY).astype(float)


class Truth:
    """Truth tables with the joins the observers need, computed once."""

    def __init__(self, run: RunData) -> None:
        self.run = run
        self.dists = run.profile.world.distributions
        self.end = np.datetime64(run.profile.period.end, "D")
        self.proc = run.truth("proceeding")
        self.pc = run.truth("proceeding_child")
        self.person = run.truth("person")
        self.party = run.truth("proceeding_party")
        self.hearing = run.truth("hearing")
        self.family = run.truth("family")
        self.index = self.proc[self.proc["sequence"] == 1]
        self.family_law = self.index.set_index("family_id")["law_type"]
        self.dob = self.person.set_index("person_id")["date_of_birth"]
        kids = self.person[self.person["family_role"] == "child"].copy()
        kids["order"] = kids.groupby("family_id")["date_of_birth"].rank(method="first")
        self.kids = kids.sort_values(["family_id", "date_of_birth", "person_id"])
        self.shared: dict[str, Any] = {}

    def leaf(self, name: str, kind: type[K], case: tuple = ()) -> K:
        """The profile's distribution ``name`` at ``case``, which must be of ``kind``."""
        d = self.dists[name].leaf_at(case)
        if not isinstance(d, kind):
            raise TypeError(f"distribution {name} {'/'.join(case)} is not of kind {kind.__name__.lower()}")
        return d
