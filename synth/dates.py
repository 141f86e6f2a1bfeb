"""Dates: the one home for day numbers, financial and collection years, Mondays and date parts.

Bottom layer (imports only numpy and pandas). The world works in *day numbers*: int64 days since
1970-01-01, with ``INF`` standing for "never" (a blank date). Financial years run 1 April to
31 March and are named by the calendar year they start in (FY 2023 = 1 April 2023 - 31 March
2024); a *collection year* (SSDA903) is named by the year it ends in (collection year 2024 = FY
2023). A week of birth (SAIL WOB) is the Monday on or before the date.

There are no court working days in the model today: issue and hearing dates fall on any day.
"""

from __future__ import annotations

import datetime as dt

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
