"""Where the linkage tools write: the output file's name checked, then written through the staged writer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from synth.errors import OutputError
from synth.export.staging import staged_files


def output_path(path: str | Path, force: bool = False) -> tuple[Path, str]:
    """Check an output file name: ``(path, "parquet" | "csv")``.

    Raises:
        OutputError: for another extension, a folder that does not exist, or an existing file
            without ``force``.
    """
    path = Path(path)
    fmt = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}.get(path.suffix.lower())
    if fmt is None:
        raise OutputError(f"--out {path}: unknown extension '{path.suffix}'; end the name in .parquet or .csv")
    if not path.parent.is_dir():
        raise OutputError(f"--out {path}: folder {path.parent} does not exist; create it first")
    if path.is_dir():
        raise OutputError(f"--out {path}: is a folder; give a file name ending in .parquet or .csv")
    if path.exists() and not force:
        raise OutputError(f"--out {path}: already exists; add --force to overwrite it")
    return path, fmt


@contextmanager
def staged(path: Path, force: bool = True) -> Iterator[Path]:
    """Yield where to write ``path``; it is moved into place when the block ends without error.

    Written through the staged writer (:func:`synth.export.staging.staged_files`): a failure or a
    signal leaves neither a partial ``path`` nor the staging folder. ``force`` defaults to True
    because :func:`output_path` has already refused an existing file without ``--force``.
    """
    with staged_files([path], force=force) as folder:
        yield folder / path.name
