"""``synth sql``: results, --explain, --out, and one-line errors with exit code 2."""

from __future__ import annotations

import pandas as pd
import pytest

from synth.cli.main import cli
from synth.cli.sql import guess_dialect
from synth.sql import UnknownColumnError, query

DISPOSALS = """-- disposals by quarter, FCSQ style
SELECT year(e.receipt_date) AS yr, quarter(e.receipt_date) AS qtr, count(*) AS n
FROM familyman_dev_v2.events e
WHERE e.error = 'N'
GROUP BY 1, 2
ORDER BY 1, 2
"""


@pytest.fixture
def disposals(tmp_path):
    path = tmp_path / "disposals.sql"
    path.write_text(DISPOSALS, encoding="utf-8")
    return path


def expected_quarters(run) -> pd.DataFrame:
    ev = pd.read_parquet(run / "familyman" / "events")
    ev = ev[ev["error"] == "N"]
    d = pd.to_datetime(ev["receipt_date"])
    return ev.groupby([d.dt.year.rename("yr"), d.dt.quarter.rename("qtr")]).size().rename("n").reset_index()


def one_line_error(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.stderr, result.stderr
    for w in words:
        assert w in lines[0], lines[0]


def test_prints_the_result_and_counts_the_rows(runner, sql_run, disposals):
    result = runner.invoke(cli, ["sql", str(disposals), "--run", str(sql_run), "--max-rows", "3"])
    assert result.exit_code == 0, result.stderr
    n = len(expected_quarters(sql_run))
    assert f"{n:,} rows ({n - 3:,} not shown" in result.stderr
    assert "yr" in result.stdout and "qtr" in result.stdout


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_out_writes_every_row_and_needs_force_to_replace(runner, sql_run, disposals, tmp_path, suffix):
    out = tmp_path / f"q{suffix}"
    args = ["sql", str(disposals), "--run", str(sql_run), "--out", str(out)]
    assert runner.invoke(cli, args).exit_code == 0
    got = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    want = expected_quarters(sql_run)
    assert got.astype("int64").values.tolist() == want.astype("int64").values.tolist()
    one_line_error(runner.invoke(cli, args), "already exists", "--force")
    assert runner.invoke(cli, [*args, "--force"]).exit_code == 0


def test_out_with_another_extension_is_refused(runner, sql_run, disposals, tmp_path):
    one_line_error(runner.invoke(cli, ["sql", str(disposals), "--run", str(sql_run), "-o", str(tmp_path / "q.xlsx")]),
                   "--out", ".csv or .parquet")


def test_explain_shows_the_rewritten_sql_without_running_it(runner, sql_run, tmp_path):
    path = tmp_path / "sail.sql"
    path.write_text("SELECT COUNT(*) FROM SAIL1234V.WDSD_AR_PERS_20200101\nWHERE DOD > CURRENT DATE - 1 YEAR\n"
                    "WITH UR;\nCOMMIT;\n", encoding="utf-8")
    result = runner.invoke(cli, ["sql", str(path), "--run", str(sql_run), "--explain"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "-- dialect: db2; statements: 2"  # guessed from the file
    assert 'FROM "SAIL0000V"."WDSD_AR_PERS_20240630"' in result.stdout
    assert "CURRENT_DATE - INTERVAL (1) YEAR" in result.stdout and "WITH UR" not in result.stdout
    assert "-- line 4: skipped: COMMIT" in result.stdout


def test_dialect_guess():
    assert guess_dialect("SELECT * FROM SAIL1234V.X FETCH FIRST 5 ROWS ONLY") == "db2"
    assert guess_dialect("select * from familyman_dev_v2.events") == "presto"
    assert guess_dialect("select * from truth.person") == "duckdb"


def test_missing_file(runner, sql_run, tmp_path):
    one_line_error(runner.invoke(cli, ["sql", str(tmp_path / "no.sql"), "--run", str(sql_run)]),
                   "no.sql", "no such query file")


def test_unknown_dialect(runner, sql_run, disposals):
    one_line_error(runner.invoke(cli, ["sql", str(disposals), "--run", str(sql_run), "-d", "oracle"]),
                   "--dialect oracle", "db2", "presto")


def test_folder_that_is_not_a_run(runner, disposals, tmp_path):
    one_line_error(runner.invoke(cli, ["sql", str(disposals), "--run", str(tmp_path)]), "no manifest.json", "--run")
    one_line_error(runner.invoke(cli, ["sql", str(disposals), "--run", str(tmp_path / "nope")]), "no such run folder")


@pytest.mark.parametrize(("dialect", "text", "words"), [
    ("db2", "SELECT 1 FROM SYSIBM.SYSDUMMY1;\nSELEC x FROM y", ("line 2", "syntax error", "SELEC")),
    ("presto", "SELECT 1;\nSELECT (1 FROM familyman_dev_v2.events", ("line 2", "column", "presto")),
    ("duckdb", "SELECT 'unterminated", ("unterminated",)),
])
def test_syntax_errors_name_the_line(runner, sql_run, tmp_path, dialect, text, words):
    path = tmp_path / "bad.sql"
    path.write_text(text, encoding="utf-8")
    one_line_error(runner.invoke(cli, ["sql", str(path), "--run", str(sql_run), "-d", dialect]), str(path), *words)


def test_unknown_column_vs_not_modelled_column(runner, sql_run, tmp_path):
    path = tmp_path / "col.sql"
    path.write_text("SELECT e.free_text_note FROM familyman_dev_v2.events e", encoding="utf-8")
    one_line_error(runner.invoke(cli, ["sql", str(path), "--run", str(sql_run)]),
                   "free_text_note", "familyman.events", "not modelled", "never extracted")
    with pytest.raises(UnknownColumnError) as e:
        query(sql_run, "SELECT event, no_such_field FROM familyman_dev_v2.events", "presto")
    assert not e.value.not_modelled and e.value.table == "familyman.events" and "is unknown" in str(e.value)
    with pytest.raises(UnknownColumnError) as e:
        query(sql_run, "SELECT FREE_TEXT_NOTE FROM familyman.events")
    assert e.value.not_modelled


def test_unknown_function_is_named(runner, sql_run, tmp_path):
    path = tmp_path / "fn.sql"
    path.write_text("SELECT NO_SUCH_FN(1) FROM SYSIBM.SYSDUMMY1 WITH UR", encoding="utf-8")
    one_line_error(runner.invoke(cli, ["sql", str(path), "--run", str(sql_run)]), "function NO_SUCH_FN")
