"""Identifier formats of truth/person judged in SQL give the pandas rules' counts and examples."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import make_run

from synth.validate import integrity
from synth.validate.core import RunData
from synth.validate.registry import registered
from synth.validate.runner import run_check

ODD = {"nhs_number": ["9990000018", "9990000018\n", "999000001８", None, "0123456789", "999 000 0018", "9990000019",
                      "abc", "", "9990000026"],
       "postcode": ["ZZ1 1AA", "ZZ1 1AA\n", "zz1 1aa", None, "ZZ1١ 1AA", "ZZ1  1AA", "", "SW1A 1AA", "A1 1AA", "Z"],
       "lsoa_code": ["E01000001", "E01000001\n", "e01000001", None, "E0100000١", "W01999999", "", "X", "E010000012",
                     "W01 00001"]}


@pytest.fixture(scope="module")
def odd_run(tmp_path_factory):
    base = make_run(tmp_path_factory, "training_small", 300, seed=9)
    dest = tmp_path_factory.mktemp("odd-formats") / "run"
    shutil.copytree(base.path, dest)
    path = dest / "truth" / "person" / "part-00000.parquet"
    df = pd.read_parquet(path)
    for j, (col, values) in enumerate(ODD.items()):
        rows = list(range(j + 2, len(df), 7))[: len(values)]
        df.loc[rows, col] = values
    df.to_parquet(path, index=False)
    return RunData(dest)


def _formats(run: RunData) -> list[dict]:
    check = next(c for c in registered(["integrity"]) if c.id == "integrity.identifier_formats")
    return [r.to_dict() for r in run_check(check, run)]


def test_sql_and_pandas_judge_odd_formats_alike(odd_run, monkeypatch):
    sql = _formats(odd_run)
    monkeypatch.setattr(integrity, "format_results", lambda *a: None)
    pandas = _formats(odd_run)
    assert [r["name"] for r in sql] == ["nhs_number_format", "upn_format", "postcode_format", "lsoa_format"]
    assert [r["violations"] > 0 for r in sql] == [True, False, True, True]
    assert sql == pandas
