"""One agency table being dirtied: its Arrow table, row keys, touched cells and the log of faults.

Every fault module works through a :class:`DirtyTable`: it asks which cells are eligible, draws
the rows with :func:`pick`, and calls :meth:`DirtyTable.set` (Parquet and CSV) or
:meth:`DirtyTable.set_csv` (the CSV mirror only). Each call logs one row per changed cell with the
cell's clean and dirty values as text, so the log is exactly the set of changed cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from synth.profile.models import Column, Table

#: A day-first text date, as File 1 writes DATE_OF_BIRTH and CREATE_DATE (``18.07.2016``).
DOTTED_DATE = re.compile(r"^\d{2}\.\d{2}\.\d{4}$")
#: Postcode and person-name columns (whitespace and case noise).
NOISY_NAME = re.compile(r"(?i)(postcode|_post$|surname|forename|first_name|given_name)")
#: Text columns holding dates (File 1's day-first dates).
TEXT_DATE_NAME = re.compile(r"(?i)(date|dob)")


def key_text(table: pa.Table, key: list[str]) -> pa.Array:
    """Each row's key values as text joined by ``|`` (dates ISO; an empty key part is empty text), in Arrow."""
    if not key or table.num_rows == 0:
        return pa.array([""] * table.num_rows, pa.string())
    parts = [pc.fill_null(table.column(k).cast(pa.string()), "") for k in key]
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "|")
    return joined.combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined


def row_keys(table: pa.Table, key: list[str]) -> np.ndarray:
    """:func:`key_text` as a numpy array of str (the ``row_key`` of truth/quality_issues)."""
    return np.asarray(key_text(table, key).to_pylist(), dtype=object)


def as_text(values: pa.Array | pa.ChunkedArray) -> list[str | None]:
    """Values as the log writes them: text, ISO dates, null for an empty cell."""
    return values.cast(pa.string()).to_pylist()


def pick(rng: np.random.Generator, eligible: np.ndarray, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows drawn with probability ``rate`` and, for each, one of its eligible columns at random.

    Args:
        rng: the fault's stream for this table.
        eligible: ``rows x columns`` booleans (which cells may take the fault).
        rate: share of rows drawn.

    Returns:
        ``(rows, columns)``: the drawn rows that have an eligible cell, ascending, and the column
        index chosen in each. The draws have a fixed size (every row, every cell), so the same
        table always gives the same choice.
    """
    n, k = eligible.shape
    drawn = rng.random(n) < rate
    score = rng.random((n, k)) * eligible
    rows = np.flatnonzero(drawn & eligible.any(axis=1))
    return rows, score[rows].argmax(axis=1) if k else np.zeros(0, dtype=np.int64)


@dataclass
class DirtyTable:
    """An agency table of one shard while faults are planted in it.

    Attributes:
        agency: the agency key.
        spec: the table's declaration.
        table: the current Arrow table (Parquet and CSV).
        keys: each row's key text (from the clean values; keys are never dirtied).
        csv_text: CSV-only changes: column -> (row positions, text written instead).
        touched: column -> rows whose cell already has a fault.
        log: one dict of equal-length lists per planting call.
    """

    agency: str
    spec: Table
    table: pa.Table
    keys: pa.Array = field(init=False)
    csv_text: dict[str, tuple[np.ndarray, list[str]]] = field(default_factory=dict)
    touched: dict[str, np.ndarray] = field(default_factory=dict)
    log: list[dict[str, list]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.keys = key_text(self.table, self.spec.key)

    def key_of(self, rows: np.ndarray) -> list[str]:
        """The key text of rows (read only for the rows a fault touches: the log stays cheap)."""
        return self.keys.take(pa.array(rows, pa.int64())).to_pylist()

    @property
    def n(self) -> int:
        """Rows."""
        return self.table.num_rows

    def columns(self) -> list[Column]:
        """The declared columns that are not part of the key (keys are never dirtied)."""
        return [c for c in self.spec.columns if c.name not in self.spec.key and c.name in self.table.column_names]

    def type_of(self, name: str) -> pa.DataType:
        """Arrow type of a column."""
        return self.table.schema.field(name).type

    def free(self, name: str) -> np.ndarray:
        """Rows whose cell in ``name`` is not null and has no fault yet."""
        col = self.table.column(name)
        ok = ~np.asarray(col.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        return ok & ~self.touched.get(name, np.zeros(self.n, dtype=bool))

    def _mark(self, name: str, rows: np.ndarray) -> None:
        mask = self.touched.setdefault(name, np.zeros(self.n, dtype=bool))
        mask[rows] = True

    def _log(self, name: str, rows: np.ndarray, fault: str, clean: list, dirty: list) -> None:
        self.log.append({"agency": [self.agency] * len(rows), "table": [self.spec.name] * len(rows),
                         "row_key": self.key_of(rows), "column": [name] * len(rows),
                         "fault": [fault] * len(rows), "clean_value": clean, "dirty_value": dirty})

    def set(self, name: str, rows: np.ndarray, values: pa.Array, fault: str) -> None:
        """Replace the cells of ``name`` at ``rows`` (ascending) with ``values`` and log them."""
        if not len(rows):
            return
        col = self.table.column(name).combine_chunks()
        values = values.cast(col.type)
        clean = as_text(col.take(pa.array(rows)))
        mask = np.zeros(self.n, dtype=bool)
        mask[rows] = True
        new = pc.replace_with_mask(col, pa.array(mask), values)
        self.table = self.table.set_column(self.table.column_names.index(name), name, new)
        self._mark(name, rows)
        self._log(name, rows, fault, clean, as_text(values))

    def set_csv(self, name: str, rows: np.ndarray, text: list[str], fault: str) -> None:
        """Write ``text`` instead of the cells of ``name`` at ``rows`` in the CSV mirror only, and log them."""
        if not len(rows):
            return
        clean = as_text(self.table.column(name).take(pa.array(rows)))
        self.csv_text[name] = (rows, text)
        self._mark(name, rows)
        self._log(name, rows, fault, clean, text)

    def csv_table(self) -> pa.Table:
        """The table as the CSV mirror writes it: columns with CSV-only faults as text."""
        table = self.table
        for name, (rows, text) in self.csv_text.items():
            i = table.column_names.index(name)
            col = table.column(name).cast(pa.string()).combine_chunks()
            mask = np.zeros(table.num_rows, dtype=bool)
            mask[rows] = True
            table = table.set_column(i, name, pc.replace_with_mask(col, pa.array(mask), pa.array(text, pa.string())))
        return table
