"""Realism: every distribution the profile states, achieved versus target, plus published figures.

For each named distribution the observer registered against its mechanism
(synth.validate.observers) reads the truth tables and returns what the mechanism produced for that
distribution (one sample per conditional case); the distribution's kind then judges it with a
tolerance derived from the sample size (``Kind.compare``). Distributions without an observer are
reported as not checked (a failed result), so a new distribution cannot silently escape.
"""

from __future__ import annotations

from typing import Any

from synth.profile.kinds import Kind, Observed
from synth.profile.mechanisms import OBSERVERS
from synth.validate import observers  # noqa: F401 - registers every observer
from synth.validate.core import CheckResult, RunData
from synth.validate.figures import check_figures
from synth.validate.observers.truth import Truth

TABLE = "truth"


def judge(label: str, case: tuple, leaf: Kind, data: Any, z: float) -> CheckResult:
    """The leaf's judgement of one case's achieved sample, as a check result."""
    options: dict[str, Any] = {}
    if isinstance(data, Observed):
        data, options = data.data, data.options
    j = leaf.compare(data, z, **options)
    return CheckResult("realism", label, j.passed, TABLE, "/".join(case) or None, statistic=j.statistic,
                       detail=j.detail, series=j.series)


def check_realism(run: RunData) -> list[CheckResult]:
    """Every stated distribution and published figure, achieved versus target."""
    z = run.profile.checks.realism_z
    t = Truth(run)
    out: list[CheckResult] = []
    for name, dist in run.profile.world.distributions.items():
        label = f"distribution:{name}"
        fn = OBSERVERS.get(name)
        if fn is None:
            out.append(CheckResult("realism", label, False, TABLE,
                                   detail="no observer for this distribution; register one with "
                                          "@observer in synth/validate/observers/"))
            continue
        try:
            obs = fn(t, name)
            results = [judge(label, case, leaf, data, z) for case, data in sorted(obs.items(), key=lambda kv: kv[0])
                       if (leaf := dist.leaf_at(case)) is not None]
        except Exception as e:  # noqa: BLE001 - a check reports, it never raises halfway
            out.append(CheckResult("realism", label, False, TABLE,
                                   detail=f"could not be measured: {type(e).__name__}: {e}"))
            continue
        out += results
    out += check_figures(run, t)
    return out
