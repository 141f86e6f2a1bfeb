"""``--dirty [LEVEL]`` on generate and ``dirty=`` in the API: levels, errors, and default runs unchanged."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner

import synth
from synth.cli.main import cli
from synth.dirty import check_dirty_level
from synth.errors import InputError
from synth.pipeline import generate
from synth.profile.loader import load_profile


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def _digests(root) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.suffix in (".parquet", ".csv", ".md", ".json")
            and p.name != "manifest.json"}


def test_a_negative_level_is_a_usage_error(tmp_path):
    # click reads "-1" as an unknown option, not a value (an option whose value is optional); still exit 2
    out = str(tmp_path / "r")
    result = _runner().invoke(cli, ["generate", "training_small", "-n", "5", "--out", out, "--dirty=-1"])
    assert result.exit_code == 2 and "-1" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("value", ["abc", "4", "1.5", "", "two"])
def test_bad_dirty_values_exit_2_with_one_line(tmp_path, value):
    out = tmp_path / "run"
    result = _runner().invoke(cli, ["generate", "training_small", "-n", "5", "--out", str(out), f"--dirty={value}"])
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    (line,) = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert line.startswith("error: --dirty") and "1, 2 or 3" in line
    assert not out.exists()


@pytest.mark.parametrize("value", ["x", 4, -1, True, 1.0, None])
def test_the_api_refuses_bad_levels_with_the_cli_message(value):
    with pytest.raises(InputError, match="--dirty"):
        check_dirty_level(value)
    with pytest.raises(InputError, match="--dirty"):
        synth.generate("training_small", families=5, dirty=value)


def test_dirty_alone_is_level_1_and_the_level_is_in_the_manifest(tmp_path):
    out = tmp_path / "run"
    result = _runner().invoke(cli, ["generate", "training_small", "-n", "60", "--out", str(out), "--no-validate",
                                    "--no-duckdb", "-q", "--dirty"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["dirty_level"] == 1
    assert "truth/quality_issues" in manifest["counts"]
    assert "quality_issues" in (out / "dictionary.md").read_text()
    names = [r["name"] for r in json.loads((out / "datapackage.json").read_text())["resources"]]
    assert "truth.quality_issues" in names


def test_a_default_run_has_no_dirt_and_equals_dirty_0(tmp_path):
    loaded = load_profile("training_small")
    generate(loaded, tmp_path / "default", families=300, seed=4, formats=("parquet", "csv"), duckdb=False)
    generate(loaded, tmp_path / "zero", families=300, seed=4, formats=("parquet", "csv"), duckdb=False, dirty=0)
    assert _digests(tmp_path / "default") == _digests(tmp_path / "zero")
    assert not (tmp_path / "default" / "truth" / "quality_issues").exists()
    manifest = json.loads((tmp_path / "default" / "manifest.json").read_text())
    assert manifest["dirty_level"] == 0 and "truth/quality_issues" not in manifest["counts"]
    assert "quality_issues" not in (tmp_path / "default" / "dictionary.md").read_text()


def test_dirt_leaves_the_truth_and_untouched_tables_byte_identical(pair):
    """Faults are drawn from their own streams after the views: the world and every table without a
    logged fault are the clean run's bytes (so a default run is today's run)."""
    clean, dirty = pair
    a, b = _digests(clean), _digests(dirty)
    log = __import__("pandas").read_parquet(dirty / "truth" / "quality_issues")
    faulted = {f"{x}/{y}/" for x, y in zip(log["agency"], log["table"])}
    faulted_csv = {f"csv/{t}" for t in faulted}
    same = [k for k in a if k.startswith("truth/") or not any(k.startswith(p) for p in faulted | faulted_csv)]
    assert any(k.startswith("truth/") for k in same)
    assert [k for k in same if k.endswith((".parquet", ".csv")) and a[k] != b.get(k)] == []
