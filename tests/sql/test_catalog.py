"""How a run is exposed: a view per table over a Parquet file, a folder of part files, or a CSV file."""

from __future__ import annotations

import shutil

import pandas as pd

from synth.pipeline import generate
from synth.profile.loader import load_profile
from synth.sql import query


def test_a_table_stored_as_a_folder_of_parts(sql_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(sql_run, run)
    file = run / "familyman" / "events"  # always a folder of parts (synth.layout): split it in two
    events = pd.read_parquet(file)
    shutil.rmtree(file)
    file.mkdir()
    half = len(events) // 2
    events.iloc[:half].to_parquet(file / "part-00000.parquet")
    events.iloc[half:].to_parquet(file / "part-00001.parquet")
    got = query(run, "SELECT COUNT(*) AS n, COUNT(DISTINCT event) AS d FROM familyman_dev_v2.events", "presto")
    assert got.values.tolist() == [[len(events), events["event"].nunique()]]


def test_a_csv_only_run_without_its_database(tmp_path):
    out = tmp_path / "csvrun"
    generate(load_profile("training_small"), out, families=60, formats=("csv",), duckdb=False)
    assert not list(out.rglob("*.parquet")) and not (out / "synth.duckdb").exists()
    cases = pd.read_csv(out / "csv" / "familyman" / "cases" / "SYNTHETIC_cases_part-00000.csv")
    assert query(out, "SELECT COUNT(*) AS n FROM familyman.cases")["n"].tolist() == [len(cases)]
