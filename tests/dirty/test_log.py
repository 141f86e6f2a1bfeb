"""Every planted fault is in truth/quality_issues, and nothing else differs (issue 16 point 8).

The clean and dirty runs share profile, seed and size; a cell-by-cell diff of every agency table
must give exactly the log: every differing cell is logged with its clean and dirty values, every
logged cell differs, and the only extra rows are the logged duplicates.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from synth.dirty import CSV_ONLY, FAULTS, row_keys
from synth.layout import csv_dir, csv_parts
from synth.profile.loader import load_profile
from tests.dirty.conftest import read

PROFILE = load_profile("training_small").profile
TABLES = [(a, t) for a, ag in PROFILE.agencies.items() for t in ag.tables.values()]


def _log(dirty) -> pd.DataFrame:
    return read(dirty, "truth", "quality_issues").to_pandas()


def _cells(table: pa.Table, key: list[str]) -> pd.DataFrame:
    """One row per cell: row_key, column, value as text (empty cell: None)."""
    keys = row_keys(table, key)
    frames = [pd.DataFrame({"row_key": keys, "column": c, "value": table.column(c).cast(pa.string()).to_pylist()})
              for c in table.column_names]
    return pd.concat(frames, ignore_index=True)


def _diff(clean: pd.DataFrame, dirty: pd.DataFrame) -> pd.DataFrame:
    """Cells whose text differs between two runs, on the rows of keys both have."""
    both = clean.merge(dirty, on=["row_key", "column"], suffixes=("_clean", "_dirty"))
    a, b = both["value_clean"], both["value_dirty"]
    return both[(a != b) & ~(a.isna() & b.isna())].rename(columns={"value_clean": "clean_value",
                                                                    "value_dirty": "dirty_value"})


def _expected(log: pd.DataFrame, agency: str, name: str, csv: bool) -> pd.DataFrame:
    mine = log[(log["agency"] == agency) & (log["table"] == name) & (log["fault"] != "duplicate_row")]
    if not csv:
        mine = mine[~mine["fault"].isin(CSV_ONLY)]
    return mine


def _same(diff: pd.DataFrame, logged: pd.DataFrame) -> None:
    cols = ["row_key", "column", "clean_value", "dirty_value"]
    got = diff[cols].fillna("<null>").sort_values(cols).reset_index(drop=True)
    want = logged[cols].fillna("<null>").sort_values(cols).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize("agency,spec", TABLES, ids=[f"{a}/{t.name}" for a, t in TABLES])
def test_parquet_differs_from_the_clean_run_exactly_where_logged(pair, agency, spec):
    clean, dirty = pair
    log = _log(dirty)
    a, b = read(clean, agency, spec.name), read(dirty, agency, spec.name)
    assert a.schema == b.schema  # every fault keeps the column's type
    ca, cb = _cells(a, spec.key), _cells(b, spec.key)
    _same(_diff(ca, cb), _expected(log, agency, spec.name, csv=False))
    # rows only in the dirty run are exactly the logged duplicates, each a copy of a logged original
    extra = sorted(set(row_keys(b, spec.key)) - set(row_keys(a, spec.key)))
    dups = log[(log["agency"] == agency) & (log["table"] == spec.name) & (log["fault"] == "duplicate_row")]
    assert extra == sorted(dups["row_key"])
    assert set(dups["clean_value"]) <= set(row_keys(a, spec.key))
    assert set(row_keys(a, spec.key)) <= set(row_keys(b, spec.key))  # no row is lost


def _csv(run, agency, name) -> pa.Table:
    frame = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in csv_parts(csv_dir(run, agency, name))],
                      ignore_index=True)
    return pa.Table.from_pandas(frame.replace("", None), preserve_index=False)


@pytest.mark.parametrize("agency,spec", TABLES, ids=[f"{a}/{t.name}" for a, t in TABLES])
def test_csv_differs_from_the_clean_run_exactly_where_logged(pair, agency, spec):
    clean, dirty = pair
    log = _log(dirty)
    a, b = _csv(clean, agency, spec.name), _csv(dirty, agency, spec.name)
    diff = _diff(_cells(a, spec.key), _cells(b, spec.key))
    logged = _expected(log, agency, spec.name, csv=True).copy()
    # CSV writes text as it is; a float or bool cell is compared by its CSV text, so log text is read the same way
    typed = {c.name for c in spec.columns if c.type in ("float64", "bool")}
    assert not logged["column"].isin(typed).any()
    _same(diff, logged)


def test_every_fault_kind_is_planted_at_level_3(pair):
    counts = _log(pair[1])["fault"].value_counts()
    assert set(counts.index) == set(FAULTS)
    assert (counts >= 5).all(), counts.to_dict()


def test_the_log_names_each_cell_once(pair):
    log = _log(pair[1])
    assert not log.duplicated(["agency", "table", "row_key", "column"]).any()
    assert log.columns.tolist() == ["agency", "table", "row_key", "column", "fault", "clean_value", "dirty_value"]
    assert (log["clean_value"].fillna("<null>") != log["dirty_value"].fillna("<null>")).all()
