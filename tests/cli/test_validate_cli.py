"""``synth validate`` and the validation step of ``synth generate``: exit codes 0, 1 and 2, reports."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from synth.cli.main import cli
from synth.validate import sdv_reports


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli-validate") / "run"
    result = CliRunner().invoke(cli, ["generate", "training_small", "-n", "300", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


def test_generate_validates_by_default_and_writes_reports(run_dir):
    report = json.loads((run_dir / "report.json").read_text())
    assert report["verdict"]["passed"] is True
    assert set(report["verdict"]["groups"]) == {"integrity", "realism", "privacy"}
    html = (run_dir / "report.html").read_text()
    assert "<svg" in html and "PASS" in html
    assert (run_dir / "metadata.sdv.json").is_file()


def test_generate_no_validate_writes_no_report(runner, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(cli, ["generate", "training_small", "-n", "40", "--out", str(out), "-q", "--no-validate"])
    assert result.exit_code == 0
    assert not (out / "report.json").exists() and not (out / "report.html").exists()


def test_validate_passes_with_exit_0_and_custom_report_paths(runner, run_dir, tmp_path):
    result = runner.invoke(cli, ["validate", str(run_dir), "--json", str(tmp_path / "r.json"),
                                 "--html", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.stdout
    assert json.loads((tmp_path / "r.json").read_text())["results"]


def test_validate_fails_with_exit_1_on_a_broken_run(runner, run_dir, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(run_dir, broken)
    p = broken / "cafcass_england" / "case" / "part-00000.parquet"
    df = pd.read_parquet(p)
    df.loc[0, "law_type"] = "criminal"
    df.to_parquet(p, index=False)
    result = runner.invoke(cli, ["validate", str(broken)])
    assert result.exit_code == 1
    assert "code_list" in result.stdout and "law_type" in result.stdout


@pytest.mark.parametrize("args,needle", [
    (["validate", "/nonexistent/run"], "no such run folder"),
    (["validate", "{run}", "--reference", "/nonexistent/ref"], "--reference"),
    (["validate", "{run}", "--profile", "no_such_profile"], "no such profile"),
])
def test_validate_cannot_run_exits_2_with_one_line(runner, run_dir, args, needle):
    result = runner.invoke(cli, [a.replace("{run}", str(run_dir)) for a in args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    err = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(err) == 1 and err[0].startswith("error: ") and needle in err[0]


def test_validate_sdv_without_the_extra_says_how_to_install(runner, run_dir, monkeypatch):
    monkeypatch.setattr(sdv_reports, "sdv_available", lambda: False)
    result = runner.invoke(cli, ["validate", str(run_dir), "--sdv"])
    assert result.exit_code == 0
    assert "sdv" in result.stderr and "pip install" in result.stderr
    report = json.loads((run_dir / "report.json").read_text())
    assert report["meta"]["sdv"]["status"] == "skipped"
