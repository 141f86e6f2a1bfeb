"""The only place random generators are created.

Every random draw in synth comes from a generator made here, keyed by the run seed and a tuple
that names what it is for (a shard of families, an agency view, ...). Streams never depend on
scheduling, so output is identical whatever the number of workers or the order of work.
"""

from __future__ import annotations

import zlib

import numpy as np

#: Families per shard (declared with the other id strides in ``synth.keys``): a shard is the unit
#: of randomness, shard ``s`` draws only from streams keyed by ``s``.
from synth.keys import FAMILIES_PER_SHARD

__all__ = ["FAMILIES_PER_SHARD", "generator", "stream_key"]


def stream_key(name: str) -> int:
    """Return a stable 32-bit integer for a stream name (crc32, not Python's salted hash)."""
    return zlib.crc32(name.encode("utf-8"))


def generator(seed: int, *key: int | str) -> np.random.Generator:
    """Return an independent generator for ``seed`` and a key path.

    Args:
        seed: The run seed.
        *key: Integers or names (names are turned into stable integers) identifying the stream,
            e.g. ``generator(seed, "world", shard)``.

    Returns:
        A PCG64 generator seeded from ``SeedSequence(seed, spawn_key=key)``.
    """
    spawn = tuple(stream_key(k) if isinstance(k, str) else int(k) for k in key)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=spawn)))
