"""Progress: rich bars on a terminal, nothing with -q, JSON lines with --log-json, a right closing time."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from synth.cli.main import cli
from synth.errors import OutputError
from synth.progress import Reporter

FAMILIES = 300


def events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def ends(path: Path) -> dict[str, dict]:
    return {e["phase"]: e for e in events(path) if e["event"] == "end"}


@pytest.fixture(scope="module")
def logged_run(tmp_path_factory):
    """One small run generated with --log-json (and validated), its log and its stdout."""
    from click.testing import CliRunner

    tmp = tmp_path_factory.mktemp("progress")
    out, log = tmp / "run", tmp / "generate.jsonl"
    res = CliRunner().invoke(cli, ["generate", "training_small", "-n", str(FAMILIES), "-o", str(out),
                                   "--log-json", str(log)])
    assert res.exit_code == 0, res.output
    return out, log, res.output


def test_reporter_logs_start_advance_end_and_ends_a_failing_phase(tmp_path):
    log = tmp_path / "log.jsonl"
    with Reporter(log_json=log, terminal=False) as rep:
        with rep.phase("work", total=3) as p:
            p.advance()
            p.advance(2)
        with pytest.raises(RuntimeError), rep.phase("broken", total=5) as p:
            p.advance()
            raise RuntimeError("boom")
    ev = events(log)
    assert [(e["phase"], e["event"], e["done"]) for e in ev] == [
        ("work", "start", 0), ("work", "advance", 1), ("work", "advance", 3), ("work", "end", 3),
        ("broken", "start", 0), ("broken", "advance", 1), ("broken", "end", 1)]
    assert all(set(e) == {"phase", "event", "done", "total", "elapsed_s"} for e in ev)
    assert [e["elapsed_s"] for e in ev[:4]] == sorted(e["elapsed_s"] for e in ev[:4])
    assert set(rep.durations) == {"work", "broken"}


def test_terminal_shows_each_phase_and_quiet_shows_nothing(capsys):
    with Reporter(terminal=True) as rep, rep.phase("shards", total=10) as p:
        p.update(10)
    assert "shards" in capsys.readouterr().err
    with Reporter(terminal=True, quiet=True) as rep, rep.phase("shards", total=10) as p:
        p.update(10)
    assert capsys.readouterr().err == ""


def test_unwritable_log_is_one_line_naming_the_option(tmp_path):
    with pytest.raises(OutputError, match=r"--log-json .*cannot be written"):
        Reporter(log_json=tmp_path / "no-such-folder" / "log.jsonl")


def test_generate_logs_every_phase_with_its_totals(logged_run):
    out, log, _ = logged_run
    e = ends(log)
    assert e["shards"]["done"] == e["shards"]["total"] == FAMILIES
    tables = sum(1 for _ in json.loads((out / "manifest.json").read_text())["counts"])
    assert e["export:duckdb"]["done"] == e["export:duckdb"]["total"] == tables
    for group in ("integrity", "realism", "privacy"):
        assert e[f"validate:{group}"]["done"] == e[f"validate:{group}"]["total"] > 0
    assert "validate:reports" in e
    assert not any(p.suffix == ".jsonl" for p in out.rglob("*"))  # timing never lands in the run


def test_closing_summary_time_covers_every_phase(logged_run):
    # The summary once printed the pipeline's own total (no validation, no profile loading): less
    # than the command took. It must now be at least the sum of the phases' wall times.
    _, log, output = logged_run
    said = float(re.search(r"Wrote \S+ in ([0-9.]+) s", output).group(1))
    assert said + 0.05 >= sum(e["elapsed_s"] for e in ends(log).values())
    assert "validation" in output and "shards" in output


def test_quiet_prints_only_the_path_and_logs_all_the_same(runner, tmp_path, logged_run):
    out, log = tmp_path / "run", tmp_path / "q.jsonl"
    res = runner.invoke(cli, ["generate", "training_small", "-n", str(FAMILIES), "-o", str(out), "-q",
                              "--no-validate", "--log-json", str(log)])
    assert res.exit_code == 0, res.output
    assert res.output.strip() == str(out) and res.stderr == ""
    assert "shards" in ends(log)
    # the same data with and without a log: progress is display only
    a, b = logged_run[0] / "manifest.json", out / "manifest.json"
    assert json.loads(a.read_text())["counts"] == json.loads(b.read_text())["counts"]
    for p in (logged_run[0] / "cafcass_england").rglob("*.parquet"):
        assert p.read_bytes() == (out / p.relative_to(logged_run[0])).read_bytes()


def test_validate_and_returns_log_their_phases(runner, tmp_path, logged_run):
    run_dir = logged_run[0]
    vlog, rlog = tmp_path / "v.jsonl", tmp_path / "r.jsonl"
    res = runner.invoke(cli, ["validate", str(run_dir), "-q", "--log-json", str(vlog),
                              "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output
    assert res.output == "" and res.stderr == ""
    assert {"validate:integrity", "validate:realism", "validate:privacy"} <= set(ends(vlog))
    res = runner.invoke(cli, ["returns", str(run_dir), "--out", str(tmp_path / "ret"), "-q", "--log-json", str(rlog)])
    assert res.exit_code == 0, res.output
    assert res.output == ""
    e = ends(rlog)
    assert e["returns:read"]["done"] == e["returns:read"]["total"] == e["returns:write"]["total"] > 0


def test_log_json_bad_path_exits_2_with_one_line(runner, tmp_path, logged_run):
    res = runner.invoke(cli, ["validate", str(logged_run[0]), "--log-json", str(tmp_path / "nope" / "x.jsonl")])
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and "--log-json" in res.stderr
