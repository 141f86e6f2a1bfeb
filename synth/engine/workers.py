"""Run shards in this process or in a pool of processes, yielding results in shard order."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pyarrow as pa

from synth.engine.shards import RunSpec, compute_shard


def run_shards(spec: RunSpec, sizes: list[int], workers: int = 1) -> Iterator[tuple[int, dict[str, pa.Table]]]:
    """Yield ``(shard, tables)`` in shard order.

    With ``workers > 1`` shards are made by a process pool; at most ``2 * workers`` finished shards
    wait in memory for their turn, so memory stays flat however many shards there are.
    """
    if workers <= 1 or len(sizes) <= 1:
        for shard, n in enumerate(sizes):
            yield shard, compute_shard(spec, shard, n)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending = {}
        next_submit = 0
        for shard in range(len(sizes)):
            while next_submit < len(sizes) and next_submit < shard + 2 * workers:
                pending[next_submit] = pool.submit(compute_shard, spec, next_submit, sizes[next_submit])
                next_submit += 1
            yield shard, pending.pop(shard).result()
