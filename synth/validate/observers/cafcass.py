"""Observers of Cafcass's own involvement (synth/world/cafcass.py)."""

from __future__ import annotations

from synth.profile.mechanisms import observer
from synth.validate.observers.truth import Observations, Truth


@observer("welfare_report")
def welfare_report(t: Truth, name: str) -> Observations:
    """Whether each private law proceeding had a welfare report ordered."""
    p = t.proc
    return {(): p.loc[p["law_type"] == "private", "welfare_report"].to_numpy(bool)}
