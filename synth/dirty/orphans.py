"""Orphan foreign keys: a reference to a parent row that does not exist.

Only single-column foreign keys outside the table's own key are broken (a key is never dirtied).
An integer reference becomes a value above every id synth makes (agency ids are keyed bijections
below 2**48 + 2, duplicate rows' ids sit in (2**48, 2**49], :mod:`synth.dirty.duplicates`), so it
can never resolve, in this shard or any other. A text reference (a FamilyMan case number) gets its
last character changed, and is kept only if no parent row of the shard has that value (the
parents of a family's rows are in the family's shard).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from synth.dirty.frame import DirtyTable, pick
from synth.keys import mix48

#: Orphan integer references are ORPHAN_BASE + a keyed mix of the clean value (48 bits).
ORPHAN_BASE = 2**49 + 1
#: The next character for a changed last character of a text reference.
NEXT = str.maketrans("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "1234567890BCDEFGHIJKLMNOPQRSTUVWXYZA")


def orphan_columns(t: DirtyTable, parents: dict[str, pa.Table]) -> list[tuple[str, str]]:
    """``(column, referenced column)`` of each single-column foreign key outside the key whose parent is held."""
    out = []
    for fk in t.spec.foreign_keys:
        if len(fk.columns) == 1 and fk.columns[0] not in t.spec.key and fk.references in parents:
            col = fk.columns[0]
            if col in t.table.column_names and (pa.types.is_integer(t.type_of(col)) or
                                                pa.types.is_string(t.type_of(col))):
                out.append((col, fk.references))
    return out


def orphan_foreign_key(t: DirtyTable, rng: np.random.Generator, rate: float, parents: dict[str, pa.Table],
                       key: int) -> None:
    """Point drawn references at parent rows that do not exist.

    Args:
        t: the table.
        rng: its stream for this fault.
        rate: share of rows.
        parents: the agency's clean tables of this shard by table key (the referenced ones).
        key: the run's key of the orphan values (so two seeds do not share them).
    """
    fks = orphan_columns(t, parents)
    if not fks or not t.n:
        return
    rows, cols = pick(rng, np.column_stack([t.free(c) for c, _ in fks]), rate)
    for j, (name, ref) in enumerate(fks):
        at = rows[cols == j]
        if not len(at):
            continue
        clean = t.table.column(name).take(pa.array(at))
        if pa.types.is_integer(clean.type):
            mixed = mix48(np.asarray(clean.to_numpy(zero_copy_only=False), dtype=np.int64).astype(np.uint64), key)
            t.set(name, at, pa.array(mixed.astype(np.int64) + ORPHAN_BASE, pa.int64()), "orphan_foreign_key")
            continue
        spec_ref = parents[ref]
        ref_col = next(fk.ref_columns[0] for fk in t.spec.foreign_keys if fk.columns == [name])
        held = set(spec_ref.column(ref_col).to_pylist()) if ref_col in spec_ref.column_names else set()
        new = [v[:-1] + v[-1].upper().translate(NEXT) if v else v for v in clean.to_pylist()]
        keep = np.array([v not in held and v != old for v, old in zip(new, clean.to_pylist())], dtype=bool)
        t.set(name, at[keep], pa.array([v for v, k in zip(new, keep) if k], pa.string()), "orphan_foreign_key")
