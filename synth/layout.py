"""Where a run keeps its tables: one layout at every size (issue 15, point 3).

Every table is a folder of parts, one part per shard, in the Hive-style layout DuckDB, Spark,
pandas and Arrow read natively::

    <run>/<agency>/<table>/part-00000.parquet       (Parquet, the default)
    <run>/csv/<agency>/<table>/SYNTHETIC_<table>_part-00000.csv   (CSV, when asked for)
    <run>/truth/<table>/part-00000.parquet

CSV mirrors the Parquet tree under ``csv/`` rather than sharing its folders, so a reader pointed at
a table folder (``pd.read_parquet``, Spark, ``read_parquet('<table>/*.parquet')``) never meets a file
of the other format. Each CSV part has its own header row and is named ``SYNTHETIC_...`` so a file
copied out on its own still says what it is (docs/layout.md). Bottom layer: every package may use it.
"""

from __future__ import annotations

from pathlib import Path

#: Folder (inside a run) holding the CSV mirror of the Parquet tree.
CSV_ROOT = "csv"
#: The label file written into every agency (and truth) folder.
README_NAME = "README_SYNTHETIC.txt"
#: Prefix of every CSV part's file name.
CSV_PREFIX = "SYNTHETIC_"


def parquet_part_name(shard: int) -> str:
    """File name of shard ``shard``'s Parquet part: ``part-NNNNN.parquet``."""
    return f"part-{shard:05d}.parquet"


def csv_part_name(table: str, shard: int) -> str:
    """File name of shard ``shard``'s CSV part of ``table``: ``SYNTHETIC_<table>_part-NNNNN.csv``."""
    return f"{CSV_PREFIX}{table}_part-{shard:05d}.csv"


def table_dir(run: Path | str, folder: str, name: str) -> Path:
    """The Parquet folder of a table: ``<run>/<folder>/<name>``."""
    return Path(run) / folder / name


def csv_dir(run: Path | str, folder: str, name: str) -> Path:
    """The CSV folder of a table: ``<run>/csv/<folder>/<name>``."""
    return Path(run) / CSV_ROOT / folder / name


def parquet_parts(folder: Path) -> list[Path]:
    """The Parquet parts of a table folder, in shard order (empty when there are none)."""
    return sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []


def csv_parts(folder: Path) -> list[Path]:
    """The CSV parts of a table's CSV folder, in shard order (empty when there are none)."""
    return sorted(folder.glob(f"{CSV_PREFIX}*_part-*.csv")) if folder.is_dir() else []


def find_table(run: Path | str, folder: str, name: str) -> tuple[Path, str] | None:
    """A table's folder and format, Parquet first: ``(folder, "parquet" | "csv")``; None when absent."""
    pq = table_dir(run, folder, name)
    if parquet_parts(pq):
        return pq, "parquet"
    csv = csv_dir(run, folder, name)
    if csv_parts(csv):
        return csv, "csv"
    return None


def is_csv_dir(path: Path) -> bool:
    """Whether a table folder returned by :func:`find_table` holds CSV parts (else Parquet)."""
    return bool(csv_parts(path)) and not parquet_parts(path)


def glob_of(path: Path) -> str:
    """The glob a DuckDB reader takes for a table folder (``*.parquet`` or ``SYNTHETIC_*.csv``)."""
    return str(path / (f"{CSV_PREFIX}*.csv" if is_csv_dir(path) else "*.parquet"))
