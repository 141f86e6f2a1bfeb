"""The pack and the checker through the CLI: keys mark correct, perturbed answers wrong, bad input exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from synth.cli.main import cli
from synth.exercises.check import compare
from synth.exercises.registry import EXERCISES


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _answers(pack: Path, tmp_path: Path, sql: bool = False) -> Path:
    """The key itself as a learner's answer folder (SQL solutions instead of CSVs with ``sql``)."""
    out = tmp_path / "answers"
    shutil.copytree(pack / "answers", out)
    for p in out.glob("*.sql"):
        if sql:
            (out / f"{p.stem}.csv").unlink()
        else:
            p.unlink()
    return out


def test_the_pack_has_every_exercise_of_four_tracks(dirty_pack):
    doc = json.loads((dirty_pack / "manifest.json").read_text())
    ids = [e["id"] for e in doc["exercises"]]
    assert len(ids) == len(EXERCISES) >= 12 and not doc["skipped"]
    for track in ("sql", "linkage", "cleaning", "analysis"):
        assert sum(e["track"] == track for e in doc["exercises"]) >= 3
    for e in doc["exercises"]:
        text = (dirty_pack / e["file"]).read_text()
        assert "## Task" in text and "## Tables" in text and text.count("<details>") == 3
        assert "{" not in text.split("## Tables")[0], e["id"]  # every template field filled
        k = pd.read_csv(dirty_pack / e["answer"])
        numbers = k.select_dtypes("number").fillna(0)
        assert len(k) >= 1 and (numbers.empty or (numbers != 0).any().any()), e["id"]  # no empty or all-0 answer
    assert "identifier-error scale **1**" in (dirty_pack / "linkage-01.md").read_text()
    assert "stats.md 4a" in (dirty_pack / "analysis-01.md").read_text()


def test_keys_mark_correct_as_csv_and_as_sql(dirty_pack, tmp_path):
    for sql in (False, True):
        r = _run("exercises", "check", str(dirty_pack), str(_answers(dirty_pack, tmp_path / str(sql), sql)))
        assert r.exit_code == 0, r.output
        assert r.output.strip().splitlines()[-1] == f"score {len(EXERCISES)}/{len(EXERCISES)}"


def test_a_half_wrong_answer_set_scores_half(dirty_pack, tmp_path):
    ans = _answers(dirty_pack, tmp_path)
    edits = {
        "sql-01": lambda d: d.assign(cases=d["cases"] + (d.index == 3)),          # one count off by one
        "sql-03": lambda d: d.iloc[1:],                                           # a row missing
        "linkage-01": lambda d: d.assign(precision=d["precision"] - 0.01),        # beyond the tolerance
        "linkage-02": lambda d: pd.concat([d, d.tail(1).assign(threshold=10)]),   # an extra row
        "cleaning-02": lambda d: d.rename(columns={"original_id": "orig"}),       # a column misnamed
        "analysis-02": lambda d: d.round(3),                                      # rounding: still right
    }
    for ex, f in edits.items():
        p = ans / f"{ex}.csv"
        f(pd.read_csv(p)).to_csv(p, index=False)
    (ans / "analysis-03.csv").unlink()
    (ans / "sql-04.csv").unlink()
    (ans / "sql-04.sql").write_text("SELECT 2016 AS year, 'C' AS case_type, 1 AS applications, 1 AS disposals")
    (ans / "sql-02.sql").write_text("SELECT no_such_column FROM familyman.cases")
    (ans / "sql-02.csv").unlink()
    r = _run("exercises", "check", str(dirty_pack), str(ans))
    assert r.exit_code == 1, r.output
    status = {line.split()[0]: line.split()[1] for line in r.output.splitlines()[:-1]}
    wrong = {"sql-01", "sql-02", "sql-03", "sql-04", "linkage-01", "linkage-02", "cleaning-02"}
    assert {k for k, v in status.items() if v == "WRONG"} == wrong
    assert status["analysis-03"] == "MISSING" and status["analysis-02"] == "CORRECT"
    right = len(EXERCISES) - len(wrong) - 1
    assert r.output.strip().splitlines()[-1] == f"score {right}/{len(EXERCISES)}"
    assert "missing column original_id" in r.output
    assert "the query failed" in r.output and "1 row missing" in r.output


def test_compare_tolerance_and_types():
    k = pd.DataFrame({"year": ["2019", "2020"], "n": ["3", "4"], "share": ["0.25", ""]})
    ok = pd.DataFrame({"YEAR ": [2020, 2019], "n": [4.0, 3], "share": [None, 0.2504], "extra": [1, 2]})
    assert compare(k, ok, ["year"], 5e-4, [], ["share"]) == []
    assert compare(k, ok.assign(n=[4, 3.5]), ["year"], 5e-4, [], ["share"])  # counts are exact
    assert compare(k, ok.assign(share=[0.1, 0.2504]), ["year"], 5e-4, [], ["share"])  # empty must stay empty
    assert compare(k, ok.assign(share=[None, 0.252]), ["year"], 5e-4, [], ["share"])


@pytest.mark.parametrize("case", ["not_a_pack", "no_folder", "unknown_file", "twice", "binary", "empty"])
def test_bad_input_exits_2_with_one_line(dirty_pack, tmp_path, case):
    ans = tmp_path / "a"
    ans.mkdir()
    pack = dirty_pack
    if case == "not_a_pack":
        pack = tmp_path
        (ans / "sql-01.csv").write_text("x\n1\n")
    elif case == "no_folder":
        ans = tmp_path / "none"
    elif case == "unknown_file":
        (ans / "sql-99.csv").write_text("x\n1\n")
    elif case == "twice":
        (ans / "sql-01.csv").write_text("x\n1\n")
        (ans / "sql-01.sql").write_text("SELECT 1")
    elif case == "binary":
        (ans / "sql-01.csv").write_bytes(b"\xff\xfe\x00bad")
    r = _run("exercises", "check", str(pack), str(ans))
    assert r.exit_code == 2, r.output
    assert len(r.output.strip().splitlines()) == 1 and r.output.startswith("error: ") and "Traceback" not in r.output


def test_make_filters_refuses_to_overwrite_and_skips_cleaning_on_a_clean_run(clean_run, tmp_path):
    out = tmp_path / "p"
    r = _run("exercises", str(clean_run.path), "--out", str(out), "--track", "linkage", "--level", "2")
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "manifest.json").read_text())
    assert [e["id"] for e in doc["exercises"]] == ["linkage-01", "linkage-02"]
    assert (out / "linkage-02.md").read_text().count("<details>") == 2
    assert _run("exercises", str(clean_run.path), "--out", str(out)).exit_code == 2
    r = _run("exercises", "make", str(clean_run.path), "--out", str(out), "--force")
    assert r.exit_code == 0 and "cleaning-01  skipped" in r.output
    r = _run("exercises", str(clean_run.path), "--out", str(tmp_path / "q"), "--track", "cleaning")
    assert r.exit_code == 2 and "--dirty" in r.output and not (tmp_path / "q").exists()
    r = _run("exercises", str(tmp_path / "nope"), "--out", str(tmp_path / "q"))
    assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1


def test_training_small_holds_a_classroom_of_every_agency(clean_run):
    """Issue 16 point 6: at least 100 Cafcass Cymru cases, and enough of every agency for each exercise."""
    counts = clean_run.manifest["counts"]
    assert counts["cafcass_cymru/CAFW_CASE_20240630"] >= 100
    assert counts["wds/WDSD_AR_PERS_20240630"] >= 100 and counts["cafcass_england/case"] >= 100
    assert counts["familyman/cases"] >= 300 and clean_run.table("ssda903/header")["CHILD"].nunique() >= 30
