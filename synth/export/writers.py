"""Streaming table writers with fixed row-group boundaries.

Rows arrive shard by shard; Parquet row groups are cut every ``ROW_GROUP_ROWS`` rows whatever the
block size, so the same rows always give byte-identical files. CSV is written with one header and
ISO dates. Every Parquet file carries the run's synthetic-data labels as key-value metadata
(:mod:`synth.export.labels`); where parts go is :mod:`synth.layout`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from synth.layout import csv_dir, csv_part_name, parquet_part_name, table_dir

ROW_GROUP_ROWS = 131_072


def part_path(run: Path, key: str, shard: int, csv: bool = False) -> Path:
    """Where shard ``shard`` of table ``key`` (``folder/name``) is written in the run folder ``run``.

    Parquet: ``<run>/<folder>/<name>/part-NNNNN.parquet``; CSV (``csv``):
    ``<run>/csv/<folder>/<name>/SYNTHETIC_<name>_part-NNNNN.csv`` (:mod:`synth.layout`).
    """
    folder, name = key.split("/", 1)
    if csv:
        return csv_dir(run, folder, name) / csv_part_name(name, shard)
    return table_dir(run, folder, name) / parquet_part_name(shard)


class TableWriter:
    """Append Arrow tables; write Parquet (always) and CSV (optionally) incrementally.

    Args:
        path: the Parquet file to write.
        schema: the table's Arrow schema.
        csv: also write CSV to this file (None: no CSV).
        metadata: key-value metadata written into the Parquet file's footer (the synthetic labels).
    """

    def __init__(self, path: Path, schema: pa.Schema, csv: Path | None = None,
                 metadata: Mapping[str, str] | None = None) -> None:
        self.path = path
        self.schema = schema
        self.rows = 0
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        # Dictionary-encode text only: on unique ids and dates it is wasted work and larger files.
        text = [f.name for f in schema if pa.types.is_string(f.type)]
        labelled = schema.with_metadata(dict(metadata)) if metadata else schema
        self._pq = pq.ParquetWriter(path, labelled, compression="zstd", compression_level=1, write_statistics=True,
                                    use_dictionary=text)
        if csv is not None:
            csv.parent.mkdir(parents=True, exist_ok=True)
        self._csv = pacsv.CSVWriter(csv, schema) if csv is not None else None

    def write(self, table: pa.Table) -> None:
        """Append rows (already in the writer's schema)."""
        if table.num_rows == 0:
            return
        self._buffer.append(table)
        self._buffered += table.num_rows
        self.rows += table.num_rows
        if self._buffered >= ROW_GROUP_ROWS:
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        if not self._buffer:
            return
        data = pa.concat_tables(self._buffer)
        cut = data.num_rows if final else (data.num_rows // ROW_GROUP_ROWS) * ROW_GROUP_ROWS
        for start in range(0, cut, ROW_GROUP_ROWS):
            part = data.slice(start, min(ROW_GROUP_ROWS, cut - start))
            self._pq.write_table(part, row_group_size=ROW_GROUP_ROWS)
            if self._csv is not None:
                self._csv.write_table(part)
        rest = data.slice(cut)
        self._buffer = [rest] if rest.num_rows else []
        self._buffered = rest.num_rows

    def close(self) -> None:
        """Write what is buffered and close the files (an empty table still gets its schema)."""
        self._flush(final=True)
        self._pq.close()
        if self._csv is not None:
            self._csv.close()

    def abort(self) -> None:
        """Close without flushing (used on failure; the folder is discarded)."""
        try:
            self._pq.close()
            if self._csv is not None:
                self._csv.close()
        except Exception:  # noqa: BLE001 - best effort on an already failing run
            pass

