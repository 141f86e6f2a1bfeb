"""The run manifest: what was generated, from what, with which versions, and how long it took."""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

from synth.export.destinations import GENERATOR
from synth.layout import csv_dir, csv_part_name, parquet_part_name, table_dir

PACKAGES = ("numpy", "pandas", "pyarrow", "duckdb", "faker", "pydantic", "pyyaml", "click")


def package_version(name: str) -> str | None:
    """Installed version of a distribution, or None."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def synth_version() -> str:
    """This package's version."""
    return package_version("family-justice-synth") or "0+unknown"


def file_sha256(path: Path, block: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (read in blocks)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(block):
            h.update(chunk)
    return h.hexdigest()


def list_parts(run: Path, keys: Iterable[str], part_rows: Mapping[str, list[int]],
               formats: Iterable[str]) -> list[dict]:
    """Every part file of the run: ``{"table", "format", "path", "rows", "sha256"}``, tables in writing order.

    Args:
        run: the run (or staging) folder.
        keys: output tables as ``folder/name``.
        part_rows: rows of each table's parts, in shard order (the shards report them).
        formats: the formats written (``parquet`` and/or ``csv``).
    """
    out = []
    for key in keys:
        folder, name = key.split("/", 1)
        for fmt in ("parquet", "csv"):
            if fmt not in formats:
                continue
            for shard, rows in enumerate(part_rows[key]):
                path = (table_dir(run, folder, name) / parquet_part_name(shard) if fmt == "parquet"
                        else csv_dir(run, folder, name) / csv_part_name(name, shard))
                out.append({"table": key, "format": fmt, "path": path.relative_to(run).as_posix(), "rows": rows,
                            "sha256": file_sha256(path)})
    return out


def write_manifest(path: Path, content: dict) -> None:
    """Write ``manifest.json`` with the generator marker and package versions added.

    The ``generator`` field marks the folder as a synth output, which ``--force`` may replace
    (:func:`synth.export.staging.is_synth_output`).
    """
    body = {"generator": GENERATOR, **content}
    body["synth_version"] = synth_version()
    body["python"] = platform.python_version()
    body["packages"] = {p: package_version(p) for p in PACKAGES}
    path.write_text(json.dumps(body, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")
