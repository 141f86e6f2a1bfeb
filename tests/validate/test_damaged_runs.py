"""``synth validate`` on damaged runs: a clean result (exit 1, the check that could not run or failed,
named in report.json) or exit 2 with one line, never a traceback; checks needing an agency the run
was generated without are skipped."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest import make_run

from synth.cli.main import cli


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return make_run(tmp_path_factory, "training_small", 300, seed=7)


def _invoke(args: list[str]):
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 keeps stderr apart by default
        runner = CliRunner()
    result = runner.invoke(cli, ["validate", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception  # never a crash
    assert "Traceback" not in result.stdout + result.stderr
    return result


# --- damages that leave a run: exit 1 with the result that says what is wrong ----------------------


def _table_deleted(run: Path) -> None:
    (run / "cafcass_england" / "case" / "part-00000.parquet").unlink()


def _truncated(run: Path) -> None:
    p = run / "truth" / "person" / "part-00000.parquet"
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _part_deleted(run: Path) -> None:
    """truth/hearing as a folder of two part files (as multi-shard runs write it), one then lost."""
    p = run / "truth" / "hearing"
    table = pq.read_table(p)
    shutil.rmtree(p)
    p.mkdir()
    half = table.num_rows // 2
    pq.write_table(table.slice(0, half), p / "part-00000.parquet")
    pq.write_table(table.slice(half), p / "part-00001.parquet")
    (p / "part-00001.parquet").unlink()


def _wrong_type(run: Path) -> None:
    p = run / "truth" / "person" / "part-00000.parquet"
    df = pd.read_parquet(p)
    df["date_of_birth"] = pd.to_datetime(df["date_of_birth"]).astype("int64")
    df.to_parquet(p, index=False)


def _column_dropped(run: Path) -> None:
    p = run / "truth" / "proceeding" / "part-00000.parquet"
    pd.read_parquet(p).drop(columns=["issue_date"]).to_parquet(p, index=False)


def _truth_missing(run: Path) -> None:
    shutil.rmtree(run / "truth")


def _empty_table(run: Path) -> None:
    p = run / "familyman" / "events" / "part-00000.parquet"
    pq.write_table(pq.read_table(p).slice(0, 0), p)


@pytest.mark.parametrize("damage, status, name, table, says", [
    (_table_deleted, "failed", "table_present", "cafcass_england/case", "missing"),
    (_table_deleted, "could_not_run", "primary_key_unique", "cafcass_england/case", "missing"),
    (_truncated, "could_not_run", "identifier_formats", None, "truth/person is unreadable"),
    (_truncated, "could_not_run", "realism", None, "truth/person is unreadable"),
    (_part_deleted, "failed", "row_count_matches_manifest", None, "truth/hearing"),
    (_wrong_type, "failed", "columns_and_types", "truth/person", "date_of_birth"),
    (_column_dropped, "could_not_run", "issue_before_disposal", None, "issue_date"),
    (_truth_missing, "failed", "table_present", "truth/person", "missing"),
    (_truth_missing, "could_not_run", "nhs_safe_range", None, "truth/person is missing"),
    (_empty_table, "failed", "row_count_matches_manifest", None, "familyman/events"),
], ids=lambda x: getattr(x, "__name__", None) if callable(x) else None)
def test_a_damaged_run_ends_in_a_result_that_names_the_damage(base, tmp_path, damage, status, name, table, says):
    run = tmp_path / "run"
    shutil.copytree(base.path, run)
    damage(run)
    result = _invoke([run])
    assert result.exit_code == 1, result.stdout + result.stderr
    report = json.loads((run / "report.json").read_text())
    assert report["verdict"]["passed"] is False
    hits = [r for r in report["results"] if (r["status"], r["name"], r["table"]) == (status, name, table)]
    assert hits, [(r["status"], r["name"], r["table"]) for r in report["results"] if not r["passed"]]
    assert any(says in r["detail"] + " ".join(map(str, r["examples"])) for r in hits), hits
    if status == "could_not_run":
        assert all(r["detail"].startswith("could not run: ") and not r["passed"] for r in hits)
        assert "COULD NOT RUN" in result.stdout
        assert "COULD NOT RUN" in (run / "report.html").read_text()
    assert {r["status"] for r in report["results"]} <= {"passed", "failed", "skipped", "could_not_run"}


# --- not a run, or nowhere to write: exit 2 with one line -------------------------------------------


def _empty_folder(run: Path) -> Path:
    shutil.rmtree(run)
    run.mkdir()
    return run


def _not_a_run(run: Path) -> Path:
    (run / "manifest.json").unlink()
    return run


def _no_folder(run: Path) -> Path:
    return run / "nope"


def _a_file(run: Path) -> Path:
    return run / "manifest.json"


def _manifest(text: str):
    def damage(run: Path) -> Path:
        (run / "manifest.json").write_text(text)
        return run
    return damage


def _manifest_key(key: str, value):
    def damage(run: Path) -> Path:
        m = json.loads((run / "manifest.json").read_text())
        m[key] = value
        (run / "manifest.json").write_text(json.dumps(m))
        return run
    return damage


@pytest.mark.parametrize("damage, extra, needle", [
    (_empty_folder, [], "an empty folder"),
    (_not_a_run, [], "no manifest.json"),
    (_no_folder, [], "no such run folder"),
    (_a_file, [], "not a folder"),
    (_manifest("{not json"), [], "manifest.json: unreadable"),
    (_manifest("[1, 2]"), [], "not a run manifest"),
    (_manifest("{}"), [], "key 'profile.name' is missing"),
    (_manifest_key("profile", {"name": "no_such_profile"}), [], "names 'no_such_profile'"),
    (_manifest_key("agencies", ["nope"]), [], "key 'agencies' names nope"),
    (_manifest_key("seed", "abc"), [], "key 'seed' must be an integer"),
    (lambda run: run, ["--json", "/nonexistent/x.json"], "--json /nonexistent/x.json"),
    (lambda run: run, ["--html", "{run}/truth"], "--html"),
], ids=["empty_folder", "not_a_run", "no_folder", "a_file", "manifest_corrupt", "manifest_list", "manifest_empty",
        "unknown_profile", "unknown_agency", "bad_seed", "json_unwritable", "html_is_a_folder"])
def test_not_a_run_or_no_report_destination_exits_2_with_one_line(base, tmp_path, damage, extra, needle):
    run = tmp_path / "run"
    shutil.copytree(base.path, run)
    target = damage(run)
    result = _invoke([target, *(a.replace("{run}", str(run)) for a in extra)])
    assert result.exit_code == 2, result.stdout + result.stderr
    err = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(err) == 1 and err[0].startswith("error: ") and needle in err[0], err
    assert not Path("/nonexistent").exists()
    assert not (run / "report.json").exists() and not (run / "report.html").exists()


# --- agencies the run was generated without ------------------------------------------------------------


def test_a_run_of_some_agencies_skips_the_checks_needing_the_others(tmp_path):
    out = tmp_path / "run"
    gen = CliRunner().invoke(cli, ["generate", "training_small", "-n", "300", "--agencies", "cafcass_england",
                                   "--out", str(out), "-q"])
    assert gen.exit_code == 0, gen.output
    result = _invoke([out])
    assert result.exit_code == 0, result.stdout
    report = json.loads((out / "report.json").read_text())
    skipped = [r for r in report["results"] if r["status"] == "skipped"]
    # The Cymru figure needs the agency left out; the planted-fault recall needs a --dirty run.
    by_name = {r["name"]: r for r in skipped}
    assert set(by_name) == {"figure:alf_match_rate", "planted_faults_found"}
    alf = by_name["figure:alf_match_rate"]
    assert alf["passed"] is True and "cafcass_cymru" in alf["detail"]
    assert report["verdict"]["groups"]["realism"]["skipped"] == 1
    assert "SKIP" in result.stdout and "cafcass_cymru" in result.stdout
    assert "SKIPPED" in (out / "report.html").read_text()


def test_quiet_prints_nothing_on_a_pass_and_one_line_of_counts_otherwise(base, tmp_path):
    ok = _invoke([base.path, "-q", "--json", tmp_path / "a.json", "--html", tmp_path / "a.html"])
    assert ok.exit_code == 0 and ok.stdout == "" and ok.stderr == ""
    run = tmp_path / "run"
    shutil.copytree(base.path, run)
    _table_deleted(run)
    bad = _invoke([run, "-q"])
    assert bad.exit_code == 1 and bad.stdout == ""
    lines = bad.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("validation FAIL: 1 failed, ")
    assert "could not run" in lines[0] and lines[0].endswith(f"(details in {run}/report.json)")
