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
from synth.validate.figures import FigureSamples, check_figures, figure_samples
from synth.validate.observers.truth import Observations, Truth
from synth.validate.pooling import SLICE_FAMILIES, NotPoolable, finished, pack, pool_observations, slices

TABLE = "truth"


def judge(label: str, case: tuple, leaf: Kind, data: Any, z: float) -> CheckResult:
    """The leaf's judgement of one case's achieved sample, as a check result."""
    options: dict[str, Any] = {}
    if isinstance(data, Observed):
        data, options = data.data, finished(data.options)
    j = leaf.compare(data, z, **options)
    return CheckResult("realism", label, j.passed, TABLE, "/".join(case) or None, statistic=j.statistic,
                       detail=j.detail, series=j.series)


def check_realism(run: RunData, per_slice: int = SLICE_FAMILIES) -> list[CheckResult]:
    """Every stated distribution and published figure, achieved versus target.

    The truth is read a slice of families at a time (:mod:`synth.validate.pooling`): each observer
    runs on every slice and its observations are pooled before they are judged, so the memory held is
    one slice's tables and the samples, whatever the run's size.
    """
    z = run.profile.checks.realism_z
    dists = run.profile.world.distributions
    gathered: dict[str, list[Observations]] = {name: [] for name in dists if name in OBSERVERS}
    failed: dict[str, Exception] = {}
    samples: list[FigureSamples] = []
    for part_names in slices(run.truth_parts(), run.manifest.get("families"), per_slice):
        with run.only_parts(part_names):
            t = Truth(run)
            for name, got in gathered.items():
                if name in failed:
                    continue
                try:
                    got.append(pack(OBSERVERS[name](t, name)))
                except Exception as e:  # noqa: BLE001 - a check reports, it never raises halfway
                    failed[name] = e
            samples.append(figure_samples(run, t, first=not samples))
            del t
    out: list[CheckResult] = []
    whole: Truth | None = None
    for name, dist in dists.items():
        label = f"distribution:{name}"
        if name not in gathered:
            out.append(CheckResult("realism", label, False, TABLE,
                                   detail="no observer for this distribution; register one with "
                                          "@observer in synth/validate/observers/"))
            continue
        try:
            if name in failed:
                raise failed[name]
            try:
                obs = pool_observations(gathered.pop(name))
            except NotPoolable:  # an option made from the whole sample, not pooled: measure at once
                whole = whole or _whole_truth(run)
                obs = OBSERVERS[name](whole, name)
            results = [judge(label, case, leaf, data, z) for case, data in sorted(obs.items(), key=lambda kv: kv[0])
                       if (leaf := dist.leaf_at(case)) is not None]
        except Exception as e:  # noqa: BLE001 - a check reports, it never raises halfway
            out.append(CheckResult("realism", label, False, TABLE,
                                   detail=f"could not be measured: {type(e).__name__}: {e}"))
            continue
        out += results
    out += check_figures(run, samples)
    return out


def _whole_truth(run: RunData) -> Truth:
    with run.only_parts(None):
        return Truth(run)
