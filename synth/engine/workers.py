"""Run shards in this process, in a pool of processes or on a Dask cluster, yielding results in shard order.

This is the one place an engine is chosen: :func:`run_shards` with ``engine="local"`` (this process
or a process pool) or ``engine="dask"`` (see :mod:`synth.engine.dask_engine`). Every engine runs
the same pure :func:`~synth.engine.shards.compute_shard` and yields in shard order, so the files
written from the results are byte-identical whichever engine made them.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pyarrow as pa

from synth.engine.shards import RunSpec, compute_shard
from synth.errors import InputError

#: Engines accepted by :func:`run_shards` and ``synth generate --engine``.
ENGINES = ("local", "dask")


def check_engine(engine: str, workers: int = 1, scheduler: str | None = None) -> None:
    """Reject an unknown engine, impossible workers, a missing extra or a malformed address before any work.

    Raises:
        InputError: with the value and the fix.
    """
    if engine not in ENGINES:
        raise InputError(f"--engine {engine} is not known; use {' or '.join(ENGINES)}")
    if workers < 1:
        raise InputError(f"--workers {workers} must be at least 1")
    if scheduler is not None and engine != "dask":
        raise InputError("--scheduler needs --engine dask")
    if engine == "dask":
        from synth.engine.dask_engine import check_address, require_distributed

        require_distributed()
        if scheduler is not None:
            check_address(scheduler)


def run_shards(spec: RunSpec, sizes: list[int], workers: int = 1, engine: str = "local",
               scheduler: str | None = None, info: dict | None = None) -> Iterator[tuple[int, dict[str, pa.Table]]]:
    """Yield ``(shard, tables)`` in shard order.

    With the local engine and ``workers > 1`` shards are made by a process pool; at most
    ``2 * workers`` finished shards wait in memory for their turn, so memory stays flat however
    many shards there are. The dask engine keeps the same window of shards in flight on the cluster.

    Args:
        spec: the run's context and profile.
        sizes: families in each shard.
        workers: processes (local) or LocalCluster workers (dask without ``scheduler``).
        engine: ``"local"`` or ``"dask"``.
        scheduler: address of a running Dask scheduler (dask only); None starts a LocalCluster.
        info: if given, filled with what the engine ran on: ``workers``; for dask also ``scheduler``
            and ``start_s`` (seconds to start or reach the cluster).

    Raises:
        InputError: for an unknown engine, a missing dask extra or an unreachable scheduler.
    """
    check_engine(engine, workers, scheduler)
    if engine == "dask":
        from synth.engine.dask_engine import run_shards_dask

        yield from run_shards_dask(spec, sizes, workers=workers, scheduler=scheduler, info=info)
        return
    if info is not None:
        info["workers"] = workers
    if workers <= 1 or len(sizes) <= 1:
        for shard, n in enumerate(sizes):
            yield shard, compute_shard(spec, shard, n)
        return
    # The run's spec is sent to each worker once (initializer), not pickled with every shard.
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(spec,))
    try:
        pending = {}
        next_submit = 0
        for shard in range(len(sizes)):
            while next_submit < len(sizes) and next_submit < shard + 2 * workers:
                pending[next_submit] = pool.submit(_worker_shard, next_submit, sizes[next_submit])
                next_submit += 1
            yield shard, pending.pop(shard).result()
    except BaseException:
        # A failure or a signal: drop the shards not started; wait for those running (they write
        # into the staging folder, which is removed only after they are done).
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


_WORKER_SPEC: RunSpec | None = None


def _init_worker(spec: RunSpec) -> None:
    global _WORKER_SPEC
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the driver's handler (synth.cli.main) is for the driver
    _WORKER_SPEC = spec


def _worker_shard(shard: int, n: int) -> dict[str, pa.Table] | dict[str, int]:
    assert _WORKER_SPEC is not None, "the pool's initializer sets the spec"
    return compute_shard(_WORKER_SPEC, shard, n)
