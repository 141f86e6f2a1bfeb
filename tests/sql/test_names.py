"""Table names as the real pipelines write them resolve to the run's tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from synth.sql import UnknownTableError, explain, query
from synth.sql.catalog import RunCatalog, RunTable
from synth.sql.names import resolve


def rows(run: Path, agency: str, table: str) -> int:
    return len(pd.read_parquet(run / agency / f"{table}"))


@pytest.mark.parametrize("name", [
    "SAIL1234V.CAFW_CAFCASS_ALF_20240630",   # the run's own date
    "SAIL0911V.CAFW_CAFCASS_ALF_20190301",   # another project, an older refresh date
    "sail1234v.cafw_cafcass_alf_20991231",   # lower case, a date the run does not have
    "SAIL1234V.CAFW_CAFCASS_ALF",            # undated
    "SAIL0000V.CAFW_CAFCASS_ALF_20240630",   # the run's own DuckDB name
])
def test_sail_names_resolve_to_the_run_snapshot(sql_run, name):
    got = query(sql_run, f"SELECT COUNT(*) AS n FROM {name} WITH UR", "db2")
    assert got["n"].tolist() == [rows(sql_run, "cafcass_cymru", "CAFW_CAFCASS_ALF_20240630")]


def test_an_undated_sail_table_resolves_to_itself(sql_run):
    got = query(sql_run, "SELECT COUNT(*) AS n FROM SAIL1234V.WDSD_FILE1", "db2")
    assert got["n"].tolist() == [rows(sql_run, "wds", "WDSD_FILE1")]


def test_the_newest_snapshot_wins():
    tables = tuple(RunTable("SAIL0000V", n, Path(f"/nowhere/{n}.parquet")) for n in
                   ("WDSD_AR_PERS_20230101", "WDSD_AR_PERS_20240630", "WDSD_AR_PERS_ADD_20250101",
                    "WDSD_AR_PERS_19991231"))
    res = resolve("SELECT * FROM SAIL1234V.WDSD_AR_PERS_20200101 p", RunCatalog(Path("/nowhere"), tables))
    assert res.text == 'SELECT * FROM "SAIL0000V"."WDSD_AR_PERS_20240630" p'
    assert res.aliases == {"SAIL1234V"} and [t.name for t in res.tables] == ["WDSD_AR_PERS_20240630"]


def test_syscat_lists_the_snapshots_under_the_projects_schema(sql_run):
    sql = """SELECT TABNAME, TYPE FROM SYSCAT.TABLES
             WHERE TABSCHEMA = 'SAIL1234V' AND TABNAME LIKE 'WDSD_AR_PERS_2%'
             ORDER BY CREATE_TIME DESC, TABNAME DESC FETCH FIRST 1 ROW ONLY"""
    assert query(sql_run, sql, "db2").values.tolist() == [["WDSD_AR_PERS_20240630", "V"]]
    # the name a pipeline builds from that answer resolves
    got = query(sql_run, "SELECT COUNT(*) AS n FROM SAIL1234V.WDSD_AR_PERS_20240630", "db2")
    assert got["n"].tolist() == [rows(sql_run, "wds", "WDSD_AR_PERS_20240630")]


@pytest.mark.parametrize("name", ["familyman_dev_v2.events", '"familyman_dev_v2"."events"',
                                  "awsdatacatalog.familyman_dev_v2.events", "familyman_live.events"])
def test_presto_familyman_databases_resolve(sql_run, name):
    got = query(sql_run, f"SELECT COUNT(*) AS n FROM {name} WHERE error = 'N'", "presto")
    events = pd.read_parquet(sql_run / "familyman" / "events")
    assert got["n"].tolist() == [int((events["error"] == "N").sum())]


def test_presto_is_transpiled(sql_run):
    sql = "SELECT date_format(receipt_date, '%Y') AS y, count(*) AS n FROM familyman_dev_v2.events GROUP BY 1"
    text = explain(sql_run, sql, "presto")
    assert '"familyman"."events"' in text and "STRFTIME" in text.upper()
    events = pd.read_parquet(sql_run / "familyman" / "events")
    assert query(sql_run, sql, "presto")["n"].sum() == len(events)


def test_duckdb_reads_the_runs_own_names(sql_run):
    got = query(sql_run, "SELECT COUNT(*) AS n FROM truth.proceeding")
    assert got["n"].tolist() == [rows(sql_run, "truth", "proceeding")]


def test_an_unknown_sail_table_names_the_nearest(sql_run):
    with pytest.raises(UnknownTableError, match=r"line 2: SAIL1234V.WDSD_AR_PERS_GPX_20200101: this run has no "
                                                r"SAIL table .*nearest: WDSD_AR_PERS"):
        query(sql_run, "SELECT *\nFROM SAIL1234V.WDSD_AR_PERS_GPX_20200101", "db2")


def test_an_unknown_familyman_table_is_named(sql_run):
    with pytest.raises(UnknownTableError, match=r"familyman_dev_v2.hearings: this run has no FamilyMan table"):
        query(sql_run, "SELECT * FROM familyman_dev_v2.hearings", "presto")
