"""Row sources of the SAIL Welsh Demographic Service view: each person's address history.

``WDSD_AR_PERS_ADD`` (schemas.md 1.5) has one row per person per address with the dates they
lived there. A person lives at their household's addresses (see synth.world.residence) from
their birth (or the start of the recorded history) to their death or the period end.

Date conventions (the public SAIL SQL finds "the address on date D" with
``from_dt <= D AND to_dt >= D`` and no NULL handling, S-BHF / schemas.md 1.5): a closed period
ends the day before the next one starts; the current address has ``TO_DT = 9999-12-31`` (DB2's
largest DATE; assumption: the value itself is not shown in public code), and the last address
of a person who died ends on the date of death. Dates past pandas' nanosecond range are held
as ``datetime64[s]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.keys import HOUSEHOLD_STRIDE
from synth.world.residence import household_of

#: TO_DT of an open period (a registration or address still current at the extract).
OPEN_END = np.datetime64("9999-12-31", "D")
#: The extract's snapshot date (the table name's _YYYYMMDD): nothing is available after it.
SNAPSHOT = np.datetime64("2024-06-30", "D")
#: Mean days from a change (a move, a registration) to its load into WDS (AVAIL_FROM_DT).
#: assumption: the demographic service is updated from GP registration systems within weeks;
#: nothing public gives the lag.
AVAIL_LAG_DAYS = 30.0
#: The last 2001 LSOA number in Wales: 2011 LSOAs that kept their 2001 boundaries kept their
#: code, new ones (splits and merges) were numbered after it (1,896 LSOAs in 2001, 1,909 in 2011
#: numbered up to W01001958; schemas.md 1.2, 6.4).
LAST_2001_WALES = 1896


def lsoa_2001(lsoa2011: np.ndarray) -> np.ndarray:
    """The 2001 LSOA of each 2011 LSOA code where the LSOA was unchanged, else None.

    Simplification (no ONS 2001->2011 lookup ships here): a Welsh 2011 code numbered up to
    W01001896 is an unchanged 2001 LSOA and keeps its code; a later number is a 2011 split or
    merge whose 2001 LSOA is left empty. English codes are left as they are.
    """
    codes = pd.Series(lsoa2011, dtype=object)
    text = codes.astype(str)
    welsh = text.str.startswith("W01").to_numpy()
    number = pd.to_numeric(text.str[3:], errors="coerce").to_numpy(float)
    keep = codes.notna().to_numpy() & (~welsh | (number <= LAST_2001_WALES))
    out = codes.to_numpy(object).copy()
    out[~keep] = None
    return out


def available_from(start: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """AVAIL_FROM_DT: each row's start plus a load lag, never after the snapshot (datetime64[D])."""
    lag = np.floor(rng.exponential(AVAIL_LAG_DAYS, len(start))).astype("timedelta64[D]")
    return np.minimum(start + lag, SNAPSHOT)


def spine_address(covered: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame],
                  rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """Person x address rows for every covered person, within the person's life.

    Args:
        covered: the agency's covered truth (``person`` holds the people on the spine).
        truth: the shard's truth (``address``).
        rng: this source's random stream (load lags).
        seed: the run seed (it keys agency-facing ids, synth.keys.run_key).
    """
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
    dod = person["date_of_death"].to_numpy("datetime64[D]")[who]
    start = address["from_date"].to_numpy("datetime64[D]")[pos]
    end = address["to_date"].to_numpy("datetime64[D]")[pos]
    lived = (np.isnat(end) | (end >= dob)) & (np.isnat(dod) | (start <= dod))
    who, pos, start, end, dob, dod = who[lived], pos[lived], start[lived], end[lived], dob[lived], dod[lived]
    start = np.maximum(start, dob)
    # The address a person died at ends on the day of death; a current one stays open.
    died_here = ~np.isnat(dod) & (np.isnat(end) | (end >= dod))
    to_dt = np.where(died_here, dod, np.where(np.isnat(end), OPEN_END, end))
    pid = person["person_id"].to_numpy(np.int64)[who]
    lsoa = address["lsoa_code"].to_numpy(object)[pos]
    return pd.DataFrame({
        "spine_address_id": pid * 64 + (address["address_id"].to_numpy(np.int64)[pos] % 16),
        "person_id": pid,
        "address_id": address["address_id"].to_numpy(np.int64)[pos],
        "from_date": start.astype("datetime64[s]"),
        "to_date": to_dt.astype("datetime64[s]"),
        "lsoa_code": lsoa,
        "lsoa2001_code": lsoa_2001(lsoa),
        "available_date": available_from(start, rng).astype("datetime64[s]"),
    }).sort_values("spine_address_id", kind="stable").reset_index(drop=True)
