"""Keys: id strides and keyed derivations (bijections, permutations, 64-bit mixing).

Bottom layer (imports only numpy). Ids in the truth are built by *strides*: a child id is its
parent id times the stride plus a slot, so ids are unique, sortable by parent, and need no
coordination between shards. Agency-facing ids are *keyed bijections* of truth ids (distinct truth
ids always give distinct agency ids; the key is a stream name turned into an integer by
``synth.rng.stream_key``), and dense sequences are spread over a range by *keyed permutations*.

Changing a stride or a key changes every output, so they are fixed for a package version.
"""

from __future__ import annotations

import numpy as np

# ------------------------------------------------------------------------------------------
# Strides

#: Families per shard. A shard is the unit of randomness: shard ``s`` draws only from streams
#: keyed by ``s`` and its family ids are ``s * FAMILIES_PER_SHARD + 0, 1, ...``.
FAMILIES_PER_SHARD = 10_000
#: person_id = family_id * PERSON_STRIDE + slot; proceeding_id = family_id * PROC_STRIDE + seq;
#: proceeding-subject ids = proceeding_id * SUB_STRIDE + slot.
PERSON_STRIDE, PROC_STRIDE, SUB_STRIDE = 64, 8, 64
#: household key = family_id * HOUSEHOLD_STRIDE + household; address_id = household key * ADDRESS_STRIDE + seq.
HOUSEHOLD_STRIDE, ADDRESS_STRIDE = 16, 16
#: Care episode, review, missing-episode ... ids = person_id * EPISODE_STRIDE + sequence.
EPISODE_STRIDE = 1024

_MASK48 = np.uint64((1 << 48) - 1)
#: 2**64 / golden ratio, the SplitMix64 increment.
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


# ------------------------------------------------------------------------------------------
# Keyed bijections and permutations


def mix48(x: np.ndarray, key: int) -> np.ndarray:
    """A keyed bijection on 48-bit integers (xor, odd multiply, xorshift; all invertible)."""
    x = np.asarray(x, dtype=np.uint64) & _MASK48
    k = np.uint64(key) & _MASK48
    with np.errstate(over="ignore"):
        for r in range(3):
            x = (x ^ (k + np.uint64(r * 0x9E3779B97F4A))) & _MASK48
            x = (x * np.uint64(0x5DEECE66D | 1)) & _MASK48
            x = x ^ (x >> np.uint64(23))
    return x


def keyed_id(truth_ids: np.ndarray, key: int) -> np.ndarray:
    """Agency-facing ids: a keyed bijection of non-negative truth ids below 2**48, plus 1."""
    return (mix48(truth_ids, key) + np.uint64(1)).astype(np.int64)


def permute_index(seq: np.ndarray, size: int, key: int) -> np.ndarray:
    """A keyed permutation of ``range(size)`` applied to ``seq`` (cycle-walking on 48 bits).

    Values of ``seq`` at or above ``size`` wrap modulo ``size``.
    """
    x = np.asarray(seq, dtype=np.uint64) % np.uint64(size)
    bits = max(1, int(size - 1).bit_length())
    mask = np.uint64((1 << bits) - 1)
    out = x.copy()
    todo = np.ones(len(x), dtype=bool)
    # A bijection on [0, 2**bits) restricted by cycle walking to [0, size).
    cur = x.copy()
    while todo.any():
        cur[todo] = small_mix(cur[todo], key, bits, mask)
        done = todo & (cur < np.uint64(size))
        out[done] = cur[done]
        todo &= ~done
    return out.astype(np.int64)


def small_mix(x: np.ndarray, key: int, bits: int, mask: np.uint64) -> np.ndarray:
    """A keyed bijection on ``bits``-bit integers (``mask`` = 2**bits - 1)."""
    k = np.uint64(key) & mask
    shift = np.uint64(max(1, bits // 2))
    with np.errstate(over="ignore"):
        for r in range(4):
            x = (x ^ ((k + np.uint64(r * 0x9E37)) & mask)) & mask
            x = (x * np.uint64(0x2545F491 | 1)) & mask
            x = x ^ (x >> shift)
    return x


def run_key(seed: int, key: int) -> int:
    """A 48-bit key for ``key`` (a stream key) in the run of ``seed``.

    Agency-facing ids are keyed bijections of truth ids; keying them by the seed as well gives two
    runs with different seeds unrelated id spaces (distinct ids share a value only by chance, about
    n**2 / 2**48 for n ids per entity), while one seed always gives the same ids.
    """
    x = np.array([(int(seed) & 0xFFFFFFFFFFFFFFFF) ^ (int(key) << 17)], dtype=np.uint64)
    return int(mix64(x + GOLDEN)[0] & _MASK48)


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: a bijective mix of 64-bit integers."""
    x = np.asarray(x, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))
