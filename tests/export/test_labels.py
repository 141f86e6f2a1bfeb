"""Labelled synthetic everywhere: Parquet key-value metadata, README_SYNTHETIC.txt, CSV names."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from synth.layout import README_NAME
from synth.pipeline import generate
from synth.profile.loader import load_profile


def _run(root: Path, seed: int) -> Path:
    out = root / f"run{seed}"
    generate(load_profile("training_small"), out, families=200, seed=seed, formats=("parquet", "csv"), duckdb=False)
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    return _run(tmp_path_factory.mktemp("labels"), 5)


def test_every_parquet_file_says_it_is_synthetic(run: Path) -> None:
    loaded = load_profile("training_small")
    files = sorted(run.rglob("*.parquet"))
    assert files
    for f in files:
        meta = pq.read_schema(f).metadata
        assert meta[b"synthetic"] == b"true", f
        assert meta[b"profile"] == b"training_small"
        assert meta[b"seed"] == b"5"
        assert meta[b"profile_sha256"].decode() == loaded.sha256
        assert loaded.sha256 in meta[b"created"].decode()  # from the profile hash, not the clock


def test_readme_in_every_agency_folder_and_csv_names(run: Path) -> None:
    folders = [p for p in run.iterdir() if p.is_dir() and p.name != "csv"]
    folders += [p for p in (run / "csv").iterdir() if p.is_dir()]
    assert folders
    for folder in folders:
        text = (folder / README_NAME).read_text()
        assert text.startswith("SYNTHETIC DATA")
        assert "no real person" in text and "seed:           5" in text and "MIT" in text
    for f in (run / "csv").rglob("*.csv"):
        assert f.name.startswith("SYNTHETIC_"), f
        assert not f.read_text().startswith("#")  # the header row stays first: CSV readers need it


def test_labels_are_deterministic(run: Path, tmp_path: Path) -> None:
    again = _run(tmp_path, 5)
    for f in sorted(run.rglob("part-*.parquet")):
        assert f.read_bytes() == (again / f.relative_to(run)).read_bytes(), f
