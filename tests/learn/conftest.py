"""Fixtures for ``synth learn``: a generated run plays the real extract (a seed unlike the profile's)."""

from __future__ import annotations

import shutil

import pytest
from conftest import make_run

from synth.learn import learn

FAMILIES = 4000
SEED = 7


@pytest.fixture(scope="session")
def source_run(tmp_path_factory):
    """The "real" data: england_wales, seed 7, Parquet + CSV + DuckDB."""
    return make_run(tmp_path_factory, "england_wales", FAMILIES, seed=SEED, duckdb=True, formats=("parquet", "csv"))


@pytest.fixture(scope="session")
def england_parquet(source_run, tmp_path_factory):
    """The cafcass_england tables alone, as Parquet (a copy tests may alter)."""
    folder = tmp_path_factory.mktemp("england_parquet") / "cafcass_england"
    folder.mkdir()
    for p in (source_run.path / "cafcass_england").iterdir():
        if p.is_dir():  # a table: a folder of parts (synth.layout), copied as one Parquet file
            shutil.copy(p / "part-00000.parquet", folder / f"{p.name}.parquet")
    return folder


@pytest.fixture(scope="session")
def learned_england(source_run, tmp_path_factory):
    """Learned from the run's cafcass_england folder."""
    out = tmp_path_factory.mktemp("learned") / "england.yaml"
    return learn(source_run.path / "cafcass_england", "cafcass_england", out)
