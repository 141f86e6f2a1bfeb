"""Streaming table writers with fixed row-group boundaries.

Rows arrive shard by shard; Parquet row groups are cut every ``ROW_GROUP_ROWS`` rows whatever the
block size, so the same rows always give byte-identical files. CSV is written with one header and
ISO dates.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROW_GROUP_ROWS = 131_072
#: Folder (inside the run's staging folder) for CSV parts before they are joined into one file.
CSV_PARTS = ".csv-parts"


def part_path(parts_dir: Path, key: str, shard: int, csv: bool = False) -> Path:
    """Where shard ``shard`` of table ``key`` is written under ``parts_dir`` (Parquet, or CSV with ``csv``)."""
    if csv:
        return parts_dir / CSV_PARTS / key / f"part-{shard:05d}.csv"
    return parts_dir / f"{key}.parquet" / f"part-{shard:05d}.parquet"


class TableWriter:
    """Append Arrow tables; write Parquet (always) and CSV (optionally) incrementally.

    Args:
        path: the Parquet file to write (``.csv`` beside it when ``csv`` is true).
        schema: the table's Arrow schema.
        csv: also write CSV.
    """

    def __init__(self, path: Path, schema: pa.Schema, csv: bool = False) -> None:
        self.path = path
        self.schema = schema
        self.rows = 0
        self._buffer: list[pa.Table] = []
        self._buffered = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        # Dictionary-encode text only: on unique ids and dates it is wasted work and larger files.
        text = [f.name for f in schema if pa.types.is_string(f.type)]
        self._pq = pq.ParquetWriter(path, schema, compression="zstd", compression_level=1, write_statistics=True,
                                    use_dictionary=text)
        self._csv = pacsv.CSVWriter(path.with_suffix(".csv"), schema) if csv else None

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


def join_csv_parts(folder: Path, keys: list[str], n_shards: int) -> None:
    """Join each table's CSV parts (in shard order, one header) into ``<key>.csv``; drop the parts.

    Args:
        folder: the run's staging folder; parts are read from ``.csv-parts/<key>/part-NNNNN.csv``.
        keys: output tables as ``folder/name``.
        n_shards: number of shards (parts per table).
    """
    parts_dir = folder / CSV_PARTS
    for key in keys:
        target = folder / f"{key}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            for shard in range(n_shards):
                with part_path(folder, key, shard, csv=True).open("rb") as part:
                    header = part.readline()
                    if shard == 0:
                        out.write(header)
                    shutil.copyfileobj(part, out)
    shutil.rmtree(parts_dir)
