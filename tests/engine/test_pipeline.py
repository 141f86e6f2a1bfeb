"""A run request is resolved and checked once, before any work; impossible options are one line, exit 2."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from synth.cli.main import cli
from synth.errors import InputError, OutputError
from synth.pipeline import MAX_SEED, RunRequest, generate, resolve
from synth.profile.loader import load_profile


@pytest.fixture(scope="module")
def loaded():
    return load_profile("training_small")


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 keeps stderr apart by default
        return CliRunner()


def _surroundings(root: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.read_bytes() if p.is_file() else b"")
            for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize(("args", "needle"), [
    (["--seed", "-1"], "--seed -1 is impossible; give a whole number from 0 to"),
    (["--seed", str(2**63)], f"--seed {2**63} is impossible"),
    (["--families", "0"], "--families 0 is impossible"),
    (["--families", "-3"], "--families -3 is impossible"),
    (["--families", "1000000000000"], "--families 1000000000000 is impossible; give a number from 1 to"),
    (["--workers", "0"], "--workers 0 is impossible; give a number from 1 to"),
    (["--workers", "-2"], "--workers -2 is impossible"),
    (["--workers", "100000"], "--workers 100000 is impossible"),
    (["--format", "xml"], "--format xml is not supported"),
    (["--format", ","], "--format (empty) is not supported"),
    (["--agencies", "nope"], "--agencies: nope is not an agency of profile training_small; use some of"),
    (["--agencies", "cafcass_englnd"], "did you mean cafcass_england?"),
])
def test_an_impossible_option_is_one_line_and_nothing_is_written(tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keep.txt").write_text("x")
    before = _surroundings(tmp_path)
    result = _runner().invoke(cli, ["generate", "training_small", "-n", "50", "--out", "run", "-q", *args])
    assert result.exit_code == 2, (result.output, result.exception)
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and needle in line
    assert _surroundings(tmp_path) == before


def test_an_out_that_is_a_file_or_under_a_file_is_one_line(tmp_path):
    (tmp_path / "file").write_text("mine")
    for out, needle in ((tmp_path / "file", "exists and is not a folder"),
                        (tmp_path / "file" / "run", "cannot create")):
        for force in ([], ["--force"]):
            result = _runner().invoke(cli, ["generate", "training_small", "-n", "50", "--out", str(out), "-q",
                                            "--no-validate", *force])
            assert result.exit_code == 2, (result.output, result.exception)
            (line,) = result.stderr.strip().splitlines()
            assert needle in line and str(tmp_path / "file") in line
    assert [p.name for p in tmp_path.iterdir()] == ["file"] and (tmp_path / "file").read_text() == "mine"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_parent_is_one_line(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = _runner().invoke(cli, ["generate", "training_small", "-n", "50", "--out", str(locked / "run"), "-q"])
    finally:
        locked.chmod(0o700)
    assert result.exit_code == 2 and "cannot write in" in result.stderr and list(locked.iterdir()) == []


def test_resolve_fills_defaults_from_the_profile_and_is_frozen(loaded, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = resolve(loaded, agencies=["cafcass_england"])
    prof = loaded.profile
    assert (r.families, r.seed, r.formats, r.workers, r.engine) == (prof.size.families, prof.seed, ("parquet",), 1,
                                                                    "local")
    assert r.out == Path("output") / f"{prof.name}-s{prof.seed}-f{prof.size.families}"
    assert list(r.loaded.profile.agencies) == ["cafcass_england"] and r.agencies == ("cafcass_england",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.seed = 1  # type: ignore[misc]
    assert isinstance(r, RunRequest) and list(tmp_path.iterdir()) == []  # resolving writes nothing


def test_an_existing_destination_is_refused_before_any_work(loaded, tmp_path):
    (tmp_path / "run").mkdir()
    with pytest.raises(OutputError, match="not a synth output"):
        resolve(loaded, families=10, out=tmp_path / "run", force=True)
    with pytest.raises(InputError, match="--seed"):
        resolve(loaded, families=10, seed=-5, out=tmp_path / "other")


def test_the_largest_seed_runs(loaded, tmp_path):
    result = generate(loaded, tmp_path / "run", families=30, seed=MAX_SEED, duckdb=False)
    assert json.loads((result.path / "manifest.json").read_text())["seed"] == MAX_SEED
