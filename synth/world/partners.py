"""Men as people: a shard's partnerships are shared out among a pool of men per local authority.

A mother's children come in runs by one father (a partnership). Each partnership has a start
(before its first child's conception) and an end (after its last child's conception; the last
partnership of a mother may still be going on at the period end). A man whose partnership has
ended may be the partner in a later partnership of another mother of his area and age, so one man
can father children with several women and is then a party to each family's proceedings
(half-siblings follow from this). Pools stay inside a shard, so shards remain independent.

Everything is vectorised: a fixed number of matching rounds, each a sorted search over the
partnerships of one (local authority, age band) group.
"""

from __future__ import annotations

import numpy as np

from synth.world import sampling as S

#: assumption: share of partnerships whose man already had an earlier, ended partnership with
#: another mother in the shard (fathers across families: not published; stats.md 3 gives only
#: that fathers are named in 80% of cases). The realised share is lower where no earlier
#: partnership of the area and age band has ended in time.
REPARTNER_SHARE = 0.15
#: Width of the man's age band (years of birth) a later partnership is matched within.
AGE_BAND_YEARS = 5
#: Matching rounds (a predecessor is claimed by one successor per round).
ROUNDS = 3
#: assumption: a partnership starts 0-24 months (uniform) before its first child's conception.
LEAD_MAX_DAYS = int(2 * S.YEAR)
GESTATION_DAYS = 266
#: assumption: the last partnership of a mother lasts a further 0-10 years (uniform) after her last
#: child's birth; beyond the period end it is ongoing.
TAIL_MAX_DAYS = int(10 * S.YEAR)


def partnerships(rng: np.random.Generator, family: np.ndarray, slot: np.ndarray, dob: np.ndarray,
                 end: int) -> dict[str, np.ndarray]:
    """One row per (family, father slot) with its start and end day (end -1: ongoing).

    Args:
        rng: the shard's world stream.
        family, slot, dob: each child's shard-local family, father slot and birth day.
        end: the period end (days since 1970).
    """
    key = family * 64 + slot
    uk, inv = np.unique(key, return_inverse=True)
    first = np.full(len(uk), np.iinfo(np.int64).max)
    last = np.full(len(uk), np.iinfo(np.int64).min)
    np.minimum.at(first, inv, dob)
    np.maximum.at(last, inv, dob)
    fam, sl = uk // 64, uk % 64
    start = first - GESTATION_DAYS - np.floor(rng.random(len(uk)) * LEAD_MAX_DAYS).astype(np.int64)
    # Within a mother, the next partnership starts after this one's last conception.
    nxt_same = np.concatenate([fam[1:] == fam[:-1], [False]])
    last_conc = last - GESTATION_DAYS
    nxt_start = np.concatenate([start[1:], [0]])
    nxt_start = np.where(nxt_same, np.maximum(nxt_start, last_conc + 2), 0)
    start[1:] = np.where(nxt_same[:-1], nxt_start[:-1], start[1:])
    span = np.maximum(nxt_start - last_conc - 1, 1)
    stop = np.where(nxt_same, last_conc + 1 + np.floor(rng.random(len(uk)) * span).astype(np.int64),
                    last + np.floor(rng.random(len(uk)) * TAIL_MAX_DAYS).astype(np.int64))
    stop = np.where(stop > end, -1, stop)
    return {"family": fam, "slot": sl, "start": start, "end": stop}


def share_men(rng: np.random.Generator, la: np.ndarray, born: np.ndarray, start: np.ndarray, end: np.ndarray,
              family: np.ndarray, kin: np.ndarray | None = None) -> np.ndarray:
    """The partnership whose man is this partnership's man (itself for a man's first partnership).

    Args:
        rng: the shard's world stream.
        la, born, start, end: per partnership: local authority, the man's birth day as drawn for it,
            start day and end day (-1 ongoing).
        family: per partnership, the mother's family (a later partnership is with another mother).
        kin: per partnership, a small group number a later partner shares with the earlier one (the
            mothers' broad ethnic group, synth/world/ethnicity.py: partnerships form mostly within a
            group, so a man's next partner is matched within it like his first); None for none.
    """
    n = len(la)
    pred = np.full(n, -1, dtype=np.int64)
    band = np.floor(born / (AGE_BAND_YEARS * S.YEAR)).astype(np.int64)
    area = la.astype(np.int64) if kin is None else la.astype(np.int64) * 8 + kin
    group = area * 4096 + (band - band.min() if n else band)
    ended = end >= 0
    claimed = np.zeros(n, dtype=bool)
    seeks = rng.random(n) < REPARTNER_SHARE  # drawn once; later rounds retry those not yet matched
    for _ in range(ROUNDS):
        seek = np.flatnonzero((pred < 0) & seeks)
        cand = np.flatnonzero(ended & ~claimed)
        if not len(seek) or not len(cand):
            break
        order = np.lexsort((end[cand], group[cand]))
        cand = cand[order]
        ckey = group[cand] * (1 << 20) + (end[cand] - end.min()) if len(cand) else group[cand]
        lo = np.searchsorted(ckey, group[seek] * (1 << 20))
        hi = np.searchsorted(ckey, group[seek] * (1 << 20) + (start[seek] - 1 - end.min()), side="right")
        ok = hi > lo
        seek, lo, hi = seek[ok], lo[ok], hi[ok]
        pick = cand[lo + np.floor(rng.random(len(seek)) * (hi - lo)).astype(np.int64)]
        other = family[pick] != family[seek]
        seek, pick = seek[other], pick[other]
        # A partnership's man goes on to one later partnership only: the first seeker keeps it.
        _, first = np.unique(pick, return_index=True)
        seek, pick = seek[first], pick[first]
        pred[seek] = pick
        claimed[pick] = True
    # A man is in one family at most once: a chain that comes back to a family it has already passed
    # through (A in family 1 -> B in family 2 -> C in family 1) is cut before the return, so C's man is
    # a new man. Cutting can only shorten chains, so a few passes settle it.
    while True:
        root = _roots(pred)
        key = root * (family.max() + 1 if n else 1) + family
        order = np.lexsort((start, key))
        dup = np.zeros(n, dtype=bool)
        dup[order[1:]] = key[order[1:]] == key[order[:-1]]
        if not dup.any():
            return root
        pred[dup] = -1


def _roots(pred: np.ndarray) -> np.ndarray:
    """Each partnership's first partnership of the same man (following ``pred`` back)."""
    root = np.where(pred >= 0, pred, np.arange(len(pred)))
    while True:
        nxt = root[root]
        if np.array_equal(nxt, root):
            return root
        root = nxt


def father_ids(family_ids: np.ndarray, pship: dict[str, np.ndarray], first_slot: int, stride: int,
               max_fathers: int) -> np.ndarray:
    """Person id of the man of each (family, father slot): that of his first partnership's slot.

    Args:
        family_ids: the shard's global family ids (by shard-local family).
        pship: the partnerships (``family``, ``slot``, ``man``).
        first_slot, stride: person ids are ``family_id * stride + first_slot + slot``.
        max_fathers: father slots per family.

    Returns:
        ``(families, max_fathers)`` person ids, -1 where the family has no such father.
    """
    own = family_ids[pship["family"]] * stride + first_slot + pship["slot"]
    out = np.full((len(family_ids), max_fathers), -1, dtype=np.int64)
    out[pship["family"], pship["slot"]] = own[pship["man"]]
    return out
