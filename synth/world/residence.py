"""Where people live over time: an address history per household, for the spine and for File 1.

A family has a mother's household (the mother and her children) and one household for each
father or relative who is a person in the family. Each household moves from address to address
within its local authority: the time spent at an address follows the profile's
``address_duration`` curve, from ``HISTORY_YEARS`` before the period start to its end. The last
address is the household's current one (the person table's postcode and LSOA).

Addresses are fictitious: a house number, a street made of a surname and a common street word,
the local authority's name as the town, and a postcode in the unallocated ZZ area.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.keys import ADDRESS_STRIDE, HOUSEHOLD_STRIDE
from synth.world import ids, names
from synth.world import sampling as S
from synth.world.context import WorldContext

#: Years of address history before the period start.
HISTORY_YEARS = 5
#: Most addresses a household has (moves beyond this are not recorded).
MAX_ADDRESSES = 16
#: Common street words of England and Wales (assumption: a plain list, not frequency-weighted).
STREET_WORDS = np.array(["Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent", "Court",
                         "Gardens", "Place", "Grove", "Terrace", "Walk", "View", "Rise", "Mews", "Green",
                         "Hill", "Park"], dtype=object)
LOCALITIES = np.array(["", "", "", "Upper Town", "Lower Town", "West End", "East End", "Northside",
                       "Southside", "Old Town"], dtype=object)
#: Day numbers (since 1970) shifted by DAY_OFFSET fit in DAY_SPAN, for (household, day) search keys.
DAY_OFFSET, DAY_SPAN = 40_000, 1 << 17
#: NHS pseudo-postcodes are kept where an adult's address is not recorded.
PSEUDO_PREFIX = "ZZ99"


def household_of(person: pd.DataFrame) -> np.ndarray:
    """Household number within the family: 0 for the mother and her children, else the person's slot."""
    slot = person["person_id"].to_numpy(np.int64) % 64
    role = person["family_role"].to_numpy()
    return np.where((role == "mother") | (role == "child"), 0, slot)


def addresses(ctx: WorldContext, la_of_family: np.ndarray, family_ids: np.ndarray, family_postcode: np.ndarray,
              family_lsoa: np.ndarray, person: pd.DataFrame, rng: np.random.Generator
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Address histories of every household of the shard.

    Args:
        ctx: the run's world context.
        la_of_family: LA index of each family (shard order).
        family_ids: the shard's family ids, sorted.
        family_postcode, family_lsoa: each family's current postcode and LSOA.
        person: the shard's person table (postcode and LSOA of fathers and relatives are updated).
        rng: this shard's address stream.

    Returns:
        ``(address, person)``: the truth ``address`` table and the person table with each
        person's current postcode and LSOA taken from their household's last address.
    """
    fam_of_person = np.searchsorted(family_ids, person["family_id"].to_numpy(np.int64))
    hh = household_of(person)
    key = np.unique(fam_of_person * HOUSEHOLD_STRIDE + hh)
    h_fam, h_slot = key // HOUSEHOLD_STRIDE, key % HOUSEHOLD_STRIDE
    n = len(key)
    start = ctx.start - int(round(HISTORY_YEARS * S.YEAR))
    # Successive addresses: each lasts a draw from the curve; no event = stays to the end.
    from_days, seq, owner = [np.full(n, start, dtype=np.int64)], [np.zeros(n, dtype=np.int64)], [np.arange(n)]
    cur, alive = np.full(n, start, dtype=np.int64), np.arange(n)
    for j in range(1, MAX_ADDRESSES):
        stay = ctx.dists["address_duration"].sample(rng, len(alive))
        moved = ~np.isnan(stay)
        nxt = cur[alive] + np.ceil(np.nan_to_num(stay, nan=0)).astype(np.int64).clip(1)
        keep = moved & (nxt <= ctx.end)
        alive, nxt = alive[keep], nxt[keep]
        if not len(alive):
            break
        cur[alive] = nxt
        from_days.append(nxt)
        seq.append(np.full(len(alive), j))
        owner.append(alive)
    owner_a, seq_a, from_a = (np.concatenate(x) for x in (owner, seq, from_days))
    order = np.lexsort((seq_a, owner_a))
    owner_a, seq_a, from_a = owner_a[order], seq_a[order], from_a[order]
    last = np.concatenate([owner_a[1:] != owner_a[:-1], [True]]) if len(owner_a) else owner_a.astype(bool)
    to_a = np.where(last, -1, np.roll(from_a, -1) - 1)
    fam = h_fam[owner_a]
    la = la_of_family[fam]
    m = len(owner_a)
    postcode = ids.pseudo_postcodes(la, rng)
    lsoa = ctx.geo.sample_lsoa(la, rng.random(m))
    # The mother's household's current address is the family's.
    home_now = last & (h_slot[owner_a] == 0)
    postcode[home_now] = family_postcode[fam[home_now]]
    lsoa[home_now] = family_lsoa[fam[home_now]]
    street = np.char.add(np.char.add(names.surnames(m, rng).astype(str), " "),
                         STREET_WORDS[rng.integers(0, len(STREET_WORDS), m)].astype(str))
    number = rng.integers(1, 200, m).astype(str)
    address = pd.DataFrame({
        "address_id": (family_ids[fam] * HOUSEHOLD_STRIDE + h_slot[owner_a]) * ADDRESS_STRIDE + seq_a,
        "family_id": family_ids[fam], "household": h_slot[owner_a],
        "from_date": np.asarray(from_a, dtype="datetime64[D]").astype("datetime64[ns]"),
        "to_date": np.where(to_a < 0, np.datetime64("NaT"), np.asarray(to_a, dtype="datetime64[D]")).astype(
            "datetime64[ns]"),
        "address_1": np.char.add(np.char.add(number, " "), street).astype(object),
        "address_2": LOCALITIES[rng.integers(0, len(LOCALITIES), m)],
        "address_3": ctx.geo.la_name[la], "postcode": postcode, "lsoa_code": lsoa, "la_code": ctx.geo.la_code[la],
    })
    address["address_2"] = address["address_2"].where(address["address_2"] != "", None)
    # Fathers and relatives live at their own household's current address (unless unrecorded).
    cur_pos = np.flatnonzero(last)
    cur_key = fam[cur_pos] * HOUSEHOLD_STRIDE + h_slot[owner_a][cur_pos]
    p_key = fam_of_person * HOUSEHOLD_STRIDE + hh
    at = cur_pos[np.searchsorted(cur_key, p_key)]
    person = person.copy()
    own = (hh != 0) & ~person["postcode"].astype(str).str.startswith(PSEUDO_PREFIX).to_numpy()
    person.loc[own, "postcode"] = postcode[at[own]]
    person.loc[hh != 0, "lsoa_code"] = lsoa[at[hh != 0]]
    return address, person


def address_at(address: pd.DataFrame, family_id: np.ndarray, household: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Row position in ``address`` of each household's address on ``day`` (its first one if before).

    Args:
        address: the truth address table, sorted by address_id.
        family_id, household: the household of each query.
        day: the date of each query as datetime64[D].
    """
    hh_key = address["family_id"].to_numpy(np.int64) * HOUSEHOLD_STRIDE + address["household"].to_numpy(np.int64)
    start = address["from_date"].to_numpy("datetime64[D]")
    q_key = np.asarray(family_id, np.int64) * HOUSEHOLD_STRIDE + np.asarray(household, np.int64)
    # Lexicographic search on (household, from_date): the last address starting on or before the day.
    combo = hh_key * DAY_SPAN + start.astype(np.int64) + DAY_OFFSET
    q = q_key * DAY_SPAN + np.asarray(day, dtype="datetime64[D]").astype(np.int64) + DAY_OFFSET
    pos = np.searchsorted(combo, q, side="right") - 1
    first = np.searchsorted(hh_key, q_key, side="left")
    return np.where((pos >= 0) & (hh_key[np.clip(pos, 0, None)] == q_key), pos, first)
