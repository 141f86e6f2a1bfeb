"""Checks as DuckDB SQL over the parts (issue 15, point 9): the same findings as one frame would give.

A table split into several parts, with damage planted in the second, must give the counts and the
first examples in the run's row order, as the pandas rules gave on the whole frame; a CSV-only run
runs the same SQL over registered frames; the DuckDB connection carries the memory limit.
"""

import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import make_run

from synth.validate.core import RunData, mask_result
from synth.validate.registry import registered
from synth.validate.runner import run_check
from synth.validate.scan import merge_results
from synth.validate.sqlrun import MEMORY_LIMIT


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return make_run(tmp_path_factory, "training_small", 300, seed=4)


def _split(folder, damage=None):
    """Rewrite a table folder's single part as two parts (the second damaged); the whole frame, damaged."""
    part = folder / "part-00000.parquet"
    table = pq.read_table(part)
    df = table.to_pandas()
    half = len(df) // 2
    second = df.iloc[half:].reset_index(drop=True)
    if damage is not None:
        damage(second)
    part.unlink()
    pq.write_table(table.slice(0, half), folder / "part-00000.parquet")
    pq.write_table(pa.Table.from_pandas(second, schema=table.schema, preserve_index=False),
                   folder / "part-00001.parquet")
    return pd.concat([df.iloc[:half], second], ignore_index=True)


def _results(run, check_id):
    check = next(c for c in registered() if c.id == check_id)
    return run_check(check, run)


def test_duplicate_keys_in_a_second_part_are_counted_and_named_in_row_order(base, tmp_path):
    path = tmp_path / "run"
    shutil.copytree(base.path, path)
    table = base.profile.agencies["cafcass_england"].tables["case"]
    key = table.key

    def dup(df):
        df.loc[[1, 4, 6], key] = df.loc[0, key].to_numpy()

    whole = _split(path / "cafcass_england" / table.name, dup)
    got = [r for r in _results(RunData(path), "integrity.agency_primary_key") if r.table == "cafcass_england/case"]
    want = mask_result("primary_key_unique", "cafcass_england/case", ",".join(key),
                       whole.duplicated(key, keep=False) | whole[key].isna().any(axis=1), whole, key, "")
    assert (got[0].violations, got[0].examples) == (want.violations, want.examples) == (4, want.examples)
    assert not got[0].passed


def test_an_orphan_foreign_key_in_a_second_part_fails_with_its_row(base, tmp_path):
    path = tmp_path / "run"
    shutil.copytree(base.path, path)
    tables = base.profile.agencies["cafcass_england"].tables
    spec = next(t for t in tables.values() if t.foreign_keys)
    fk = spec.foreign_keys[0]

    def orphan(df):
        df.loc[2, fk.columns] = 123_456_789

    whole = _split(path / "cafcass_england" / spec.name, orphan)
    got = [r for r in _results(RunData(path), "integrity.foreign_key_resolves")
           if r.table == f"cafcass_england/{spec.name}" and r.column == ",".join(fk.columns)]
    key = spec.key
    assert got[0].violations == 1 and not got[0].passed
    expected = whole[whole[fk.columns[0]] == 123_456_789][key].iloc[0]
    assert got[0].examples == [expected.iloc[0] if len(key) == 1 else tuple(expected)]


def test_a_csv_only_run_gets_the_same_integrity_and_privacy_results(tmp_path_factory):
    pq_run = make_run(tmp_path_factory, "training_small", 200, seed=9)
    csv_run = make_run(tmp_path_factory, "training_small", 200, seed=9, formats=("csv",))

    def findings(path):
        run = RunData(path)
        out = [r for c in registered(["integrity", "privacy"]) if c.id != "integrity.columns_and_types"
               and c.id != "integrity.truth_columns_and_types" and c.id != "integrity.row_count_matches_manifest"
               for r in run_check(c, run)]
        run.close()
        return sorted((r.name, r.table or "", r.column or "", r.status, r.violations) for r in out)

    assert findings(csv_run.path) == findings(pq_run.path)


def test_the_connection_has_the_memory_limit_and_reopens_after_close(base):
    run = RunData(base.path)
    limit = run.sql.rows("SELECT current_setting('memory_limit')")[0][0]
    value, unit = limit.split()
    assert unit == "MiB" and abs(float(value) * 1.048576 - float(MEMORY_LIMIT.removesuffix("MB"))) < 1, limit
    n = run.sql.rows(f"SELECT count(*) FROM {run.source('truth', 'person')}")[0][0]
    run.close()
    assert run.sql.rows(f"SELECT count(*) FROM {run.source('truth', 'person')}")[0][0] == n == len(run.truth("person"))


def test_merged_part_results_sum_counts_and_keep_the_first_examples():
    from synth.validate.core import CheckResult

    a = [CheckResult("integrity", "r", True), CheckResult("integrity", "s", False, violations=2, examples=[1, 2])]
    b = [CheckResult("integrity", "r", False, violations=4, examples=[7, 8, 9, 10]),
         CheckResult("integrity", "s", False, violations=1, examples=[3])]
    r, s = merge_results([a, b])
    assert (r.passed, r.violations, r.examples) == (False, 4, [7, 8, 9, 10])
    assert (s.passed, s.violations, s.examples) == (False, 3, [1, 2, 3])
