"""Truth keys: the fast path over increasing ids gives the DuckDB query's results, damaged or not."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import make_run

from synth.validate import integrity
from synth.validate.core import RunData
from synth.validate.registry import registered
from synth.validate.runner import run_check


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return make_run(tmp_path_factory, "training_small", 300, seed=8)


def _rewrite(path, name, fn):
    p = path / "truth" / name / "part-00000.parquet"
    df = pd.read_parquet(p)
    df = fn(df)
    pq.write_table(pa.Table.from_pandas(df, schema=pq.read_schema(p), preserve_index=False), p)


def _truth_keys(run):
    check = next(c for c in registered(["integrity"]) if c.id == "integrity.truth_keys")
    return [r.to_dict() for r in run_check(check, run)]


def _damage(df_person):
    df_person.loc[4, "person_id"] = df_person.loc[3, "person_id"]  # a repeated id
    df_person.loc[7, "family_id"] = 10**9  # a family that does not exist
    return df_person


@pytest.mark.parametrize("damage", [None, "repeat", "shuffle"])
def test_fast_truth_keys_equal_the_query(base, tmp_path, monkeypatch, damage):
    path = tmp_path / "run"
    shutil.copytree(base.path, path)
    if damage == "repeat":
        _rewrite(path, "person", _damage)
    elif damage == "shuffle":  # unique ids out of order: the query decides
        _rewrite(path, "proceeding", lambda df: df.iloc[np.random.default_rng(1).permutation(len(df))])
    fast = _truth_keys(RunData(path))
    monkeypatch.setattr(integrity, "increasing_ids", lambda *a: None)
    query = _truth_keys(RunData(path))
    assert fast == query
    failed = {(r["table"], r["column"], r["violations"]) for r in fast if not r["passed"]}
    if damage == "repeat":
        assert ("truth/person", "person_id", 2) in failed and ("truth/person", "family_id", 1) in failed
    else:
        assert not failed
