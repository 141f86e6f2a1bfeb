"""Run shards as Dask tasks: on a LocalCluster started here, or on a cluster named by its scheduler.

Each task is :func:`~synth.engine.shards.compute_shard` for one shard; the run's
:class:`~synth.engine.shards.RunSpec` is scattered to the workers once. Results come back to this
process in shard order and are written here, by the same writers as the local engine, so the files
are byte-identical to a local run. At most ``2 * workers`` shard results exist at once (waiting on
the workers until their turn), so memory stays flat however many shards there are.

dask and distributed are an optional extra (``pip install -e '.[dask]'``); they are imported only
when this engine is used.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from synth.engine.shards import RunSpec, compute_shard
from synth.errors import InputError

#: Seconds to wait for a ``--scheduler`` to answer before giving up with one clear line.
CONNECT_TIMEOUT_S = 10

#: Nanny environment overrides for the LocalCluster. Dask sets MALLOC_TRIM_THRESHOLD_=65536 in its
#: workers, which also switches off glibc's adaptive mmap threshold, so every large numpy/pandas
#: array is a fresh mmap: shards took ~1.5x as long. None unsets it (OMP_NUM_THREADS=1 etc. stay).
LOCAL_CLUSTER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}

#: Distributions whose versions decide the bytes of a shard; workers must have the driver's.
DATA_PACKAGES = ("family-justice-synth", "numpy", "pandas", "pyarrow", "faker")

MISSING_EXTRA = "--engine dask needs the dask extra: pip install -e '.[dask]'"


def require_distributed() -> Any:
    """Return the ``distributed`` module.

    Raises:
        InputError: when dask or distributed is not installed.
    """
    try:
        import dask  # noqa: F401
        import distributed
    except ImportError:
        raise InputError(MISSING_EXTRA) from None
    return distributed


def connect(scheduler: str | None, workers: int) -> tuple[Any, Any]:
    """Return ``(client, cluster)``: a client of ``scheduler``, or of a new LocalCluster.

    Args:
        scheduler: address of a running Dask scheduler (``tcp://host:8786``), or None to start a
            LocalCluster of ``workers`` processes with one thread each on this machine.
        workers: size of the LocalCluster (unused with ``scheduler``).

    Returns:
        The client and the cluster this call started (None when connecting to ``scheduler``); the
        caller closes both.

    Raises:
        InputError: when dask is missing or the scheduler cannot be reached within
            :data:`CONNECT_TIMEOUT_S` seconds.
    """
    distributed = require_distributed()
    if scheduler is None:
        import dask

        with dask.config.set(LOCAL_CLUSTER_CONFIG):
            cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                               host="127.0.0.1", dashboard_address=None)
        try:
            return distributed.Client(cluster, set_as_default=False), cluster
        except BaseException:
            cluster.close()
            raise
    check_address(scheduler)
    try:
        client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler} within {CONNECT_TIMEOUT_S} s "
                         f"({_one_line(e)}); check --scheduler and that `dask scheduler` runs there") from None
    return client, None


def check_address(scheduler: str) -> None:
    """Reject a scheduler address that is not ``[scheme://]host:port`` before trying to connect.

    Raises:
        InputError: naming the address and the expected form.
    """
    from distributed.comm.addressing import get_address_host_port

    try:
        get_address_host_port(scheduler)
    except (ValueError, TypeError, NotImplementedError) as e:
        raise InputError(f"--scheduler {scheduler!r} is not a Dask scheduler address ({_one_line(e)}); "
                         "give one like tcp://host:8786") from None


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split()) or type(e).__name__


def package_versions() -> dict[str, str | None]:
    """Versions of :data:`DATA_PACKAGES` in this process (None when missing)."""
    from importlib import metadata

    out: dict[str, str | None] = {}
    for name in DATA_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def wait_for_a_worker(client: Any, scheduler: str) -> None:
    """Wait up to :data:`CONNECT_TIMEOUT_S` seconds for the cluster to have a worker.

    Raises:
        InputError: when none joins in time (the run would otherwise wait for ever).
    """
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
    except (TimeoutError, OSError):
        raise InputError(f"the Dask scheduler at {scheduler} has no workers (waited {CONNECT_TIMEOUT_S} s); "
                         f"start some with: dask worker {scheduler} --nthreads 1") from None


def check_worker_versions(client: Any, expected: dict[str, str | None] | None = None) -> None:
    """Refuse a cluster whose workers have other versions of the packages that decide the output.

    Args:
        client: a connected client.
        expected: versions to require (default: this process's, see :func:`package_versions`).

    Raises:
        InputError: naming the first worker, package and versions that differ, or saying the
            workers cannot run synth at all.
    """
    expected = package_versions() if expected is None else expected
    try:
        found = client.run(package_versions)
    except Exception as e:  # e.g. ModuleNotFoundError: synth is not installed on a worker
        raise InputError(f"the Dask workers cannot run synth ({_one_line(e)}); install this package and its "
                         "dependencies on every worker (docs/scale-out.md)") from None
    for worker, versions in sorted(found.items()):
        for name, want in expected.items():
            if versions.get(name) != want:
                raise InputError(f"Dask worker {worker} has {name} {versions.get(name)}, this machine {want}; "
                                 "the output is identical only with the same versions (docs/scale-out.md)")


def cluster_threads(client: Any) -> int:
    """Threads on the cluster's workers now (0 when no worker has joined yet)."""
    return sum(client.nthreads().values())


def run_shards_dask(spec: RunSpec, sizes: list[int], workers: int = 1, scheduler: str | None = None,
                    info: dict | None = None) -> Iterator[tuple[int, dict[str, pa.Table]]]:
    """Yield ``(shard, tables)`` in shard order, each shard computed as a Dask task.

    Args:
        spec: the run's context and profile, sent to every worker once.
        sizes: families in each shard.
        workers: LocalCluster size when ``scheduler`` is None; otherwise only a floor for the
            number of shards in flight (``2 * max(workers, threads on the cluster)``).
        scheduler: address of a running scheduler, or None for a LocalCluster started and closed here.
        info: if given, filled with ``workers`` (threads on the cluster when the run started),
            ``scheduler`` (its address, or ``"local"``) and ``start_s`` (seconds to start the
            LocalCluster or connect, and send the spec) for the manifest.

    Raises:
        InputError: when dask is missing, the scheduler cannot be reached or has no worker, or its
            workers have other versions of the packages that decide the output (:data:`DATA_PACKAGES`).
    """
    t0 = time.perf_counter()
    client, cluster = connect(scheduler, workers)
    pending: dict[int, Any] = {}
    spec_future = None
    try:
        if scheduler is not None:
            wait_for_a_worker(client, scheduler)
            check_worker_versions(client)
        threads = cluster_threads(client)
        window = 2 * max(workers, threads, 1)
        # hash=False: no need to tokenize the context; the key is unique per run anyway.
        spec_future = client.scatter(spec, broadcast=True, hash=False)
        if info is not None:
            info.update(workers=threads if scheduler else workers, scheduler=scheduler or "local",
                        start_s=time.perf_counter() - t0)
        # Task keys unique per run (its staging folder, seed and driver process), without randomness.
        run = hashlib.sha256(f"{spec.parts_dir}|{spec.ctx.seed}|{os.getpid()}".encode()).hexdigest()[:8]
        next_submit = 0
        for shard in range(len(sizes)):
            while next_submit < len(sizes) and next_submit < shard + window:
                pending[next_submit] = client.submit(compute_shard, spec_future, next_submit, sizes[next_submit],
                                                     key=f"synth-shard-{next_submit:06d}-{run}")
                next_submit += 1
            future = pending.pop(shard)
            tables = future.result()
            future.release()
            yield shard, tables
    finally:
        for future in pending.values():
            future.cancel()
        if spec_future is not None:
            spec_future.release()
        client.close()
        if cluster is not None:
            cluster.close()
