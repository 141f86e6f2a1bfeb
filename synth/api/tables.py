"""Where a run keeps each table's rows, and reading them (one file or a folder of parts, Parquet or CSV).

A table ``<agency>/<table>`` of a run folder is found, in this order, as

* a folder ``<agency>/<table>/`` of Parquet parts (``part-00000.parquet`` ...);
* for a CSV-only run, a folder ``csv/<agency>/<table>/`` of CSV parts (``SYNTHETIC_<table>_part-00000.csv``),
  or CSV parts in ``<agency>/<table>/``;
* ``<agency>/<table>.parquet``, a file or a folder of parts (the layout before issue 15);
* ``<agency>/<table>.csv`` or ``<agency>/SYNTHETIC_<table>.csv``.

Parts are read in name order, so a table's rows come back in the order the run wrote them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa

from synth.errors import InputError

#: The folder of a run holding the CSV mirror of its Parquet tree (synth.layout).
CSV_ROOT = "csv"


class UnknownTableError(InputError, KeyError):
    """A table name the run does not have (also a ``KeyError``, so ``name in run.truth`` works)."""

    def __str__(self) -> str:
        return Exception.__str__(self)


def table_files(run_dir: Path, key: str) -> tuple[str, list[Path]]:
    """The format (``parquet`` or ``csv``) and the files, in order, holding table ``key`` of a run.

    Args:
        run_dir: the run folder.
        key: ``<agency>/<table>`` (the agency's folder name, e.g. ``familyman/cases``, ``truth/person``).

    Returns:
        ``(format, files)``; ``files`` is empty when the run has no rows on disk for ``key``.
    """
    folder, _, name = key.partition("/")
    base = run_dir / folder
    table_dir = base / name
    if table_dir.is_dir():
        for fmt in ("parquet", "csv"):
            files = sorted(table_dir.rglob(f"*.{fmt}"))
            if files:
                return fmt, files
    csv_dir = run_dir / CSV_ROOT / folder / name
    if csv_dir.is_dir() and any(csv_dir.glob("*.csv")):
        return "csv", sorted(csv_dir.glob("*.csv"))
    pq = base / f"{name}.parquet"
    if pq.is_file():
        return "parquet", [pq]
    if pq.is_dir():
        return "parquet", sorted(pq.rglob("*.parquet"))
    for csv in (base / f"{name}.csv", base / f"SYNTHETIC_{name}.csv"):
        if csv.is_file():
            return "csv", [csv]
    return "parquet", []


def read_arrow(fmt: str, files: Sequence[Path], columns: Sequence[str] | None = None) -> pa.Table:
    """The rows of ``files`` as one Arrow table (only ``columns`` when given).

    Raises:
        InputError: when a file cannot be read or a column is not in the table.
    """
    try:
        if fmt == "parquet":
            import pyarrow.dataset as ds

            return ds.dataset([str(f) for f in files], format="parquet").to_table(
                columns=list(columns) if columns is not None else None)
        import pyarrow.csv as pacsv

        parts = [pacsv.read_csv(f) for f in files]
        table = pa.concat_tables(parts, promote_options="permissive") if len(parts) > 1 else parts[0]
        return table.select(list(columns)) if columns is not None else table
    except (pa.ArrowException, OSError, KeyError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(f"{files[0].parent}: cannot read the table ({type(e).__name__}: {first}); "
                         "check the column names or regenerate the run") from None


def read_pandas(fmt: str, files: Sequence[Path], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The rows of ``files`` as one DataFrame (Parquet through Arrow; CSV with pandas' type inference).

    Raises:
        InputError: when a file cannot be read or a column is not in the table.
    """
    if fmt == "parquet":
        return read_arrow(fmt, files, columns).to_pandas()
    try:
        frames = [pd.read_csv(f, usecols=list(columns) if columns is not None else None, low_memory=False)
                  for f in files]
    except (ValueError, OSError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(f"{files[0].parent}: cannot read the table ({first}); "
                         "check the column names or regenerate the run") from None
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
