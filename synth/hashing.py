"""Record hashing: normalised values hashed to 64 bits per field, tuple hashes and hash semi-joins.

Bottom layer (numpy and pandas only). Used wherever records are compared without being joined
on their values: copies of reference records in a run (``synth.validate.copies``) and the privacy
gate of ``synth learn`` / ``synth fit`` (``synth.learn.gate``). Values are normalised first
(dates to ISO strings, text stripped and upper-cased, numbers as strings, blanks equal to
blanks), so a date stored as text and as a date hash alike.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from synth.keys import GOLDEN, mix64

_NULL = "\x00<NA>"
_ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_UK_DATE = r"\d{1,2}/\d{1,2}/\d{4}"
_DATE_SAMPLE = 1000


def field_hashes(df: pd.DataFrame) -> list[np.ndarray]:
    """One 64-bit hash per value of each column, salted by the column's position."""
    out = []
    for j in range(df.shape[1]):
        h = pd.util.hash_array(normalise(df.iloc[:, j]), categorize=True)
        with np.errstate(over="ignore"):
            out.append(mix64(h + np.uint64(j + 1) * GOLDEN))
    return out


def tuple_hashes(fields: list[np.ndarray], n: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """The hash of each whole tuple and, per field, of the tuple without that field."""
    total = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for h in fields:
            total += h
        return mix64(total), [mix64(total - h) for h in fields]


def member(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Whether each value occurs in ``among`` (a hash-table semi-join)."""
    if len(among) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    index = pd.Index(pd.unique(among.view(np.int64)))
    return index.get_indexer(values.view(np.int64)) >= 0


def normalise(s: pd.Series) -> np.ndarray:
    """Comparable text for one column: ISO dates, stripped upper-case strings, numbers as strings."""
    s = s.reset_index(drop=True)
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    missing = s.isna().to_numpy(dtype=bool)
    if pd.api.types.is_bool_dtype(s):
        out = np.where(s.fillna(False).to_numpy(dtype=bool), "TRUE", "FALSE").astype(object)
    elif pd.api.types.is_datetime64_any_dtype(s):
        out = _iso(s)
    elif pd.api.types.is_integer_dtype(s):
        out = s.to_numpy(dtype=np.int64, na_value=0).astype(str).astype(object)
    elif pd.api.types.is_float_dtype(s):
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        out = arr.astype(str).astype(object)
        whole = np.isfinite(arr) & (np.floor(arr) == arr) & (np.abs(arr) < 2.0**62)
        out[whole] = arr[whole].astype(np.int64).astype(str)
    else:
        out, extra_missing = _normalise_text(s, missing)
        missing = missing | extra_missing
    out[missing] = _NULL
    return out


def _normalise_text(s: pd.Series, missing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Object columns: dates (as objects or ISO / dd/mm/yyyy text) to ISO strings, else stripped upper text."""
    present = s[~missing]
    if len(present) and isinstance(present.iloc[0], (dt.date, pd.Timestamp)):
        parsed = pd.to_datetime(s, errors="coerce")
        if int(parsed.notna().sum()) == len(present):
            return _iso(parsed), np.zeros(len(s), dtype=bool)
    text = s.astype("string").str.strip()
    blank = (text == "").fillna(False).to_numpy(dtype=bool)
    filled = text[~missing & ~blank]
    for pattern, fmt in ((_ISO_DATE, "ISO8601"), (_UK_DATE, "%d/%m/%Y")):
        if len(filled) and filled.iloc[:_DATE_SAMPLE].str.fullmatch(pattern).all() \
                and filled.str.fullmatch(pattern).all():
            parsed = pd.to_datetime(text.mask(blank), format=fmt, errors="coerce")
            if int(parsed.notna().sum()) == len(filled):
                return _iso(parsed), blank
    return text.str.upper().to_numpy(dtype=object, na_value=None), blank


def _iso(s: pd.Series) -> np.ndarray:
    """ISO dates (``YYYY-MM-DD``), with `` HH:MM:SS`` only where the time is not midnight."""
    if getattr(s.dtype, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    arr = s.to_numpy(dtype="datetime64[ns]")
    days = arr.astype("datetime64[D]")
    out = np.datetime_as_string(days, unit="D").astype(object)
    timed = ~np.isnat(arr) & (arr != days.astype("datetime64[ns]"))
    if timed.any():
        out[timed] = np.char.replace(np.datetime_as_string(arr[timed], unit="s"), "T", " ")
    return out
