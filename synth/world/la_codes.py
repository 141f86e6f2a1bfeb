"""Local authority codes valid on a date: the world keeps today's geography, records carry the code of their day.

A family lives in a 2011 LSOA, which is in one of today's local authorities (``local_authorities.csv``).
Real records carry the code of the authority that existed on the day the record is about: a 2010
case in what is now Dorset Council (E06000059) was Dorset County Council's (E10000009); a 2010
case in Christchurch, now in Bournemouth, Christchurch and Poole (E06000058), was Dorset County's too.
:func:`code_on` maps today's code (and the LSOA, where a new authority was made from parts of several
old ones) and a day to the code valid on that day. The tables are package data, the same for every
profile (``synth/profiles/reference/la_codes.csv`` and ``la_code_lookup.csv``, built by
``scripts/build_la_codes.py``; sources in ``reference/SOURCES.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt
import pandas as pd

LA_CODES_CSV = "reference/la_codes.csv"
LA_LOOKUP_CSV = "reference/la_code_lookup.csv"


def _read(name: str) -> pd.DataFrame:
    with resources.as_file(resources.files("synth.profiles").joinpath(name)) as path:
        return pd.read_csv(path, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def la_codes() -> pd.DataFrame:
    """Every children's-services authority code of England and Wales in 2005-2030, with its first and last day.

    Columns la_code, la_name, country, start, end (ISO dates; empty start = before 2005, empty end =
    current), successors (space-separated codes), source.
    """
    return _read(LA_CODES_CSV)


@lru_cache(maxsize=1)
def la_code_lookup() -> pd.DataFrame:
    """Every code, past or current, -> the current code(s) its area is in, with the 2011 LSOAs they share.

    Columns la_code, current_code, lsoa_first, lsoa_last (an inclusive LSOA code range where only part
    of the current area was in the old one; empty = all of it), lsoas (count), basis.
    """
    return _read(LA_LOOKUP_CSV)


@dataclass(frozen=True)
class _History:
    """Past codes by today's code: one entry per (today's code, LSOA range, past code)."""

    current: np.ndarray  # today's code of each entry, sorted
    lsoa_lo: np.ndarray
    lsoa_hi: np.ndarray
    last_day: np.ndarray  # int64 days since 1970-01-01: the past code's last day
    code: np.ndarray


@lru_cache(maxsize=1)
def _history() -> _History:
    lk = la_code_lookup()
    lk = lk[lk["la_code"] != lk["current_code"]]
    end = la_codes().set_index("la_code")["end"]
    last = pd.to_datetime(lk["la_code"].map(end)).to_numpy("datetime64[D]").astype(np.int64)
    size = lk["lsoas"].astype(int).to_numpy()
    order = np.lexsort((-size, -last, lk["current_code"].to_numpy(str)))  # by code, latest first, largest part first
    return _History(current=lk["current_code"].to_numpy(object)[order],
                    lsoa_lo=lk["lsoa_first"].to_numpy(object)[order],
                    lsoa_hi=lk["lsoa_last"].to_numpy(object)[order],
                    last_day=last[order], code=lk["la_code"].to_numpy(object)[order])


def _days(days: npt.ArrayLike) -> np.ndarray:
    """Days since 1970-01-01 (int64; NaT and nulls -> the largest int, i.e. today's code)."""
    a = np.asarray(days)
    if a.dtype.kind == "M":
        d = a.astype("datetime64[D]")
        out = d.astype(np.int64)
        return np.where(np.isnat(d), np.iinfo(np.int64).max, out)
    if a.dtype.kind in "iu":
        return a.astype(np.int64)
    f = pd.to_numeric(pd.Series(a), errors="coerce").to_numpy(float)
    return np.where(np.isnan(f), np.iinfo(np.int64).max, np.nan_to_num(f)).astype(np.int64)


def code_on(la_today: npt.ArrayLike, days: npt.ArrayLike, lsoa: npt.ArrayLike | None = None) -> np.ndarray:
    """The local authority code valid on each row's day.

    Vectorised: rows whose code never changed (all but a few per cent) are returned as they are;
    the rest are matched to the short history table by ``np.searchsorted``.

    Args:
        la_today: today's codes (object array; nulls pass through).
        days: the day each record is about (datetime64 or int days since 1970-01-01; NaT = today).
        lsoa: the 2011 LSOA of each row, which decides the old code where a new authority was made
            from parts of several (Bournemouth, Poole and Christchurch -> BCP); without it the part
            holding most LSOAs is used.

    Returns:
        An object array of codes, the same length as ``la_today``.
    """
    la = np.asarray(la_today, dtype=object)
    out = la.copy()
    h = _history()
    if not len(la) or not len(h.current):
        return out
    keys = np.where(pd.isna(la), "", la).astype(str)
    cur = np.unique(h.current.astype(str))
    pos = np.searchsorted(cur, keys).clip(0, len(cur) - 1)
    rows = np.flatnonzero(cur[pos] == keys)
    if not len(rows):
        return out
    day = _days(days)[rows]
    code_at = keys[rows]
    area = None if lsoa is None else np.where(pd.isna(np.asarray(lsoa, dtype=object)[rows]), "",
                                              np.asarray(lsoa, dtype=object)[rows]).astype(str)
    got = np.zeros(len(rows), dtype=bool)
    # Entries with the earliest last day are applied last, so the code of the earliest period wins.
    for i in np.argsort(-h.last_day, kind="stable"):
        m = (code_at == h.current[i]) & (day <= h.last_day[i])
        lo, hi = h.lsoa_lo[i], h.lsoa_hi[i]
        if lo:
            if area is None:
                m &= ~got  # no LSOA given: the first (largest) part stands for the area
            else:
                m &= (area >= lo) & (area <= hi)
        out[rows[m]] = h.code[i]
        got |= m
    return out


def valid_on(codes: npt.ArrayLike, days: npt.ArrayLike) -> np.ndarray:
    """Whether each code existed on its row's day (unknown codes and null codes are not valid)."""
    t = la_codes()
    c = np.asarray(codes, dtype=object)
    keys = np.where(pd.isna(c), "", c).astype(str)
    known = t["la_code"].to_numpy(str)
    order = np.argsort(known)
    pos = np.searchsorted(known[order], keys).clip(0, len(known) - 1)
    idx = order[pos]
    found = known[idx] == keys
    start = pd.to_datetime(t["start"].replace("", "1900-01-01")).to_numpy("datetime64[D]").astype(np.int64)
    end = pd.to_datetime(t["end"].replace("", "2200-12-31")).to_numpy("datetime64[D]").astype(np.int64)
    d = _days(days)
    return found & (d >= start[idx]) & (d <= end[idx])
