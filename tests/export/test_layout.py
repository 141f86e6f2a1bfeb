"""One layout at every size: every table a folder of parts, CSV mirrored, the manifest lists every part."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from synth.layout import csv_dir, csv_parts, parquet_parts, table_dir
from synth.pipeline import generate
from synth.profile.loader import load_profile


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("layout") / "run"
    generate(load_profile("training_small"), out, families=300, seed=3, formats=("parquet", "csv"), duckdb=False)
    return out


def test_every_table_is_a_folder_of_parts_and_csv_mirrors_it(run: Path) -> None:
    manifest = json.loads((run / "manifest.json").read_text())
    for key, rows in manifest["counts"].items():
        folder, name = key.split("/", 1)
        parts = parquet_parts(table_dir(run, folder, name))
        assert [p.name for p in parts] == ["part-00000.parquet"], key
        assert pd.read_parquet(table_dir(run, folder, name)).shape[0] == rows
        csvs = csv_parts(csv_dir(run, folder, name))
        assert [p.name for p in csvs] == [f"SYNTHETIC_{name}_part-00000.csv"], key
        assert sum(len(pd.read_csv(p)) for p in csvs) == rows
    assert not list(run.rglob("*.parquet"))[0].parent.name.endswith(".parquet")


def test_a_glob_reads_every_table(run: Path) -> None:
    con = duckdb.connect()
    got = con.execute(f"select count(*) from read_parquet('{run}/truth/person/*.parquet')").fetchone()[0]
    want = json.loads((run / "manifest.json").read_text())["counts"]["truth/person"]
    assert got == want
    got_csv = con.execute(f"select count(*) from read_csv('{run}/csv/truth/person/*.csv')").fetchone()[0]
    assert got_csv == want


def test_manifest_lists_every_part_with_rows_and_sha256(run: Path) -> None:
    parts = json.loads((run / "manifest.json").read_text())["parts"]
    on_disk = {p.relative_to(run).as_posix() for p in run.rglob("part-*.parquet")}
    on_disk |= {p.relative_to(run).as_posix() for p in run.rglob("SYNTHETIC_*.csv")}
    assert {p["path"] for p in parts} == on_disk
    for p in parts:
        assert hashlib.sha256((run / p["path"]).read_bytes()).hexdigest() == p["sha256"], p["path"]
        if p["format"] == "parquet":
            assert pq.ParquetFile(run / p["path"]).metadata.num_rows == p["rows"]
