"""Shared fixtures: generated runs are made once per session and read by many tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from synth.pipeline import generate
from synth.profile.loader import load_profile
from synth.world.schema import TRUTH_TABLES

#: Families in the run the statistical tests measure (fixed seed).
QUALITY_FAMILIES = 20_000


class Run:
    """A generated run folder with lazy table access."""

    def __init__(self, path: Path, loaded):
        self.path = path
        self.loaded = loaded
        self.profile = loaded.profile
        self._cache: dict[str, pd.DataFrame] = {}

    def truth(self, name: str) -> pd.DataFrame:
        return self.table("truth", name)

    def table(self, folder: str, name: str) -> pd.DataFrame:
        key = f"{folder}/{name}"
        if key not in self._cache:
            self._cache[key] = pd.read_parquet(self.path / folder / name)  # a folder of parts (synth.layout)
        return self._cache[key]

    def agency_tables(self):
        """Yield (agency key, table key, Table spec, DataFrame) for every agency table."""
        for akey, agency in self.profile.agencies.items():
            for tkey, spec in agency.tables.items():
                yield akey, tkey, spec, self.table(akey, spec.name)


def make_run(tmp_path_factory, profile: str, families: int, seed: int | None = None, **kw) -> Run:
    loaded = load_profile(profile)
    out = tmp_path_factory.mktemp(f"{profile}-{families}") / "run"
    generate(loaded, out, families=families, seed=seed, **kw)
    return Run(out, loaded)


@pytest.fixture(scope="session")
def quality_run(tmp_path_factory) -> Run:
    """The default profile at a size where statistical tests have power (fixed seed)."""
    return make_run(tmp_path_factory, "england_wales", QUALITY_FAMILIES)


@pytest.fixture(scope="session")
def shipped_runs(tmp_path_factory) -> dict[str, Run]:
    """Every shipped profile, generated small."""
    return {name: make_run(tmp_path_factory, name, 1500) for name in ("england_wales", "wales_sail", "training_small")}


__all__ = ["Run", "make_run", "TRUTH_TABLES"]
