"""Named transforms a profile may apply to a column's values (``transforms: [...]``).

Each transform is a pure function ``(values, params) -> values`` over a pandas Series. Dates are
pandas datetime Series; nulls stay null.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from synth.dates import week_start
from synth.keys import keyed_id, run_key
from synth.rng import stream_key

if TYPE_CHECKING:
    from synth.profile.models import Transform


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, cache=False)


def week_of_birth(s: pd.Series, p: dict) -> pd.Series:
    """SAIL WOB: the Monday on or before the date."""
    return week_start(_dates(s))


def month_start(s: pd.Series, p: dict) -> pd.Series:
    """Truncate a date to the first of its month (DOB recorded as month/year)."""
    d = _dates(s)
    return d.dt.to_period("M").dt.to_timestamp().where(d.notna())


def month(s: pd.Series, p: dict) -> pd.Series:
    """Calendar month number (1-12)."""
    return _dates(s).dt.month.astype("Int64")


def year(s: pd.Series, p: dict) -> pd.Series:
    """Calendar year."""
    return _dates(s).dt.year.astype("Int64")


def code_map(s: pd.Series, p: dict) -> pd.Series:
    """Map values through ``map:``; values not listed become ``default:`` and blanks ``blank:`` (null if absent)."""
    mapping = {str(k): v for k, v in p.get("map", {}).items()}
    default = p.get("default")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    # Map the few distinct values once, then spread them by code (-1 is a blank).
    mapped = np.array([mapping.get(str(u), default) for u in uniques] + [p.get("blank")], dtype=object)
    return pd.Series(mapped[codes], index=s.index)


_TWO = np.array([f"{i:02d}" for i in range(100)])
_FOUR = np.array([f"{i:04d}" for i in range(10000)])


def date_text(s: pd.Series, p: dict) -> pd.Series:
    """Dates as text in a ``format:`` of %d, %m, %Y and literals (default dd.mm.yyyy, SAIL File 1).

    Built from whole arrays (no per-row strftime).
    """
    fmt = p.get("format", "%d.%m.%Y")
    days = _dates(s).to_numpy("datetime64[D]")
    ok = ~np.isnat(days)
    days = np.where(ok, days, np.datetime64("2000-01-01"))
    month_start = days.astype("datetime64[M]")
    parts = {"%Y": _FOUR[days.astype("datetime64[Y]").astype(np.int64) + 1970],
             "%m": _TWO[month_start.astype(np.int64) % 12 + 1],
             "%d": _TWO[(days - month_start.astype("datetime64[D]")).astype(np.int64) + 1]}
    out = np.full(len(days), "", dtype="U1")
    for token in re.split(r"(%[Ymd])", fmt):
        if token:
            out = np.char.add(out, parts.get(token, token))  # type: ignore[arg-type]
    return pd.Series(np.where(ok, out.astype(object), None), index=s.index)  # type: ignore[call-overload]


def to_text(s: pd.Series, p: dict) -> pd.Series:
    """Whole numbers as decimal text (ids written as text, e.g. SYSTEM_ID)."""
    v = pd.Series(pd.array(s, dtype="Int64"), index=s.index)
    return v.astype(str).astype(object).where(v.notna(), None)


def at_time(s: pd.Series, p: dict) -> pd.Series:
    """A date at a fixed time of day (``time: "10:00:00"``)."""
    return _dates(s) + pd.to_timedelta(p.get("time", "10:00:00"))


def fmt(s: pd.Series, p: dict) -> pd.Series:
    """Format each value with a Python format pattern (``pattern: "C{:09d}"``)."""
    pattern = p["pattern"]
    vals = s.to_numpy(object)
    out = np.array([None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                    else pattern.format(v) for v in vals], dtype=object)
    return pd.Series(out, index=s.index)


def upper(s: pd.Series, p: dict) -> pd.Series:
    """Upper-case text."""
    v = s.to_numpy(object)
    present = ~pd.isna(v)
    out = np.full(len(v), None, dtype=object)
    if present.any():
        out[present] = np.char.upper(v[present].astype(str)).astype(object)
    return pd.Series(out, index=s.index)


#: Keys of the SAIL project encryption: one ALF (person) and one RALF (address) per project, so
#: every SAIL table of the project joins on them. Each run keys them by its seed as well
#: (synth.keys.run_key), so two runs never share an encrypted id.
ALF_KEY, RALF_KEY = stream_key("sail-project:alf"), stream_key("sail-project:ralf")


def project_alf(person_ids: np.ndarray, seed: int) -> np.ndarray:
    """The project-encrypted ALF of each true person id in the run of ``seed``."""
    return keyed_id(np.asarray(person_ids, dtype=np.int64), run_key(seed, ALF_KEY))


def _keyed(values: pd.Series, key: int) -> pd.Series:
    present = values.notna().to_numpy()
    raw = pd.to_numeric(values, errors="coerce").fillna(0).to_numpy(np.int64)
    return pd.Series(pd.array(keyed_id(raw, key), dtype="Int64"), index=values.index).where(present, pd.NA)


def alf(s: pd.Series, p: dict) -> pd.Series:
    """The SAIL project ALF of a truth person id (the spine's ALF_PE); ``p["seed"]`` is the run seed."""
    return _keyed(s, run_key(int(p["seed"]), ALF_KEY))


def ralf(s: pd.Series, p: dict) -> pd.Series:
    """The SAIL project RALF of a truth address id (residential anonymised linking field); keyed by ``p["seed"]``."""
    return _keyed(s, run_key(int(p["seed"]), RALF_KEY))


TRANSFORMS: dict[str, Callable[[pd.Series, dict], pd.Series]] = {
    "week_of_birth": week_of_birth,
    "month_start": month_start,
    "month": month,
    "year": year,
    "code_map": code_map,
    "at_time": at_time,
    "format": fmt,
    "upper": upper,
    "date_text": date_text,
    "to_text": to_text,
    "alf": alf,
    "ralf": ralf,
}


def apply(values: pd.Series, transforms: Iterable[Transform], *, seed: int) -> pd.Series:
    """Apply a column's transforms in order; each gets its parameters plus ``seed`` (the run seed)."""
    for t in transforms:
        params = {**(t.model_extra or {}), "seed": seed}
        values = TRANSFORMS[t.name](values, params)
    return values
