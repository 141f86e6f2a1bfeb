"""The ``synth`` command line: profiles subcommands and ``generate`` (small runs only)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from synth.cli.main import cli
from synth.profile.loader import load_profile

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"
VALID = FIXTURES / "valid"
INVALID = FIXTURES / "invalid"
FAMILIES = "40"




def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def assert_clean_user_error(result, *needles: str) -> str:
    """Exit 2, exactly one non-blank line on stderr starting 'error: ', no traceback; return the line."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    (line,) = lines(result.stderr)
    assert line.startswith("error: ")
    for n in needles:
        assert n in line
    return line


# --------------------------------------------------------------------------------------------
# synth profiles


def test_profiles_schema_is_json_schema(runner):
    result = runner.invoke(cli, ["profiles", "schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    for key in ("world", "agencies", "seed", "size", "extends"):
        assert key in schema["properties"]


def test_profiles_schema_to_file(runner, tmp_path):
    out = tmp_path / "schema.json"
    result = runner.invoke(cli, ["profiles", "schema", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "world" in json.loads(out.read_text())["properties"]


def test_profiles_list_shows_shipped(runner):
    result = runner.invoke(cli, ["profiles", "list"])
    assert result.exit_code == 0, result.output
    names = {ln.split()[0] for ln in lines(result.stdout)}
    assert {"england_wales", "training_small", "wales_sail"} <= names
    small = next(ln for ln in lines(result.stdout) if ln.startswith("training_small "))
    assert "400 families" in small
    assert "2016-04-01..2024-03-31" in small


def test_profiles_list_marks_broken_profile(runner, tmp_path, monkeypatch):
    (tmp_path / "zz_broken.yaml").write_text("name: [unclosed\n")
    monkeypatch.setenv("SYNTH_PROFILES", str(tmp_path))
    result = runner.invoke(cli, ["profiles", "list"])
    assert result.exit_code == 0, result.output
    broken = next(ln for ln in lines(result.stdout) if ln.startswith("zz_broken"))
    assert "BROKEN: " in broken and "not valid YAML" in broken
    assert any(ln.startswith("training_small ") for ln in lines(result.stdout))


def test_profiles_show_training_small(runner):
    result = runner.invoke(cli, ["profiles", "show", "training_small"])
    assert result.exit_code == 0, result.output
    assert "seed: 42" in result.stdout.splitlines()
    data = yaml.safe_load(result.stdout)  # the header lines are YAML comments
    assert data["seed"] == 42
    assert data["size"] == {"families": 400}
    assert "month_of_issue" in data["world"]["distributions"]  # inherited from england_wales
    assert "# extends: " in result.stdout


def test_profiles_show_unknown(runner):
    result = runner.invoke(cli, ["profiles", "show", "trainng_small"])
    assert_clean_user_error(result, "no such profile", "did you mean 'training_small'?")


@pytest.mark.parametrize("name", ["small", "narrow_period", "no_england"])
def test_profiles_check_valid_fixture(runner, name):
    result = runner.invoke(cli, ["profiles", "check", str(VALID / f"{name}.yaml")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"ok: fixture_{name} (")
    assert result.stderr == ""


def test_profiles_check_counts_tables(runner):
    result = runner.invoke(cli, ["profiles", "check", str(VALID / "no_england.yaml")])
    # Cafcass Cymru, FamilyMan, WDSD, SAILREFRV and the LA code reference (LAREF)
    agencies = load_profile(VALID / "no_england.yaml").profile.agencies
    assert len(agencies) == 5
    assert f"{sum(len(a.tables) for a in agencies.values())} tables in 5 agencies" in result.stdout


@pytest.mark.parametrize("name, yaml_path", [
    ("probabilities_sum", "world.distributions.month_of_issue.probabilities"),
    ("unknown_top_key", "seeed"),
    ("bad_field_path", "agencies.cafcass_england.tables.note.columns[1].field"),
    ("cycle_a", "extends"),
])
def test_profiles_check_invalid_fixture(runner, name, yaml_path):
    path = (INVALID / f"{name}.yaml").resolve()
    result = runner.invoke(cli, ["profiles", "check", str(path)])
    assert_clean_user_error(result, f"error: {path}: {yaml_path}: ")
    assert result.stdout == ""


def test_profiles_check_invalid_yaml_syntax(runner):
    path = (INVALID / "broken_yaml.yaml").resolve()
    result = runner.invoke(cli, ["profiles", "check", str(path)])
    assert_clean_user_error(result, f"error: {path}: not valid YAML: line 5")


def test_profiles_check_lists_every_problem(runner):
    path = (INVALID / "two_problems.yaml").resolve()
    result = runner.invoke(cli, ["profiles", "check", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert lines(result.stderr) == [
        f"error: {path}: size.families: must be > 0, got 0; use a value > 0",
        f"error: {path}: seeed: unknown key 'seeed'; did you mean 'seed'?",
    ]


# --------------------------------------------------------------------------------------------
# synth generate


def gen(runner, out: Path, *extra: str):
    return runner.invoke(cli, ["generate", "training_small", "--families", FAMILIES, "--out", str(out), "-q", *extra])


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "partial" in p.name or "staging" in p.name)


def test_generate_creates_run_folder(runner, tmp_path):
    out = tmp_path / "run"
    result = gen(runner, out)
    assert result.exit_code == 0, (result.output, result.exception)
    assert result.stdout.strip() == str(out)
    for rel in ("manifest.json", "synth.duckdb", "dictionary.md"):
        assert (out / rel).is_file(), rel
    for rel in ("cafcass_england/case", "truth/person", "cafcass_cymru/CAFW_CAFCASS_ALF_20240630"):
        assert (out / rel / "part-00000.parquet").is_file(), rel
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["families"] == 40
    assert manifest["seed"] == 42
    assert manifest["profile"]["name"] == "training_small"
    assert manifest["formats"] == ["parquet"]
    assert not list(out.rglob("*.csv"))
    assert leftovers(tmp_path) == []


def test_generate_refuses_existing_folder_then_force_replaces(runner, tmp_path):
    out = tmp_path / "run"
    assert gen(runner, out).exit_code == 0
    manifest = out / "manifest.json"
    before = (manifest.read_bytes(), manifest.stat().st_mtime_ns)
    marker = out / "mine.txt"
    marker.write_text("keep me")

    again = gen(runner, out, "--seed", "7")
    assert_clean_user_error(again, "--force", str(out), "already exists")
    assert (manifest.read_bytes(), manifest.stat().st_mtime_ns) == before
    assert marker.read_text() == "keep me"
    assert leftovers(tmp_path) == []

    forced = gen(runner, out, "--seed", "7", "--force")
    assert forced.exit_code == 0, (forced.output, forced.exception)
    assert json.loads(manifest.read_text())["seed"] == 7
    assert not marker.exists()  # the old folder was replaced, not merged into
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("n", ["0", "-5"])
def test_generate_rejects_impossible_family_count(runner, tmp_path, n):
    out = tmp_path / "run"
    result = runner.invoke(cli, ["generate", "training_small", "--families", n, "--out", str(out)])
    assert_clean_user_error(result, f"--families {n} is impossible")
    assert not out.exists()


def test_generate_rejects_unknown_format(runner, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(cli, ["generate", "training_small", "-n", "5", "--format", "xml", "--out", str(out)])
    assert_clean_user_error(result, "--format xml is not supported", "parquet")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_generate_user_error_is_exactly_one_stderr_line(runner, tmp_path):
    result = runner.invoke(cli, ["generate", "training_small", "-n", "5", "--format", "xml",
                                 "--out", str(tmp_path / "run")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1


def test_generate_unknown_profile(runner, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(cli, ["generate", "trainng_small", "-n", "5", "--out", str(out)])
    assert_clean_user_error(result, "no such profile", "did you mean 'training_small'?")
    assert not out.exists()


def test_generate_invalid_profile_file(runner, tmp_path):
    path = (INVALID / "missing_distribution.yaml").resolve()
    result = runner.invoke(cli, ["generate", str(path), "-n", "5", "--out", str(tmp_path / "run")])
    assert_clean_user_error(result, f"{path}: world.distributions.father_age_gap: missing distribution")
    assert list(tmp_path.iterdir()) == []


def test_generate_csv_only(runner, tmp_path):
    out = tmp_path / "run"
    result = gen(runner, out, "--format", "csv")
    assert result.exit_code == 0, (result.output, result.exception)
    assert (out / "csv" / "cafcass_england" / "case" / "SYNTHETIC_case_part-00000.csv").is_file()
    assert (out / "csv" / "truth" / "person" / "SYNTHETIC_person_part-00000.csv").is_file()
    assert (out / "synth.duckdb").is_file()
    assert not list(out.rglob("*.parquet"))
    assert json.loads((out / "manifest.json").read_text())["formats"] == ["csv"]


def test_generate_failure_leaves_nothing_behind(runner, tmp_path, monkeypatch):
    import synth.pipeline as local

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(local, "build_duckdb", boom)
    out = tmp_path / "run"
    result = gen(runner, out)
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no .run.partial-* staging folder either


def test_generate_failure_with_force_keeps_the_old_run(runner, tmp_path, monkeypatch):
    import synth.pipeline as local

    out = tmp_path / "run"
    assert gen(runner, out).exit_code == 0
    before = (out / "manifest.json").read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(local, "build_duckdb", boom)
    result = gen(runner, out, "--force", "--seed", "9")
    assert isinstance(result.exception, RuntimeError)
    assert (out / "manifest.json").read_bytes() == before
    assert leftovers(tmp_path) == []


def test_generate_prints_summary_when_not_quiet(runner, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(cli, ["generate", "training_small", "-n", "20", "--out", str(out)])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "training_small: 20 families, seed 42" in result.stdout
    assert f"Wrote {out}" in result.stdout


# --------------------------------------------------------------------------------------------
# entry points


def test_python_dash_m_synth_help():
    proc = subprocess.run([sys.executable, "-m", "synth", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Usage:" in proc.stdout
    for sub in ("generate", "profiles"):
        assert sub in proc.stdout


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("synth, version ")


def test_generate_only_some_agencies_and_validate_that_run(runner, tmp_path):
    out = tmp_path / "run"
    result = runner.invoke(cli, ["generate", "training_small", "-n", "200", "-o", str(out), "-q",
                                 "--agencies", "cafcass_cymru,wds"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["cafcass_cymru", "truth", "wds"]
    assert json.loads((out / "manifest.json").read_text())["agencies"] == ["cafcass_cymru", "wds"]
    again = runner.invoke(cli, ["validate", str(out)])
    assert again.exit_code == 0, again.output


def test_generate_unknown_agency_is_one_clear_line(runner, tmp_path):
    result = runner.invoke(cli, ["generate", "training_small", "-o", str(tmp_path / "x"), "--agencies", "nope"])
    assert result.exit_code == 2
    assert "--agencies: nope is not an agency of profile training_small; use some of" in result.stderr
    assert not (tmp_path / "x").exists()
