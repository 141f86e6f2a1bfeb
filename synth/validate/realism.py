"""Realism: every distribution the profile states, achieved versus target, plus published figures.

For each named distribution the observer registered against its mechanism
(synth.validate.observers) reads the truth tables and returns what the mechanism produced for that
distribution (one sample per conditional case); the distribution's kind then judges it with a
tolerance derived from the sample size (``Kind.compare``). Distributions without an observer are
reported as not checked (a failed result), so a new distribution cannot silently escape.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from synth.profile.kinds import Kind, Observed
from synth.profile.mechanisms import OBSERVERS
from synth.validate import observers  # noqa: F401 - registers every observer
from synth.validate.core import CheckResult, RunData
from synth.validate.figures import FigureSamples, check_figures, figure_samples
from synth.validate.observers.truth import Observations, Truth
from synth.validate.pooling import (
    SLICE_FAMILIES,
    WORKERS,
    Failure,
    NotPoolable,
    finished,
    pack,
    pool_observations,
    release_memory,
    slices,
)

TABLE = "truth"


def judge(label: str, case: tuple, leaf: Kind, data: Any, z: float) -> CheckResult:
    """The leaf's judgement of one case's achieved sample, as a check result."""
    options: dict[str, Any] = {}
    if isinstance(data, Observed):
        data, options = data.data, finished(data.options)
    j = leaf.compare(data, z, **options)
    return CheckResult("realism", label, j.passed, TABLE, "/".join(case) or None, statistic=j.statistic,
                       detail=j.detail, series=j.series)


def check_realism(run: RunData, per_slice: int = SLICE_FAMILIES, workers: int = WORKERS) -> list[CheckResult]:
    """Every stated distribution and published figure, achieved versus target.

    The truth is read a slice of families at a time (:mod:`synth.validate.pooling`): each observer
    runs on every slice and its observations are pooled before they are judged, so the memory held is
    one slice's tables (per worker) and the samples, whatever the run's size. A run of several slices
    is observed by ``workers`` processes (pandas uses one core each); the slices' results are pooled
    in run order, so the results do not depend on the number of workers.

    Args:
        run: the run.
        per_slice: families per slice.
        workers: processes observing slices at once (1: in this process).
    """
    z = run.profile.checks.realism_z
    dists = run.profile.world.distributions
    jobs = slices(run.truth_parts(), run.manifest.get("families"), per_slice)
    gathered: dict[str, list[Observations]] = {name: [] for name in dists if name in OBSERVERS}
    failed: dict[str, str] = {}
    samples: list[FigureSamples] = []
    for obs, figs in _observed(run, jobs, workers):
        for name, got in obs.items():
            if isinstance(got, Failure):
                failed.setdefault(name, got.reason)
            elif name not in failed:
                gathered[name].append(got)
        samples.append(figs)
    names = list(dists)
    if workers > 1 and len(jobs) > 1:
        # Judged in forked workers too: each inherits the pooled samples and frees what judging takes.
        global _JUDGING
        _JUDGING = (run, gathered, failed, z)
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                judged = list(pool.map(_judge_in_worker, names))
        finally:
            _JUDGING = None
    else:
        judged = [judge_distribution(run, name, gathered, failed, z) for name in names]
    out = [r for results in judged for r in results]
    out += check_figures(run, samples)
    return out


def judge_distribution(run: RunData, name: str, gathered: dict[str, list[Observations]], failed: dict[str, str],
                       z: float) -> list[CheckResult]:
    """One stated distribution's results from its observations on every slice (never raises)."""
    dist = run.profile.world.distributions[name]
    label = f"distribution:{name}"
    if name not in gathered:
        return [CheckResult("realism", label, False, TABLE, detail="no observer for this distribution; register one "
                            "with @observer in synth/validate/observers/")]
    if name in failed:
        return [CheckResult("realism", label, False, TABLE, detail=f"could not be measured: {failed[name]}")]
    try:
        try:
            pooled = pool_observations(gathered.pop(name))
        except NotPoolable:  # an option made from the whole sample, not pooled: measure at once
            with run.only_parts(None):
                pooled = OBSERVERS[name](Truth(run), name)
        return [judge(label, case, leaf, data, z) for case, data in sorted(pooled.items(), key=lambda kv: kv[0])
                if (leaf := dist.leaf_at(case)) is not None]
    except Exception as e:  # noqa: BLE001 - a check reports, it never raises halfway
        return [CheckResult("realism", label, False, TABLE, detail=f"could not be measured: {type(e).__name__}: {e}")]


_JUDGING: tuple[RunData, dict[str, list[Observations]], dict[str, str], float] | None = None


def _judge_in_worker(name: str) -> list[CheckResult]:
    assert _JUDGING is not None, "set by check_realism before the pool forks"
    run, gathered, failed, z = _JUDGING
    return judge_distribution(run, name, gathered, failed, z)


def observe_slice(run: RunData, part_names: list[str] | None, first: bool) -> tuple[dict[str, Any], FigureSamples]:
    """Every observer's (packed) observations and every figure's sample on one slice of the families."""
    with run.only_parts(part_names):
        t = Truth(run)
        obs: dict[str, Any] = {}
        for name in run.profile.world.distributions:
            if name in OBSERVERS:
                try:
                    obs[name] = pack(OBSERVERS[name](t, name))
                except Exception as e:  # noqa: BLE001 - a check reports, it never raises halfway
                    obs[name] = Failure(f"{type(e).__name__}: {e}")
        return obs, figure_samples(run, t, first)


def _observed(run: RunData, jobs: list[list[str] | None], workers: int) -> Iterator[tuple[dict, FigureSamples]]:
    """Each slice's observations, in run order: here, or by a pool of processes."""
    if workers <= 1 or len(jobs) <= 1:
        for i, part_names in enumerate(jobs):
            yield observe_slice(run, part_names, i == 0)
        return
    # Forked (as the generator's workers are): a spawned worker would re-run the caller's script. DuckDB's
    # connection is closed first (its threads and memory are not needed while the slices are observed).
    run.close()
    release_memory()  # the workers start from a lean parent
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(min(workers, len(jobs)), mp_context=context, initializer=_init_worker,
                             initargs=(run.path, run.profile_source)) as pool:
        yield from pool.map(_worker_slice, jobs, [i == 0 for i in range(len(jobs))])


_WORKER_RUN: RunData | None = None


def _init_worker(path: Path, profile: str | Path | None) -> None:
    global _WORKER_RUN
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the driver's handler (synth.cli.main) is for the driver
    _WORKER_RUN = RunData(path, profile)


def _worker_slice(part_names: list[str] | None, first: bool) -> tuple[dict[str, Any], FigureSamples]:
    from synth.validate.realism_checks import realism_columns

    assert _WORKER_RUN is not None, "the pool's initializer opens the run"
    with _WORKER_RUN.projected(realism_columns()):
        return observe_slice(_WORKER_RUN, part_names, first)
