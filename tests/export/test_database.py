"""synth.duckdb: comments starting SYNTHETIC, keys only where the rows satisfy them, join views, and a
storage version the DuckDB CLI from PyPI (package duckdb-cli, installed by the `cli` extra) opens."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synth.export.database import TableMeta, build_duckdb


def _parts(root: Path, name: str, table: pa.Table) -> Path:
    d = root / name
    d.mkdir(parents=True)
    pq.write_table(table, d / "part-00000.parquet")
    return d


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    case = _parts(tmp_path, "case", pa.table({"case_id": [1, 2, 3], "court": ["A", "B", "C"]}))
    app = _parts(tmp_path, "app", pa.table({"app_id": [10, 11, 12, 13], "case_id": [1, 1, 2, 3],
                                            "court": ["A", "A", "B", "C"], "code": ["1", "2", "3", "4"]}))
    bad = _parts(tmp_path, "bad", pa.table({"bad_id": [5, 5], "case_id": [1, 9]}))  # duplicate key, orphan
    meta = {
        ("s", "case"): TableMeta("Cases.", {"case_id": "Case id (modelled).", "court": "Court's name"}, ("case_id",)),
        ("s", "app"): TableMeta("Applications.", {"app_id": "Application id; it's modelled."}, ("app_id",),
                                ((("case_id",), "case", ("case_id",)),)),
        ("s", "bad"): TableMeta("", {}, ("bad_id",), ((("case_id",), "case", ("case_id",)),)),
    }
    path = tmp_path / "synth.duckdb"
    done: list[int] = []
    build_duckdb(path, [("s", "app", app), ("s", "bad", bad), ("s", "case", case)],  # parents built first
                 {("s", "app"): {"code": "CHAR(1)"}}, on_table=done.append, meta=meta)
    assert done == [1, 2, 3]
    return path


def test_comments_keys_and_views(db: Path) -> None:
    con = duckdb.connect(str(db), read_only=True)
    comments = dict(con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall())
    assert all(c.startswith("SYNTHETIC") for c in comments.values()) and "Cases." in comments["case"]
    cols = dict(con.execute("SELECT table_name || '.' || column_name, comment FROM duckdb_columns() "
                            "WHERE NOT internal").fetchall())
    assert cols["app.app_id"] == "Application id; it's modelled."
    assert cols["app.code"] == "CHAR(1)"  # the SAIL type survives as the comment
    keys = sorted(con.execute("SELECT table_name, constraint_type FROM duckdb_constraints() "
                              "WHERE constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')").fetchall())
    # "bad" has a duplicate key and an orphan: neither is declared, its rows are all there.
    assert keys == [("app", "FOREIGN KEY"), ("app", "PRIMARY KEY"), ("case", "PRIMARY KEY")]
    assert con.execute('SELECT count(*) FROM s.bad').fetchone() == (2,)
    # The join view adds the parent's columns the child lacks.
    rows = con.execute('SELECT app_id, court FROM s."app__case" ORDER BY app_id').fetchall()
    assert rows == [(10, "A"), (11, "A"), (12, "B"), (13, "C")]
    views = [v for (v,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
    assert views == ["app__case"]


def _duckdb_cli() -> str | None:
    beside = Path(sys.executable).with_name("duckdb")
    return str(beside) if beside.exists() else shutil.which("duckdb")


@pytest.mark.skipif(_duckdb_cli() is None, reason="the DuckDB CLI (pip install '.[cli]') is not installed")
def test_duckdb_cli_opens_the_file(db: Path) -> None:
    cli = _duckdb_cli()
    assert cli is not None
    out = subprocess.run([cli, "-readonly", "-csv", str(db), "-c",
                          "SELECT count(*) AS n FROM s.app__case; SELECT comment FROM duckdb_tables() "
                          "WHERE table_name = 'case'"],
                         capture_output=True, text=True, timeout=60, check=True).stdout.split()
    assert out[:2] == ["n", "4"] and out[3].startswith("SYNTHETIC")
