"""A clean and a dirty run of one profile and seed, made once for the tests of synth.dirty."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from synth.pipeline import generate
from synth.profile.loader import load_profile

FAMILIES, SEED = 600, 11


@pytest.fixture(scope="session")
def pair(tmp_path_factory) -> tuple[Path, Path]:
    """``(clean, dirty)``: training_small, 600 families, seed 11, Parquet and CSV; the dirty one at level 3."""
    loaded = load_profile("training_small")
    base = tmp_path_factory.mktemp("dirty")
    for name, level in (("clean", 0), ("dirty", 3)):
        generate(loaded, base / name, families=FAMILIES, seed=SEED, formats=("parquet", "csv"), duckdb=False,
                 dirty=level)
    return base / "clean", base / "dirty"


def read(run: Path, folder: str, name: str) -> pa.Table:
    """A table's Parquet parts, in shard order."""
    return ds.dataset(run / folder / name, format="parquet").to_table()
