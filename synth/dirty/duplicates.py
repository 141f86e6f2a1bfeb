"""Duplicate rows with small differences: a record entered twice.

A drawn row is copied right after itself with a new key, as a case system gives a re-keyed record,
and one small difference: whitespace or case noise in a postcode or name when the table has one,
else a date one day later. Only tables keyed by one integer column or one text column of digits
(File 1 SYSTEM_ID) get duplicates: a composite key (903 YEAR|CHILD) has no new value that would
keep the row meaningful.

The duplicate's id is ``DUPLICATE_BASE`` + a keyed mix of the original's (48 bits): above every
id synth makes (agency ids are keyed bijections below 2**48 + 2), distinct for distinct originals,
and below the orphan references of :mod:`synth.dirty.orphans`. The log holds one row per
duplicate: its key as ``row_key``, the key column as ``column``, the original's key as
``clean_value`` and its own as ``dirty_value``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from synth.dirty.dates import date_columns
from synth.dirty.frame import DirtyTable, key_text
from synth.dirty.text import noise, noisy_columns
from synth.keys import mix48

DUPLICATE_BASE = 2**48 + 2


def duplicate_key(t: DirtyTable) -> str | None:
    """The key column a duplicate can be given a new value in, or None."""
    if len(t.spec.key) != 1 or t.spec.key[0] not in t.table.column_names:
        return None
    name = t.spec.key[0]
    typ = t.type_of(name)
    if pa.types.is_integer(typ):
        return name
    if pa.types.is_string(typ):
        digits = pc.match_substring_regex(t.table.column(name), r"^\d{1,15}$")
        return name if t.n and bool(pc.all(pc.fill_null(digits, False)).as_py()) else None
    return None


def duplicate_row(t: DirtyTable, rng: np.random.Generator, rate: float, key: int) -> None:
    """Insert a re-keyed copy, with one small difference, after each drawn row.

    Args:
        t: the table.
        rng: its stream for this fault.
        rate: share of rows copied.
        key: the run's key of the new ids (so two seeds do not share them).
    """
    name = duplicate_key(t)
    if name is None or not t.n:
        return
    drawn = np.flatnonzero(rng.random(t.n) < rate)
    draws = rng.random(len(drawn))
    if not len(drawn):
        return
    originals = t.table.column(name).take(pa.array(drawn))
    numbers = np.asarray(originals.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)
    new_ids = mix48(numbers.astype(np.uint64), key).astype(np.int64) + DUPLICATE_BASE
    copies = t.table.take(pa.array(drawn))
    copies = copies.set_column(copies.column_names.index(name), name,
                               pa.array(new_ids, pa.int64()).cast(t.type_of(name)))
    copies = _differ(t, copies, draws)
    # each copy right after its original: originals at even slots of the interleaved order
    order = np.argsort(np.concatenate([np.arange(t.n) * 2, drawn * 2 + 1]), kind="stable")
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    t.table = pa.concat_tables([t.table, copies]).take(pa.array(order))
    new_keys = key_text(copies, t.spec.key)
    t.log.append({"agency": [t.agency] * len(drawn), "table": [t.spec.name] * len(drawn),
                  "row_key": new_keys.to_pylist(), "column": [name] * len(drawn),
                  "fault": ["duplicate_row"] * len(drawn), "clean_value": t.key_of(drawn),
                  "dirty_value": new_keys.to_pylist()})
    t.keys = pa.concat_arrays([t.keys, new_keys]).take(pa.array(order))
    t.csv_text = {c: (position[rows], text) for c, (rows, text) in t.csv_text.items()}
    t.touched = {c: np.concatenate([m, np.ones(len(drawn), dtype=bool)])[order] for c, m in t.touched.items()}


def _differ(t: DirtyTable, copies: pa.Table, draws: np.ndarray) -> pa.Table:
    """The copies with one small difference: noise in a postcode or name, else a date one day on."""
    for name in noisy_columns(t):
        col = copies.column(name)
        if col.null_count == len(col):
            continue
        values = col.to_pylist()
        noisy = [v if v is None else n for v, n in zip(values, noise([v or "" for v in values], draws))]
        return copies.set_column(copies.column_names.index(name), name, pa.array(noisy, pa.string()))
    for name in date_columns(t):
        col = copies.column(name)
        if col.null_count < len(col):
            days = pc.add(col.cast(pa.int32()), pa.scalar(1, pa.int32())).cast(pa.date32())
            return copies.set_column(copies.column_names.index(name), name, days)
    return copies
