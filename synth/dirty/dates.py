"""Date faults: day/month swaps, impossible dates, and dates in mixed formats in the CSV mirror.

Date columns (Arrow date32) keep their type: a swap or an impossible date is another date. File
1's day-first text dates (``DATE_OF_BIRTH`` ``18.07.2016``) are swapped and made impossible as text
in the same format. Mixed formats need text, so they are planted in the CSV mirror only (the
Parquet part keeps the ISO date) and logged with the text the CSV holds.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from synth.dirty.frame import DOTTED_DATE, TEXT_DATE_NAME, DirtyTable, pick

#: The year an impossible date is moved to (a default-date placeholder), or the years it is moved on
#: by (a mistyped century).
#: assumption: 1900-01-01 and 100-year slips are the commonest impossible dates of keyed admin data
#: (a placeholder when the date was unknown; 2019 typed 2119); both lie outside any date a family
#: court, Cafcass or 903 record of 2011-2024 can hold, so a range check finds them.
PLACEHOLDER_YEAR, CENTURY = 1900, 100

#: Dates from this year on are conventions, not dates (SAIL's open end 9999-12-31): never moved or reformatted.
OPEN_END = 9000

#: Formats written instead of ISO in the CSV mirror (strftime), one drawn per cell.
#: assumption: the formats spreadsheets and case systems export: day-first with slashes, dashes
#: and month names, compact ISO, and the day-first dotted form of File 1.
CSV_FORMATS = ("%d/%m/%Y", "%d-%b-%Y", "%Y%m%d", "%d.%m.%Y", "%d/%m/%y")


def date_columns(t: DirtyTable) -> list[str]:
    """Date (date32) columns outside the key."""
    return [c.name for c in t.columns() if pa.types.is_date32(t.type_of(c.name))]


def text_date_columns(t: DirtyTable) -> list[str]:
    """Text columns named like a date whose first values are day-first dotted dates (File 1)."""
    out = []
    for c in t.columns():
        if pa.types.is_string(t.type_of(c.name)) and not c.codes and TEXT_DATE_NAME.search(c.name):
            sample = [v for v in t.table.column(c.name).slice(0, 50).to_pylist() if v]
            if sample and all(DOTTED_DATE.match(v) for v in sample):
                out.append(c.name)
    return out


def _ymd(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of a date32 or dotted-text column (an empty or malformed cell gives 0, 0, 0)."""
    if pa.types.is_date32(col.type):
        null = np.asarray(col.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        days = np.asarray(pc.fill_null(col.cast(pa.int32()), 0).to_numpy(zero_copy_only=False), dtype=np.int64)
        dt = days.astype("datetime64[D]")
        y = dt.astype("datetime64[Y]").astype(np.int64) + 1970
        m = dt.astype("datetime64[M]").astype(np.int64) % 12 + 1
        d = (dt - dt.astype("datetime64[M]")).astype(np.int64) + 1
        return np.where(null, 0, y), np.where(null, 0, m), np.where(null, 0, d)
    ok = pc.fill_null(pc.match_substring_regex(col, DOTTED_DATE.pattern), False)
    text = pc.if_else(ok, col, "00.00.0000")

    def part(start: int, stop: int) -> np.ndarray:
        sliced = pc.utf8_slice_codeunits(text, start, stop).cast(pa.int64())
        return np.asarray(sliced.to_numpy(zero_copy_only=False), dtype=np.int64)

    return part(6, 10), part(3, 5), part(0, 2)


def _make(y: np.ndarray, m: np.ndarray, d: np.ndarray, text: bool) -> pa.Array:
    """Dates from parts (29 February of a non-leap year becomes the 28th), as date32 or dotted text."""
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    d = np.where((m == 2) & (d == 29) & ~leap, 28, d)
    if text:
        return pa.array([f"{a:02d}.{b:02d}.{c:04d}" for a, b, c in zip(d, m, y)], pa.string())
    iso = [f"{c:04d}-{b:02d}-{a:02d}" for a, b, c in zip(d, m, y)]
    return pa.array(np.array(iso, dtype="datetime64[D]"), pa.date32())


def _cells(t: DirtyTable, names: list[str], rng: np.random.Generator, rate: float, swap: bool):
    """For each column: drawn rows and their year, month, day (swap: only where day <= 12 and day != month;
    otherwise any date before :data:`OPEN_END`)."""
    if not names or not t.n:
        return
    parts = [_ymd(t.table.column(n)) for n in names]
    eligible = np.column_stack([t.free(n) & (((d <= 12) & (d != m) & (d > 0)) if swap else ((y > 0) & (y < OPEN_END)))
                                for n, (y, m, d) in zip(names, parts)])
    rows, cols = pick(rng, eligible, rate)
    draws = rng.random(len(rows))
    for j, name in enumerate(names):
        at = rows[cols == j]
        y, m, d = (p[at] for p in parts[j])
        yield name, at, y, m, d, draws[cols == j]


def day_month_swap(t: DirtyTable, rng: np.random.Generator, rate: float) -> None:
    """Swap day and month (3 April -> 4 March) where both are 12 or less and differ."""
    text = set(text_date_columns(t))
    for name, at, y, m, d, _ in _cells(t, date_columns(t) + sorted(text), rng, rate, swap=True):
        t.set(name, at, _make(y, d, m, name in text), "day_month_swap")


def impossible_date(t: DirtyTable, rng: np.random.Generator, rate: float) -> None:
    """Move a date to year 1900 (a placeholder) or a century on (a mistyped year), half each."""
    text = set(text_date_columns(t))
    for name, at, y, m, d, u in _cells(t, date_columns(t) + sorted(text), rng, rate, swap=False):
        t.set(name, at, _make(np.where(u < 0.5, PLACEHOLDER_YEAR, y + CENTURY), m, d, name in text),
              "impossible_date")


def mixed_date_format(t: DirtyTable, rng: np.random.Generator, rate: float) -> None:
    """Write drawn dates of the CSV mirror in another format (``15/03/2020``, ``15-Mar-2020``, ``20200315``)."""
    names = date_columns(t)
    for name, at, y, m, d, u in _cells(t, names, rng, rate, swap=False):
        days = np.array([f"{a:04d}-{b:02d}-{c:02d}" for a, b, c in zip(y, m, d)], dtype="datetime64[D]")
        fmt = [CSV_FORMATS[int(x * len(CSV_FORMATS))] for x in u]
        text = [day.astype(object).strftime(f) for day, f in zip(days, fmt)]
        t.set_csv(name, at, text, "mixed_date_format")
