"""Row sources of the SAIL Welsh Demographic Service view: each person's address history.

``WDSD_AR_PERS_ADD`` (schemas.md 1.5) has one row per person per address with the dates they
lived there. A person lives at their household's addresses (see synth.world.residence) from
their birth (or the start of the recorded history) onwards.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.keys import HOUSEHOLD_STRIDE
from synth.world.residence import household_of


def spine_address(covered: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame],
                  rng: np.random.Generator) -> pd.DataFrame:
    """Person x address rows for every covered person, clipped to the person's life."""
    person = covered["person"]
    address = truth["address"]
    hh_person = person["family_id"].to_numpy(np.int64) * HOUSEHOLD_STRIDE + household_of(person)
    hh_address = address["family_id"].to_numpy(np.int64) * HOUSEHOLD_STRIDE + address["household"].to_numpy(np.int64)
    # Addresses are sorted by household then date; each person takes the run of their household.
    lo = np.searchsorted(hh_address, hh_person, side="left")
    hi = np.searchsorted(hh_address, hh_person, side="right")
    n = hi - lo
    who = np.repeat(np.arange(len(person)), n)
    pos = np.repeat(lo, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    dob = person["date_of_birth"].to_numpy("datetime64[D]")[who]
    start = address["from_date"].to_numpy("datetime64[D]")[pos]
    end = address["to_date"].to_numpy("datetime64[D]")[pos]
    lived = np.isnat(end) | (end >= dob)
    who, pos, start, end, dob = who[lived], pos[lived], start[lived], end[lived], dob[lived]
    pid = person["person_id"].to_numpy(np.int64)[who]
    return pd.DataFrame({
        "spine_address_id": pid * 64 + (address["address_id"].to_numpy(np.int64)[pos] % 16),
        "person_id": pid,
        "address_id": address["address_id"].to_numpy(np.int64)[pos],
        "from_date": np.maximum(start, dob).astype("datetime64[ns]"),
        "to_date": end.astype("datetime64[ns]"),
        "lsoa_code": address["lsoa_code"].to_numpy(object)[pos],
    }).sort_values("spine_address_id", kind="stable").reset_index(drop=True)
