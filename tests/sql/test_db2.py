"""DB2 rewrites: each DB2 construct SAIL code uses gives, in DuckDB, the value DB2 gives."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from synth.sql import UnsupportedConstructError, explain, query


def one(run, expr: str):
    """The value of a DB2 expression, selected from SYSIBM.SYSDUMMY1 as SAIL code does."""
    value = query(run, f"SELECT {expr} AS v FROM SYSIBM.SYSDUMMY1 WITH UR", "db2")["v"].iloc[0]
    return value.date() if isinstance(value, pd.Timestamp) else value


@pytest.mark.parametrize(("expr", "expected"), [
    ("DAYS_BETWEEN('2020-03-01', '2020-02-01')", 29),
    ("DAYS_BETWEEN(DATE('2020-02-01'), DATE('2020-03-01'))", -29),
    ("ADD_DAYS(DATE('2020-02-28'), 2)", dt.date(2020, 3, 1)),
    ("ADD_MONTHS('2020-01-31', 1)", dt.date(2020, 2, 29)),
    ("ADD_YEARS('2020-02-29', 1)", dt.date(2021, 2, 28)),
    ("YEARS_BETWEEN('2020-06-01', '2000-06-02')", 19),
    ("YEARS_BETWEEN('2020-06-02', '2000-06-02')", 20),
    ("DAYS('0001-01-01')", 1),
    ("DAYS('2020-03-01') - DAYS('2020-02-01')", 29),
    ("DATE('2020-01-31') + 1 MONTH", dt.date(2020, 2, 29)),
    ("DATE('2020-01-01') + (2 + 3) DAYS", dt.date(2020, 1, 6)),
    ("DATE('2020-03-01') - 1 DAY", dt.date(2020, 2, 29)),
    ("DATE('2024-06-30') - 18 YEARS", dt.date(2006, 6, 30)),
    ("VARCHAR_FORMAT(DATE('2020-02-03'), 'YYYY-MM-DD')", "2020-02-03"),
    ("VARCHAR_FORMAT(DATE('2020-02-03'), 'DD/MM/YYYY')", "03/02/2020"),
    ("CHAR(DATE('2020-01-05'))", "2020-01-05"),
    ("DECIMAL(2.718, 5, 2)", 2.71),
    ("DECIMAL('-0.29', 5, 2)", -0.29),
    ("DECIMAL(7.9)", 7),
    ("INTEGER(2.7)", 2),
    ("INTEGER('-2.7')", -2),
    ("BIGINT('12')", 12),
    ("SUBSTR('abcdef', 2, 3)", "bcd"),
    ("LOCATE('c', 'abcabc')", 3),
    ("LOCATE('c', 'abcabc', 4)", 6),
    ("LOCATE('z', 'abc')", 0),
    ("POSSTR('abcabc', 'b')", 2),
    ("VALUE(NULL, 'x')", "x"),
    ("TIMESTAMPDIFF(16, CHAR(DATE('2020-03-01') - DATE('2020-02-01')))", 29),
    ("TIMESTAMPDIFF(256, CHAR(DATE('2020-03-01') - DATE('2019-02-01')))", 1),
    ("YEAR(DATE('2020-03-01')) * 100 + MONTH(DATE('2020-03-01'))", 202003),
    ("DAYOFWEEK('2024-06-30')", 1),
    ("'CURRENT DATE + 5 DAYS WITH UR'", "CURRENT DATE + 5 DAYS WITH UR"),
    ("(SELECT t.desc FROM (SELECT 'x' AS desc FROM SYSIBM.SYSDUMMY1) t)", "x"),
])
def test_db2_expression_gives_db2s_value(sql_run, expr, expected):
    assert one(sql_run, expr) == expected


def test_current_date_and_timestamp_are_duckdbs(sql_run):
    text = explain(sql_run, "SELECT CURRENT DATE, CURRENT TIMESTAMP FROM SYSIBM.SYSDUMMY1", "db2")
    assert "CURRENT_DATE, CURRENT_TIMESTAMP" in text
    assert isinstance(one(sql_run, "CURRENT DATE"), dt.date)


def test_rownumber_fetch_first_and_isolation_clauses(sql_run):
    sql = """SELECT x, ROWNUMBER() OVER (ORDER BY x DESC) AS rn
             FROM (VALUES (1), (2), (3)) AS t(x)
             ORDER BY rn FETCH FIRST 2 ROWS ONLY FOR READ ONLY WITH UR"""
    assert query(sql_run, sql, "db2").values.tolist() == [[3, 1], [2, 2]]
    assert len(query(sql_run, "SELECT 1 AS a FROM SYSIBM.SYSDUMMY1 FETCH FIRST ROW ONLY WITH CS", "db2")) == 1


def test_workspace_script_runs_every_statement_and_returns_the_last_select(sql_run):
    sql = """
    CALL FNC.DROP_IF_EXISTS('SAILW1234V.KIDS');
    CREATE TABLE SAILW1234V.KIDS AS (SELECT ALF_E AS ALF, WOB FROM SAIL1234V.CAFW_CAFCASS_ALF_20210101)
        WITH NO DATA DISTRIBUTE BY HASH(ALF);
    INSERT INTO SAILW1234V.KIDS SELECT ALF_E, WOB FROM SAIL1234V.CAFW_CAFCASS_ALF_20210101 WHERE ALF_E IS NOT NULL;
    COMMIT;
    DECLARE GLOBAL TEMPORARY TABLE SESSION.BORN AS (SELECT YEAR(WOB) AS YR FROM SAILW1234V.KIDS) WITH DATA
        ON COMMIT PRESERVE ROWS NOT LOGGED WITH REPLACE;
    CREATE TABLE SAILW1234V.EMPTY LIKE SAILW1234V.KIDS;
    GRANT SELECT ON SAILW1234V.KIDS TO ROLE NRDASAIL_SAIL_1234_ANALYST;
    SELECT COUNT(*) AS n, (SELECT COUNT(*) FROM SAILW1234V.EMPTY) AS empty FROM SESSION.BORN;
    """
    alf = pd.read_parquet(sql_run / "cafcass_cymru" / "CAFW_CAFCASS_ALF_20240630")
    got = query(sql_run, sql, "db2")
    assert got["n"].tolist() == [int(alf["ALF_E"].notna().sum())] and got["empty"].tolist() == [0]
    text = explain(sql_run, sql, "db2")
    assert "DROP TABLE IF EXISTS SAILW1234V.KIDS" in text and "LIMIT 0" in text and "skipped: COMMIT" in text
    assert "DISTRIBUTE" not in text and "CREATE OR REPLACE TABLE SESSION.BORN" in text


def test_other_calls_are_refused_with_the_construct_named(sql_run):
    with pytest.raises(UnsupportedConstructError, match=r"line 1: CALL MYSCHEMA.MY_PROC is not supported"):
        query(sql_run, "CALL MYSCHEMA.MY_PROC('x')", "db2")


def test_sail_code_comparisons_on_char_and_decimal_columns(sql_run):
    """`alf_sts_cd IN (4, 39, 35)`, `gndr_cd = 2`, `alf_mtch_pct >= 0.7` as the SAIL code writes them."""
    alf = pd.read_parquet(sql_run / "cafcass_cymru" / "CAFW_CAFCASS_ALF_20240630")
    sql = """SELECT SUM(CASE WHEN alf_sts_cd IN (4, 39, 35) THEN 1 ELSE 0 END) AS sts,
                    SUM(CASE WHEN gndr_cd = 2 THEN 1 ELSE 0 END) AS female,
                    SUM(CASE WHEN alf_mtch_pct >= 0.7 THEN 1 ELSE 0 END) AS good
             FROM SAIL0000V.CAFW_CAFCASS_ALF_20240630"""
    got = query(sql_run, sql, "db2").iloc[0]
    sts = pd.to_numeric(alf["ALF_STS_CD"], errors="coerce")
    assert got["sts"] == sts.isin([4, 39, 35]).sum() > 0
    assert got["female"] == (pd.to_numeric(alf["GNDR_CD"], errors="coerce") == 2).sum() > 0
    assert got["good"] == (pd.to_numeric(alf["ALF_MTCH_PCT"], errors="coerce").astype(float) >= 0.7).sum() > 0


def test_global_variables_and_a_lettered_projects_workspace(sql_run):
    """Project views SAILWMCCV, workspace SAILWWMCCV (what is written to is the workspace), DB2 variables."""
    sql = """
    CREATE OR REPLACE VARIABLE SAILWWMCCV.START_DATE DATE DEFAULT '2000-01-01';
    CREATE TABLE SAILWWMCCV.PERS (alf_e BIGINT, wob DATE, gndr_cd CHAR(1)) DISTRIBUTE BY HASH(alf_e);
    INSERT INTO SAILWWMCCV.PERS
        (SELECT alf_e, wob, gndr_cd FROM SAILWMCCV.WDSD_AR_PERS_20200101 WHERE wob >= SAILWWMCCV.START_DATE);
    SELECT COUNT(*) AS n FROM SAILWWMCCV.PERS;
    DROP VARIABLE SAILWWMCCV.START_DATE;
    """
    pers = pd.read_parquet(sql_run / "wds" / "WDSD_AR_PERS_20240630")
    want = int((pd.to_datetime(pers["WOB"]) >= "2000-01-01").sum())
    assert query(sql_run, sql, "db2")["n"].tolist() == [want] and want > 0
    text = explain(sql_run, sql, "db2")
    assert "getvariable('SAILWWMCCV.START_DATE')" in text and "RESET VARIABLE" in text


def test_update_with_qualified_set_targets(sql_run):
    sql = """
    DECLARE GLOBAL TEMPORARY TABLE SESSION.T (alf_e BIGINT, first_dt DATE) ON COMMIT PRESERVE ROWS;
    INSERT INTO SESSION.T VALUES (1, NULL), (2, NULL);
    UPDATE SESSION.T tgt SET tgt.first_dt = src.dt
    FROM (SELECT 1 AS alf_e, DATE('2020-05-01') AS dt FROM SYSIBM.SYSDUMMY1) src WHERE tgt.alf_e = src.alf_e;
    SELECT alf_e, VARCHAR_FORMAT(first_dt, 'YYYY-MM-DD') AS d FROM SESSION.T ORDER BY alf_e;
    """
    assert query(sql_run, sql, "db2").values.tolist() == [[1, "2020-05-01"], [2, None]]
