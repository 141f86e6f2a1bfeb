"""Truth keys checked without a hash table: ids that grow through the run are unique.

The truth tables' ids are allocated per shard in increasing blocks and written in that order, so
reading an id column part by part and finding it strictly increasing (and never blank) proves it
unique, and a sorted array of a table's ids answers "does this reference resolve" by binary search.
These are fast paths only: a column that is not strictly increasing, or any reference that does not
resolve, sends the check to its DuckDB query (synth.validate.integrity), which counts and names the
offending rows; so the results are those of the query in every case.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from synth.layout import is_csv_dir, parquet_parts
from synth.validate.core import RunData


def increasing_ids(run: RunData, name: str, column: str) -> np.ndarray | None:
    """A truth table's integer ``column`` over its parts in run order, when strictly increasing and never
    blank; otherwise None."""
    path = run.file("truth", name)
    if path is None or is_csv_dir(path):
        return None
    arrays = []
    for part in parquet_parts(path):
        col = pq.read_table(part, columns=[column]).column(0)
        if col.null_count or not pa.types.is_integer(col.type):
            return None
        arrays.append(col.to_numpy())
    ids = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
    if len(ids) > 1 and not bool((ids[1:] > ids[:-1]).all()):
        return None
    return ids


def all_resolve(run: RunData, name: str, column: str, ref_ids: np.ndarray) -> bool:
    """Whether every non-blank integer value of a truth table's ``column`` is in the sorted ``ref_ids``."""
    path = run.file("truth", name)
    if path is None or is_csv_dir(path):
        return False
    for part in parquet_parts(path):
        col = pq.read_table(part, columns=[column]).column(0)
        if not pa.types.is_integer(col.type):
            return False
        values = col.drop_null().to_numpy()
        if not len(values):
            continue
        if not len(ref_ids):
            return False
        at = np.minimum(np.searchsorted(ref_ids, values), len(ref_ids) - 1)
        if not bool((ref_ids[at] == values).all()):
            return False
    return True
