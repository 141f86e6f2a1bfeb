"""Runs and packs shared by the exercise tests: a clean and a --dirty training_small run (fixed seeds)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import synth
from synth.exercises.pack import write_pack


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory) -> synth.Run:
    """training_small at its shipped size, seed 7, clean."""
    return synth.generate("training_small", seed=7, out=tmp_path_factory.mktemp("ex-clean") / "run")


@pytest.fixture(scope="session")
def dirty_run(tmp_path_factory) -> synth.Run:
    """training_small, seed 7, --dirty 2 (every exercise can be set)."""
    return synth.generate("training_small", seed=7, dirty=2, out=tmp_path_factory.mktemp("ex-dirty") / "run")


@pytest.fixture(scope="session")
def clean_pack(clean_run, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ex-pack-clean") / "pack"
    write_pack(clean_run.path, out)
    return out


@pytest.fixture(scope="session")
def dirty_pack(dirty_run, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ex-pack-dirty") / "pack"
    write_pack(dirty_run.path, out)
    return out


def key(pack: Path, exercise: str) -> pd.DataFrame:
    """A key as the pack wrote it."""
    return pd.read_csv(pack / "answers" / f"{exercise}.csv", keep_default_na=True)


def same(got: pd.DataFrame, want: pd.DataFrame, by: list[str], atol: float = 1e-9) -> None:
    """Assert two frames hold the same rows (sorted by ``by``), numbers within ``atol``."""
    cols = list(want.columns)
    got = got[cols].sort_values(by).reset_index(drop=True)
    want = want.sort_values(by).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, atol=atol, check_exact=False)
