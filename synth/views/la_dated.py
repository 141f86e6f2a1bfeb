"""Local authority codes in agency tables: the code valid on the day the record is about.

The world keeps every family in today's geography; a view writes, in every column whose field is a
``la_code``, the code of the authority that existed on the record's day (:func:`synth.world.la_codes.code_on`):

* a court or Cafcass case, and every row about one: the proceeding's issue date;
* an LA return row (SSDA903, a ``year`` field): 31 March of its collection year (the authority that
  held the child at the year end; assumption: DfE files are by the authority of the collection year);
* rows with neither (the SAIL LSOA reference): today's code (Welsh codes did not change in the period).

The 2011 LSOA of the row's family or person decides the old code where a new authority was made from
parts of several (Bournemouth, Poole and Christchurch -> BCP).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from synth.dates import collection_year_start
from synth.world.la_codes import code_on
from synth.world.schema import resolve_path

#: Fields giving the day a row is about, tried in order (``year`` is a collection year).
DAY_PATHS = ("year", "issue_date", "proceeding_id.issue_date", "first_proceeding_id.issue_date")
#: Fields giving the 2011 LSOA of the row's area, tried after ``<path>.lsoa_code`` beside the code.
LSOA_PATHS = ("family_id.lsoa_code", "person_id.lsoa_code", "proceeding_id.family_id.lsoa_code")

Resolve = Callable[[str], pd.Series]


def _first(source: str, paths: tuple[str, ...]) -> str | None:
    for p in paths:
        try:
            resolve_path(source, p)
        except KeyError:
            continue
        return p
    return None


def is_la_field(path: str | None) -> bool:
    """Whether a column's field path ends in a local authority code."""
    return bool(path) and str(path).rsplit(".", 1)[-1] == "la_code"


def record_days(source: str, resolve: Resolve, n: int) -> np.ndarray | None:
    """Day number (since 1970-01-01) each row of ``source`` is about, or None when the source has no date."""
    path = _first(source, DAY_PATHS)
    if path is None:
        return None
    if path == "year":
        year = pd.to_numeric(resolve(path), errors="coerce").to_numpy(float)
        ok = ~np.isnan(year)
        end = collection_year_start(np.where(ok, year, 2000).astype(np.int64) + 1) - 1  # 31 March of the year
        return np.where(ok, end, np.iinfo(np.int64).max)
    d = pd.to_datetime(resolve(path), errors="coerce").to_numpy("datetime64[D]")
    return np.where(np.isnat(d), np.iinfo(np.int64).max, d.astype(np.int64))


def dated(values: pd.Series, source: str, path: str, resolve: Resolve) -> pd.Series:
    """Today's codes in ``values`` replaced by the codes valid on each row's day.

    Args:
        values: the column's codes as resolved from the truth (today's geography).
        source: the table's row source.
        path: the column's field path (ending in ``la_code``).
        resolve: field path -> the values of that field for the same rows.
    """
    days = record_days(source, resolve, len(values))
    if days is None or not len(values):
        return values
    stem = path.rsplit(".", 1)[0] + ".lsoa_code" if "." in path else "lsoa_code"
    lsoa_path = _first(source, (stem, *LSOA_PATHS))
    lsoa = None if lsoa_path is None else resolve(lsoa_path).to_numpy(object)
    out = code_on(values.to_numpy(object), days, lsoa)
    return pd.Series(out, index=values.index, dtype=object).where(values.notna().to_numpy(), None)
