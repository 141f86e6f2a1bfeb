"""The run manifest: what was generated, from what, with which versions, and how long it took."""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path

from synth.export.destinations import GENERATOR

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
