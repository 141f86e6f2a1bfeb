"""Truth keys checked without a hash table: ids that grow through the run are unique.

The truth tables' ids are allocated per shard in increasing blocks and written in that order, so
reading an id column part by part and finding it strictly increasing (and never blank) proves it
unique, and a sorted array of a table's ids answers "does this reference resolve" by a lookup.
These are fast paths only: a column that is not strictly increasing, or any reference that does not
resolve, sends the check to its DuckDB query (synth.validate.integrity), which counts and names the
offending rows; so the results are those of the query in every case.
"""

from __future__ import annotations

import weakref

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds

from synth.layout import is_csv_dir, parquet_parts
from synth.validate.core import RunData

#: Largest id range looked up in a table of flags (bytes); wider ranges use binary search.
MAX_FLAGS = 64_000_000

_IDS: weakref.WeakKeyDictionary[RunData, dict[tuple[str, str], np.ndarray | None]] = weakref.WeakKeyDictionary()


def _column(run: RunData, name: str, column: str) -> pa.ChunkedArray | None:
    """A truth table's column over its parts in run order (None for a CSV-only or missing table)."""
    path = run.file("truth", name)
    if path is None or is_csv_dir(path):
        return None
    parts = [str(p) for p in parquet_parts(path)]
    return ds.dataset(parts, format="parquet").to_table(columns=[column]).column(0)


def increasing_ids(run: RunData, name: str, column: str) -> np.ndarray | None:
    """A truth table's integer ``column`` over its parts in run order, when strictly increasing and never
    blank; otherwise None (remembered for the run)."""
    known = _IDS.setdefault(run, {})
    if (name, column) not in known:
        col = _column(run, name, column)
        ids = None
        if col is not None and not col.null_count and pa.types.is_integer(col.type):
            ids = col.to_numpy()
            if len(ids) > 1 and not bool((ids[1:] > ids[:-1]).all()):
                ids = None
        known[(name, column)] = ids
    return known[(name, column)]


def all_resolve(run: RunData, name: str, column: str, ref_ids: np.ndarray) -> bool:
    """Whether every non-blank integer value of a truth table's ``column`` is in the sorted ``ref_ids``."""
    col = _column(run, name, column)
    if col is None or not pa.types.is_integer(col.type):
        return False
    values = col.drop_null().to_numpy()
    if not len(values):
        return True
    if not len(ref_ids):
        return False
    lo, hi = int(ref_ids[0]), int(ref_ids[-1])
    if values.min() < lo or values.max() > hi:
        return False
    if hi - lo < MAX_FLAGS:
        flags = np.zeros(hi - lo + 1, dtype=bool)
        flags[ref_ids - lo] = True
        return bool(flags[values - lo].all())
    at = np.searchsorted(ref_ids, values)
    return bool((ref_ids[at] == values).all())
