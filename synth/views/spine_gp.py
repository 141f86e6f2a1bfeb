"""Row source of ``WDSD_AR_PERS_GP``: each spine person's GP registration history (modelled).

Nothing public describes how registrations follow moves, so this is a model built on the
address history (``spine_address``), with these assumptions:

- practices belong to an area: each practice serves a block of ``LSOAS_PER_PRACTICE``
  consecutively numbered LSOAs of one local authority (Wales had about 400 practices for 1,909
  LSOAs, i.e. one per 4-5 LSOAs; the exact count is not needed);
- a person is registered from their first spine address; after a move to an address served by
  another practice they re-register with probability ``P_REREGISTER`` (people often keep their
  practice after a short move), after a lag of mean ``REGISTER_LAG_DAYS`` days;
- periods follow the address table's conventions (synth.views.spine): a registration ends the day
  before the next starts, the current one has TO_DT 9999-12-31, and a death closes it.

PRAC_CD_E is the encrypted practice code: a keyed id of the practice number, as SAIL encrypts
source codes (schemas.md 1.2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.keys import keyed_id, run_key
from synth.rng import stream_key
from synth.views.spine import OPEN_END, available_from, spine_address

#: LSOAs served by one practice. assumption: about 400 Welsh practices for 1,909 LSOAs.
LSOAS_PER_PRACTICE = 5
#: Chance a move to another practice's area leads to a new registration. assumption.
P_REREGISTER = 0.7
#: Mean days from a move to the new registration. assumption: weeks, not months.
REGISTER_LAG_DAYS = 45.0
PRACTICE_KEY = stream_key("wdsd:practice")


def practice_of(lsoa: np.ndarray) -> np.ndarray:
    """Practice number of each LSOA code (its country/type prefix and LSOA block)."""
    text = pd.Series(lsoa, dtype=object).fillna("X00000000").astype(str)
    prefix = np.where(text.str.startswith("W").to_numpy(bool), 2, 1)
    number = pd.to_numeric(text.str[3:], errors="coerce").fillna(0).to_numpy(np.int64)
    return prefix * 1_000_000 + number // LSOAS_PER_PRACTICE


def spine_gp(covered: dict[str, pd.DataFrame], truth: dict[str, pd.DataFrame],
             rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """GP registration periods of every person on the spine.

    Args:
        covered: the agency's covered truth, with ``spine_address`` already built.
        truth: the shard's truth (unused beyond the covered tables).
        rng: this source's random stream.
        seed: the run seed (it keys agency-facing ids, synth.keys.run_key).
    """
    adds = covered.get("spine_address")
    if adds is None:
        adds = spine_address(covered, truth, rng, seed)
    adds = adds.sort_values(["person_id", "from_date"], kind="stable").reset_index(drop=True)
    pid = adds["person_id"].to_numpy(np.int64)
    start = adds["from_date"].to_numpy("datetime64[D]")
    to_dt = adds["to_date"].to_numpy("datetime64[D]")
    prac = practice_of(adds["lsoa_code"].to_numpy(object))
    n = len(adds)
    first = np.ones(n, dtype=bool)
    first[1:] = pid[1:] != pid[:-1]
    # Each row may become the registration (re-registering if its practice differs).
    decide = first | (rng.random(n) < P_REREGISTER)
    idx = np.where(decide, np.arange(n), 0)
    np.maximum.accumulate(idx, out=idx)
    current = prac[idx]
    before = np.concatenate([[-1], current[:-1]])
    new = first | (decide & (prac != before))
    lag = np.floor(rng.exponential(REGISTER_LAG_DAYS, n)).astype(np.int64)
    lag = np.where(first, 0, lag)
    # The new registration starts within the stay at the new address.
    stay = (np.minimum(to_dt, start + np.timedelta64(100_000, "D")) - start).astype(np.int64)
    reg_from = start + np.minimum(lag, np.maximum(stay, 0)).astype("timedelta64[D]")
    rows = np.flatnonzero(new)
    r_pid, r_from, r_prac = pid[rows], reg_from[rows], prac[rows]
    # A registration ends the day before the person's next one; the last ends as the last address.
    last_to = pd.Series(to_dt).groupby(pid).transform("last").to_numpy("datetime64[D]")[rows]
    nxt = np.concatenate([r_pid[1:] == r_pid[:-1], [False]])
    r_to = np.where(nxt, np.concatenate([r_from[1:], [OPEN_END]]) - np.timedelta64(1, "D"), last_to)
    return pd.DataFrame({
        "spine_gp_id": r_pid * 64 + np.arange(len(rows)) - np.searchsorted(r_pid, r_pid, side="left"),
        "person_id": r_pid,
        "from_date": r_from.astype("datetime64[s]"),
        "to_date": r_to.astype("datetime64[s]"),
        "practice_code": keyed_id(r_prac, run_key(seed, PRACTICE_KEY)),
        "available_date": available_from(r_from, rng).astype("datetime64[s]"),
    })
