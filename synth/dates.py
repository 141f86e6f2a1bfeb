"""Dates: the one home for day numbers, financial and collection years, Mondays and date parts.

Bottom layer (imports only numpy and pandas). The world works in *day numbers*: int64 days since
1970-01-01, with ``INF`` standing for "never" (a blank date). Financial years run 1 April to
31 March and are named by the calendar year they start in (FY 2023 = 1 April 2023 - 31 March
2024); a *collection year* (SSDA903) is named by the year it ends in (collection year 2024 = FY
2023). A week of birth (SAIL WOB) is the Monday on or before the date.

Court working days are Monday to Friday except the bank holidays of England and Wales
(``synth/profiles/reference/bank_holidays.csv``, built by ``scripts/build_bank_holidays.py``;
stats.md 8 "Court working days"). The working-day functions take and return int64 day arrays and
run in numpy's business-day routines (no per-date Python); blank dates (``INF``) pass through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

#: Day 0 of the day numbers.
EPOCH = dt.date(1970, 1, 1)
#: The day number standing for a blank date ("never"); ``-INF`` for "always before".
INF = np.iinfo(np.int64).max // 4


# ------------------------------------------------------------------------------------------
# Day numbers


def to_days(d: dt.date) -> int:
    """Days since 1970-01-01."""
    return (d - EPOCH).days


def days_of(values: object) -> np.ndarray:
    """Day numbers (since 1970-01-01) of a date column; INF where blank."""
    a = pd.to_datetime(pd.Series(values), cache=False).to_numpy("datetime64[D]")
    nat = np.isnat(a)
    out = a.astype(np.int64)
    out[nat] = INF
    return out


def to_dates(days: np.ndarray) -> np.ndarray:
    """datetime64[ns] from day numbers (INF and negative INF become NaT)."""
    d = np.asarray(days, dtype=np.int64)
    blank = np.abs(d) >= INF
    out = np.where(blank, 0, d).astype("datetime64[D]").astype("datetime64[ns]")
    out[blank] = np.datetime64("NaT")
    return out


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """The date ``years`` after each date (29 February -> 1 March)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    offset = (d - month.astype("datetime64[D]")).astype(np.int64)
    return (month + np.timedelta64(12 * years, "M")).astype("datetime64[D]").astype(np.int64) + offset


# ------------------------------------------------------------------------------------------
# Date parts


def ymd(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day of month (1-31) of each date, as int64 arrays."""
    d = d.astype("datetime64[D]")
    y, m = d.astype("datetime64[Y]"), d.astype("datetime64[M]")
    return (y.astype(np.int64) + 1970, (m - y.astype("datetime64[M]")).astype(np.int64) + 1,
            (d - m.astype("datetime64[D]")).astype(np.int64) + 1)


def from_ymd(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Dates (datetime64[D]) from parts, the day clipped to the month's length (29 Feb -> 28 Feb)."""
    start = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    length = ((start + 1).astype("datetime64[D]") - start.astype("datetime64[D]")).astype(np.int64)
    return start.astype("datetime64[D]") + (np.minimum(day, length) - 1)


# ------------------------------------------------------------------------------------------
# Financial and collection years


def fy_of(days: ArrayLike) -> np.ndarray:
    """Financial year (the calendar year it starts in) of each day number."""
    m = np.asarray(days, dtype="datetime64[D]").astype("datetime64[M]").astype(np.int64)
    year, month = m // 12 + 1970, m % 12 + 1
    return np.where(month >= 4, year, year - 1)


def collection_year_of(days: np.ndarray) -> np.ndarray:
    """Collection year (year ending 31 March) of each day number."""
    return fy_of(np.asarray(days, dtype=np.int64)) + 1


def collection_year_start(year: np.ndarray) -> np.ndarray:
    """1 April before the end of each collection year, as day numbers."""
    m = (np.asarray(year, dtype=np.int64) - 1 - 1970) * 12 + 3
    return m.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def collection_year_end(year: np.ndarray) -> np.ndarray:
    """31 March ending each collection year, as day numbers."""
    return collection_year_start(np.asarray(year) + 1) - 1


# ------------------------------------------------------------------------------------------
# Weeks


def week_start(d: pd.Series) -> pd.Series:
    """The Monday on or before each date of a datetime Series (SAIL week of birth)."""
    return d - pd.to_timedelta(d.dt.weekday, unit="D")


# ------------------------------------------------------------------------------------------
# Court working days

#: The shipped bank-holiday list (package data of ``synth.profiles``).
BANK_HOLIDAYS_CSV = "reference/bank_holidays.csv"


@lru_cache(maxsize=1)
def bank_holidays() -> np.ndarray:
    """Day numbers of the England and Wales bank holidays (sorted, 2000-2035)."""
    with resources.as_file(resources.files("synth.profiles").joinpath(BANK_HOLIDAYS_CSV)) as path:
        dates = pd.read_csv(path, usecols=["date"])["date"].to_numpy("datetime64[D]")
    return np.sort(dates.astype(np.int64))


@lru_cache(maxsize=1)
def court_calendar() -> np.busdaycalendar:
    """Monday-Friday less the bank holidays, as a numpy business-day calendar."""
    return np.busdaycalendar(weekmask="1111100", holidays=bank_holidays().astype("datetime64[D]"))


def weekday(days: ArrayLike) -> np.ndarray:
    """Day of the week of each day number, 0 Monday ... 6 Sunday (1970-01-01 was a Thursday)."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


def _apply(days: ArrayLike, fn: Callable[[np.ndarray], np.ndarray], fill: object) -> np.ndarray:
    """``fn`` of the non-blank days (as datetime64[D]); blanks get ``fill`` (None: kept as they are)."""
    d = np.asarray(days, dtype=np.int64)
    ok = np.abs(d) < INF
    out = np.full(d.shape, fill, dtype=np.asarray(fill).dtype) if fill is not None else d.copy()
    if ok.any():
        out[ok] = fn(d[ok].astype("datetime64[D]"))
    return out


def is_working_day(days: ArrayLike) -> np.ndarray:
    """Whether each day is a court working day (blank dates: False)."""
    return _apply(days, lambda x: np.is_busday(x, busdaycal=court_calendar()), np.False_)


def next_working_day(days: ArrayLike) -> np.ndarray:
    """Each day if it is a working day, else the next working day."""
    return _apply(days, lambda x: np.busday_offset(x, 0, roll="forward", busdaycal=court_calendar())
                  .astype(np.int64), None)


def previous_working_day(days: ArrayLike) -> np.ndarray:
    """Each day if it is a working day, else the working day before it."""
    return _apply(days, lambda x: np.busday_offset(x, 0, roll="backward", busdaycal=court_calendar())
                  .astype(np.int64), None)


def add_working_days(days: ArrayLike, n: ArrayLike) -> np.ndarray:
    """The working day ``n`` working days after each day (rolled forward to a working day first).

    Args:
        days: day numbers (blank ``INF`` kept).
        n: working days to add (scalar or one per day; negative goes back).
    """
    d = np.asarray(days, dtype=np.int64)
    k = np.broadcast_to(np.asarray(n, dtype=np.int64), d.shape)
    ok = np.abs(d) < INF
    out = d.copy()
    if ok.any():
        out[ok] = np.busday_offset(d[ok].astype("datetime64[D]"), k[ok], roll="forward",
                                   busdaycal=court_calendar()).astype(np.int64)
    return out


def working_days_between(start: ArrayLike, end: ArrayLike) -> np.ndarray:
    """Working days in ``[start, end)`` for each pair (negative when end is before start)."""
    a = np.asarray(start, dtype=np.int64).astype("datetime64[D]")
    b = np.asarray(end, dtype=np.int64).astype("datetime64[D]")
    return np.busday_count(a, b, busdaycal=court_calendar()).astype(np.int64)


def working_day_within(lo: ArrayLike, hi: ArrayLike, u: ArrayLike) -> np.ndarray:
    """A working day in ``[lo, hi]`` chosen by the uniforms ``u`` (uniform over its working days).

    Where the window holds no working day, the first working day after ``hi``.
    """
    lo_, hi_ = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)
    k = working_days_between(lo_, hi_ + 1)
    pick = np.floor(np.asarray(u, dtype=float) * np.maximum(k, 0)).astype(np.int64)
    return np.where(k > 0, add_working_days(lo_, np.minimum(pick, np.maximum(k - 1, 0))),
                    next_working_day(hi_ + 1))
