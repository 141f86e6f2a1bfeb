"""Data-quality detectors for ``--dirty`` runs, and their recall on the planted faults.

Each detector looks at the agency tables alone, as a cleaning course teaches (a code outside its
list, a reference with no parent, a required field empty, an impossible or out-of-order date, a
date not in ISO form in the CSV, whitespace or case noise in a postcode or name, a near-duplicate
row), and flags cells as ``(row_key, column)``. :func:`planted_faults_found` then reads
``truth/quality_issues`` and reports, per fault kind, the share of planted faults some detector
flagged (the recall), and over all flags the share that are planted faults (the precision: clean
data has near-duplicates and legal oddities too). A clean run skips it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from synth.dirty import FAULTS, row_keys
from synth.dirty.dates import PLACEHOLDER_YEAR
from synth.layout import csv_dir, csv_parts, is_csv_dir
from synth.profile.models import Table
from synth.validate.core import CheckResult, RunData
from synth.validate.registry import check
from synth.views.reference import REFERENCE_SOURCES

Cells = set[tuple[str, str]]
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$")
NOISY = re.compile(r"(?i)(postcode|_post$|surname|forename|first_name|given_name)")
DOTTED = r"^\d{2}\.\d{2}\.\d{4}$"
ISO = r"^\d{4}-\d{2}-\d{2}$"
#: A date order (a <= b) is learned when it holds in this share of rows that have both dates.
ORDER_SHARE, ORDER_MIN_ROWS = 0.99, 20
#: Years a date may lie beyond the profile's period (snapshots and closure dates come after it).
LATE_YEARS = 5
#: Day number of 9999-01-01: SAIL's open-ended periods end 9999-12-31 (WDSD TO_DT), a convention, not an error.
OPEN_END = (pd.Timestamp("9999-01-01") - pd.Timestamp("1970-01-01")).days
#: The recall each fault kind must reach: a swapped date (4 March for 3 April) is a valid date, found
#: only when it breaks an order with another date of the row, so its recall is reported, not required.
RECALL_FLOOR: dict[str, float] = {f: 1.0 for f in FAULTS} | {"day_month_swap": 0.0}


def _arrow(run: RunData, agency: str, tkey: str) -> pa.Table:
    """An agency table as Arrow: its Parquet parts (types kept), else its CSV mirror through pandas."""
    path = run.file(agency, run.profile.agencies[agency].tables[tkey].name)
    if path is not None and not is_csv_dir(path):
        return ds.dataset(path, format="parquet").to_table()
    return pa.Table.from_pandas(run.agency_table(agency, tkey), preserve_index=False)


def _mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _cells(keys: np.ndarray, mask: np.ndarray, column: str) -> Cells:
    return {(k, column) for k in keys[mask]}


def _text(t: pa.Table, name: str) -> pa.ChunkedArray:
    return t.column(name).cast(pa.string())


def orphans(run: RunData, agency: str, spec: Table, t: pa.Table, keys: np.ndarray) -> Cells:
    """References whose value is no key of the referenced table."""
    out: Cells = set()
    for fk in spec.foreign_keys:
        if len(fk.columns) != 1 or fk.columns[0] not in t.column_names:
            continue
        parent = run.profile.agencies[agency].tables.get(fk.references)
        if parent is None or not run.has(agency, parent.name):
            continue
        held = _text(_arrow(run, agency, fk.references), fk.ref_columns[0]).combine_chunks()
        col = _text(t, fk.columns[0])
        out |= _cells(keys, _mask(pc.and_(pc.is_valid(col), pc.invert(pc.is_in(col, value_set=held)))),
                      fk.columns[0])
    return out


def missing(spec: Table, t: pa.Table, keys: np.ndarray) -> Cells:
    """Empty cells of required columns."""
    out: Cells = set()
    for c in spec.columns:
        if c.required and c.name in t.column_names:
            out |= _cells(keys, _mask(t.column(c.name).is_null()), c.name)
    return out


def off_list(spec: Table, t: pa.Table, keys: np.ndarray) -> Cells:
    """Text values outside the column's code list."""
    out: Cells = set()
    for c in spec.columns:
        if c.codes and c.name in t.column_names and pa.types.is_string(t.schema.field(c.name).type):
            col = t.column(c.name)
            listed = pa.array([str(x) for x in c.codes], pa.string())
            out |= _cells(keys, _mask(pc.and_(pc.is_valid(col), pc.invert(pc.is_in(col, value_set=listed)))), c.name)
    return out


def noisy(spec: Table, t: pa.Table, keys: np.ndarray) -> Cells:
    """Postcodes not in the postcode form; names with edge spaces or not in the column's usual case."""
    out: Cells = set()
    for c in spec.columns:
        if c.codes or c.name not in t.column_names or not NOISY.search(c.name):
            continue
        col = t.column(c.name)
        if not pa.types.is_string(col.type):
            continue
        if "post" in c.name.lower():
            bad = pc.invert(pc.match_substring_regex(col, POSTCODE.pattern))
        else:  # a column of upper-case names flags any other case; one of mixed case flags all-lower or all-upper
            edge = pc.not_equal(pc.utf8_trim_whitespace(col), col)
            upper, lower = pc.equal(col, pc.utf8_upper(col)), pc.equal(col, pc.utf8_lower(col))
            mostly_upper = _mask(upper).mean() > 0.5 if len(col) else True
            shouting = pc.and_(upper, pc.greater(pc.utf8_length(col), 1))
            odd = pc.invert(upper) if mostly_upper else pc.or_(lower, shouting)
            bad = pc.or_(edge, odd)
        out |= _cells(keys, _mask(pc.and_(pc.is_valid(col), bad)), c.name)
    return out


def _days(col: pa.ChunkedArray) -> np.ndarray:
    """Day numbers of a date32 or dotted-text date column (NaN where empty or unreadable)."""
    if pa.types.is_date32(col.type):
        return np.asarray(col.cast(pa.int32()).to_numpy(zero_copy_only=False), dtype=float)
    text = pd.Series(col.to_pylist(), dtype=object)
    parsed = pd.to_datetime(text, format="%d.%m.%Y", errors="coerce")
    return ((parsed - pd.Timestamp("1970-01-01")).dt.days).to_numpy(dtype=float)


def date_columns(spec: Table, t: pa.Table) -> list[str]:
    """Date columns and File 1's dotted text dates, the key excluded."""
    out = []
    for c in spec.columns:
        if c.name in spec.key or c.name not in t.column_names:
            continue
        typ = t.schema.field(c.name).type
        if pa.types.is_date32(typ):
            out.append(c.name)
        elif pa.types.is_string(typ) and not c.codes and re.search(r"(?i)date|dob", c.name):
            sample = [v for v in t.column(c.name).slice(0, 50).to_pylist() if v]
            if sample and sum(bool(re.match(DOTTED, v)) for v in sample) >= 0.9 * len(sample):
                out.append(c.name)
    return out


def dates(run: RunData, spec: Table, t: pa.Table, keys: np.ndarray) -> Cells:
    """Impossible dates (before 1901, or years after the period) and dates that break an order the table keeps."""
    out: Cells = set()
    names = date_columns(spec, t)
    days = {n: _days(t.column(n)) for n in names}
    late = (pd.Timestamp(run.profile.period.end) - pd.Timestamp("1970-01-01")).days + 366 * LATE_YEARS
    early = (pd.Timestamp(f"{PLACEHOLDER_YEAR + 1}-01-01") - pd.Timestamp("1970-01-01")).days
    for n, d in days.items():
        with np.errstate(invalid="ignore"):  # 9999-12-31 is SAIL's open end date, not an error
            out |= _cells(keys, (d < early) | ((d > late) & (d < OPEN_END)), n)
    for c in spec.columns:  # a week-of-birth column holds Mondays (the week_of_birth transform, schemas.md 1.2)
        if c.name in days and any(tr.name == "week_of_birth" for tr in c.transforms):
            with np.errstate(invalid="ignore"):
                out |= _cells(keys, ~np.isnan(days[c.name]) & ((days[c.name] + 3) % 7 != 0), c.name)
    for a in names:
        for b in names:
            both = ~np.isnan(days[a]) & ~np.isnan(days[b])
            if a == b or both.sum() < ORDER_MIN_ROWS:
                continue
            broken = both & (days[a] > days[b])
            if broken.sum() <= (1 - ORDER_SHARE) * both.sum():
                out |= _cells(keys, broken, a) | _cells(keys, broken, b)
    return out


def csv_formats(run: RunData, agency: str, spec: Table, t: pa.Table) -> Cells:
    """Dates of the CSV mirror not written as ISO ``YYYY-MM-DD``."""
    names = [n for n in date_columns(spec, t) if pa.types.is_date32(t.schema.field(n).type)]
    folder = csv_dir(run.path, agency, spec.name)
    if not names or not folder.is_dir():
        return set()
    frame = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in csv_parts(folder)],
                      ignore_index=True)
    keys = frame[spec.key].astype(str).agg("|".join, axis=1).to_numpy(dtype=object)
    out: Cells = set()
    for n in names:
        text = frame[n]
        out |= _cells(keys, ((text != "") & ~text.str.match(ISO)).to_numpy(), n)
    return out


def near_duplicates(spec: Table, t: pa.Table, keys: np.ndarray) -> Cells:
    """Rows equal to an earlier one on every other column after trimming and case-folding, or one day later."""
    if len(spec.key) != 1 or not t.num_rows:
        return set()
    df = t.drop_columns([k for k in spec.key if k in t.column_names]).to_pandas()
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].map(lambda v: v.strip().casefold() if isinstance(v, str) else v)
    df = df.astype(str)
    hit = df.duplicated(keep="first").to_numpy()  # the later copy: the row a cleaner drops
    for n in date_columns(spec, t):
        others = df.drop(columns=[n]).agg("|".join, axis=1)
        day = pd.Series(_days(t.column(n)))
        here = others + "|" + day.astype(str)
        hit |= (others + "|" + (day - 1).astype(str)).isin(set(here)).to_numpy() & day.notna().to_numpy()
    return _cells(keys, hit, spec.key[0])


def flags(run: RunData) -> dict[str, Cells]:
    """Every detector's flagged cells over the run's agency tables, keyed ``agency/table``."""
    out: dict[str, Cells] = {}
    for akey, agency in run.profile.agencies.items():
        for tkey, spec in agency.tables.items():
            if not run.has(akey, spec.name) or spec.rows in REFERENCE_SOURCES:
                continue  # reference tables (the same in every run) are never dirtied
            t = _arrow(run, akey, tkey)
            keys = row_keys(t, [k for k in spec.key if k in t.column_names])
            out[f"{akey}/{spec.name}"] = (orphans(run, akey, spec, t, keys) | missing(spec, t, keys) |
                                          off_list(spec, t, keys) | noisy(spec, t, keys) |
                                          dates(run, spec, t, keys) | csv_formats(run, akey, spec, t) |
                                          near_duplicates(spec, t, keys))
    return out


@check("integrity", "planted_faults_found")
def planted_faults_found(run: RunData) -> Iterator[CheckResult]:
    """Recall of the data-quality detectors on the faults a --dirty run planted (truth/quality_issues)."""
    level = int(run.manifest.get("dirty_level") or 0)
    if not level:
        yield CheckResult.skipped("integrity", "planted_faults_found", "not a --dirty run (no faults planted)")
        return
    log = run.truth("quality_issues")
    flagged = flags(run)
    found = np.array([(k, c) in flagged.get(f"{a}/{t}", set()) for a, t, k, c in
                      zip(log["agency"], log["table"], log["row_key"], log["column"])], dtype=bool)
    for fault in FAULTS:
        mine = (log["fault"] == fault).to_numpy()
        n, k = int(mine.sum()), int((mine & found).sum())
        if not n:
            continue
        recall = k / n
        missed = log.loc[mine & ~found, ["agency", "table", "row_key", "column"]].head(5)
        yield CheckResult("integrity", "planted_faults_found", recall >= RECALL_FLOOR[fault], column=fault,
                          violations=n - k, examples=[tuple(r) for r in missed.itertuples(index=False)],
                          statistic={"name": "recall", "value": round(recall, 4), "found": k, "planted": n,
                                     "floor": RECALL_FLOOR[fault]},
                          detail=f"{k} of {n} planted {fault} faults flagged by a detector (level {level})")
    logged = {(f"{a}/{t}", k, c) for a, t, k, c in zip(log["agency"], log["table"], log["row_key"], log["column"])}
    total = sum(len(v) for v in flagged.values())
    true = sum((table, k, c) in logged for table, cells in flagged.items() for k, c in cells)
    yield CheckResult("integrity", "planted_faults_found", True, column="(all detectors)", violations=total - true,
                      statistic={"name": "precision", "value": round(true / total, 4) if total else 1.0,
                                 "flagged": total, "planted": true},
                      detail=f"{total} cells flagged, {true} of them planted faults (the rest: odd but clean data)")
