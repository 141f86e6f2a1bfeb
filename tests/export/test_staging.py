"""The one staged writer: nothing but our own staging folder (and, with --force, our old output) is deleted."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

import synth.pipeline as pipeline
from synth.cli.main import cli
from synth.errors import OutputError
from synth.export import staging
from synth.export.staging import GENERATOR, MARKER, staged_dir, staged_files, staging_path
from synth.pipeline import generate
from synth.profile.loader import load_profile

FAMILIES = 300


@pytest.fixture(scope="module")
def loaded():
    return load_profile("training_small")


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 keeps stderr apart by default
        return CliRunner()


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _their_folder(path: Path) -> Path:
    path.mkdir()
    (path / "thesis.tex").write_text("years of work")
    return path


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if staging.STAGING_TAG in p.name)


# --------------------------------------------------------------------------------------------
# a destination that appears during the run


def test_a_folder_someone_creates_during_the_run_is_left_untouched(loaded, tmp_path):
    out = tmp_path / "run"

    def someone_else(done, total):
        if not out.exists():
            _their_folder(out)

    with pytest.raises(OutputError, match="appeared while synth was writing; it was left untouched"):
        generate(loaded, out, families=FAMILIES, duckdb=False, on_progress=someone_else)
    assert _snapshot(out) == {"thesis.tex": b"years of work"}
    assert _leftovers(tmp_path) == []


def test_even_with_force_a_folder_that_appears_and_is_not_ours_is_kept(loaded, tmp_path):
    out = tmp_path / "run"
    with pytest.raises(OutputError, match="not a synth output"):
        with staged_dir(out, force=True) as folder:
            (folder / "data.csv").write_text("a\n1\n")
            _their_folder(out)
    assert _snapshot(out) == {"thesis.tex": b"years of work"}
    assert _leftovers(tmp_path) == []


# --------------------------------------------------------------------------------------------
# --force


@pytest.mark.parametrize("case", ["not_a_run", "git_checkout", "python_project", "cwd", "cwd_parent", "home"])
def test_force_refuses_folders_that_are_not_synth_outputs(tmp_path, monkeypatch, case):
    target = _their_folder(tmp_path / "target")
    (target / "manifest.json").write_text(json.dumps({"generator": GENERATOR}))  # even one that looks like a run
    where = target
    if case == "not_a_run":
        (target / "manifest.json").write_text(json.dumps({"name": "my project"}))
    elif case == "git_checkout":
        (target / ".git").mkdir()
    elif case == "python_project":
        (target / "pyproject.toml").write_text("[project]\n")
    elif case == "cwd":
        monkeypatch.chdir(target)
        where = Path(".")
    elif case == "cwd_parent":
        (target / "sub").mkdir()
        monkeypatch.chdir(target / "sub")
        where = Path("..")
    elif case == "home":
        monkeypatch.setenv("HOME", str(target))
    before = _snapshot(tmp_path)
    result = _runner().invoke(cli, ["generate", "training_small", "-n", str(FAMILIES), "--out", str(where),
                                    "--force", "-q", "--no-validate"])
    assert result.exit_code == 2, (result.output, result.exception)
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {where} ") and "choose another --out" in line
    assert _snapshot(tmp_path) == before
    assert _leftovers(tmp_path) == [] and _leftovers(target) == []


def test_force_replaces_a_previous_run_and_only_it(loaded, tmp_path):
    out = tmp_path / "run"
    generate(loaded, out, families=FAMILIES, duckdb=False)
    (out / "notes.txt").write_text("inside the old run: replaced with it")
    neighbour = _their_folder(tmp_path / "neighbour")
    generate(loaded, out, families=FAMILIES, seed=7, duckdb=False, force=True)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["generator"] == GENERATOR
    assert not (out / "notes.txt").exists()
    assert _snapshot(neighbour) == {"thesis.tex": b"years of work"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neighbour", "run"]


def test_without_force_an_existing_run_is_refused_and_kept(loaded, tmp_path):
    out = tmp_path / "run"
    generate(loaded, out, families=FAMILIES, duckdb=False)
    before = _snapshot(out)
    with pytest.raises(OutputError, match="already exists; choose another --out or pass --force"):
        generate(loaded, out, families=FAMILIES, seed=7, duckdb=False)
    assert _snapshot(out) == before


# --------------------------------------------------------------------------------------------
# staging: hidden, marked, never a partial destination


def test_while_running_only_a_marked_hidden_staging_folder_exists(loaded, tmp_path):
    out = tmp_path / "run"
    seen = []

    def look(done, total):
        folder = staging_path(out)
        marker = json.loads((folder / MARKER).read_text())
        seen.append((out.exists(), folder.name.startswith(".run."), marker["pid"], marker["tool"]))

    generate(loaded, out, families=FAMILIES, duckdb=False, on_progress=look)
    assert seen == [(False, True, os.getpid(), GENERATOR)]
    assert not (out / MARKER).exists() and _leftovers(tmp_path) == []


def test_a_failing_exporter_leaves_no_destination_and_no_staging(loaded, tmp_path, monkeypatch):
    def boom(x):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pipeline, "EXPORTERS", (*pipeline.EXPORTERS[:-1], boom))
    with pytest.raises(RuntimeError, match="disk on fire"):
        generate(loaded, tmp_path / "deep" / "run", families=FAMILIES, duckdb=False)
    assert list(tmp_path.iterdir()) == []  # not even the parent folders it created


def test_every_file_is_fsynced_before_the_rename(tmp_path, monkeypatch):
    synced = []
    real = os.fsync

    def spy(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        return real(fd)

    monkeypatch.setattr(staging.os, "fsync", spy)
    out = tmp_path / "out"
    with staged_dir(out) as folder:
        (folder / "sub").mkdir()
        (folder / "sub" / "a.csv").write_text("x\n")
        (folder / "b.csv").write_text("y\n")
        staged = str(folder)
    assert {f"{staged}/sub/a.csv", f"{staged}/b.csv", f"{staged}/sub", staged, str(tmp_path)} <= set(synced)
    assert _snapshot(out) == {"b.csv": b"y\n", "sub/a.csv": b"x\n"}


def test_a_stale_staging_folder_of_a_killed_run_is_removed_by_the_next_run(loaded, tmp_path):
    out = tmp_path / "run"
    dead, alive = staging_path(out, _dead_pid()), staging_path(out, os.getppid())
    for folder, pid in ((dead, int(dead.name.rsplit("-", 1)[1])), (alive, os.getppid())):
        folder.mkdir()
        (folder / MARKER).write_text(json.dumps({"tool": GENERATOR, "pid": pid}))
        (folder / "half.parquet").write_bytes(b"PAR1")
    unmarked = staging_path(out, _dead_pid())  # named like ours but not carrying our marker: not ours
    _their_folder(unmarked)
    generate(loaded, out, families=FAMILIES, duckdb=False)
    assert not dead.exists()
    assert (alive / "half.parquet").exists()  # its process still runs
    assert _snapshot(unmarked) == {"thesis.tex": b"years of work"}
    assert (out / "manifest.json").exists()


# --------------------------------------------------------------------------------------------
# single files (learn's profile and log, linkage outputs)


def test_staged_files_replace_files_only_with_force_and_never_a_folder(tmp_path):
    a, b = tmp_path / "p.disclosure.md", tmp_path / "p.yaml"
    b.write_text("old profile")
    with pytest.raises(OutputError, match="already exists"):
        with staged_files([a, b]) as folder:
            (folder / a.name).write_text("log")
    assert not a.exists() and b.read_text() == "old profile"
    with staged_files([a, b], force=True) as folder:
        (folder / a.name).write_text("log")
        (folder / b.name).write_text("new profile")
    assert (a.read_text(), b.read_text()) == ("log", "new profile")
    (tmp_path / "c.yaml").mkdir()
    with pytest.raises(OutputError, match="is not a file"):
        with staged_files([tmp_path / "c.yaml"], force=True):
            pass
    assert _leftovers(tmp_path) == []


# --------------------------------------------------------------------------------------------
# signals


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_run_removes_the_staging_folder(tmp_path, sig, code):
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "synth", "generate", "training_small", "-n", "25000",
                             "--out", str(out), "-q", "--no-validate"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _leftovers(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _leftovers(tmp_path), "the run never staged"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == code, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------
# other commands that write: returns, linkage


@pytest.fixture(scope="module")
def small_run(loaded, tmp_path_factory):
    out = tmp_path_factory.mktemp("staging-run") / "run"
    generate(loaded, out, families=FAMILIES, duckdb=False)
    return out


def test_returns_never_replace_the_run_they_read_and_replace_only_their_own_folder(small_run, tmp_path):
    before = _snapshot(small_run)
    into_run = _runner().invoke(cli, ["returns", str(small_run), "--out", str(small_run), "--force"])
    assert into_run.exit_code == 2 and "is or holds the input" in into_run.stderr
    assert _snapshot(small_run) == before
    theirs = _their_folder(tmp_path / "theirs")
    refused = _runner().invoke(cli, ["returns", str(small_run), "--out", str(theirs), "--force"])
    assert refused.exit_code == 2 and "not a synth output" in refused.stderr
    assert _snapshot(theirs) == {"thesis.tex": b"years of work"}
    out = tmp_path / "returns"
    assert _runner().invoke(cli, ["returns", str(small_run), "--out", str(out)]).exit_code == 0
    assert json.loads((out / "manifest.json").read_text())["kind"] == "synth returns"
    again = _runner().invoke(cli, ["returns", str(small_run), "--out", str(out), "--force"])
    assert again.exit_code == 0, again.output
    assert _leftovers(tmp_path) == []


def test_a_linkage_output_file_is_staged_and_a_failure_leaves_nothing(small_run, tmp_path, monkeypatch):
    out = tmp_path / "clusters.csv"
    ok = _runner().invoke(cli, ["linkage", "link", str(small_run), "--on", "NHS_NUMBER", "--out", str(out)])
    assert ok.exit_code == 0, ok.output
    assert out.read_text().startswith("agency,id,cluster") and _leftovers(tmp_path) == []
    import synth.linkage.io as io
    import synth.linkage.output as output

    real = output.staged_files

    @contextmanager
    def fail_inside(paths, force=True):
        with real(paths, force) as folder:
            yield folder
            assert (folder / out.name).stat().st_size > 0  # written in the staging folder...
            raise RuntimeError("disk on fire")  # ...and then the command fails

    monkeypatch.setattr(output, "staged_files", fail_inside)
    before = out.read_bytes()
    from synth.linkage.deterministic import link_exact

    with pytest.raises(RuntimeError, match="disk on fire"):
        link_exact(io.open_run(small_run), ["NHS_NUMBER"], out, "csv")
    assert out.read_bytes() == before and _leftovers(tmp_path) == []


def test_discard_staged_removes_only_inside_a_live_staging_folder(tmp_path):
    from synth.export.staging import discard_staged

    keep = tmp_path / "theirs.txt"
    keep.write_text("keep")
    with staged_dir(tmp_path / "out") as staging:
        (staging / "parts").mkdir()
        (staging / "parts" / "a.parquet").write_text("x")
        discard_staged(staging / "parts", staging)
        assert not (staging / "parts").exists()
        with pytest.raises(ValueError):
            discard_staged(keep, staging)
    with pytest.raises(ValueError):  # not a staging folder at all
        discard_staged(keep, tmp_path)
    assert keep.read_text() == "keep"


def test_scratch_folders_are_removed_only_when_ours(tmp_path):
    from synth.export.staging import make_scratch, remove_scratch

    scratch = make_scratch("synth-test-")
    (scratch / "run").mkdir()
    remove_scratch(scratch)
    assert not scratch.exists()
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    remove_scratch(theirs)
    assert theirs.is_dir()


def test_staged_files_retires_a_file_the_new_output_no_longer_has(tmp_path):
    (tmp_path / "p.yaml").write_text("old")
    (tmp_path / "p.volumes.csv").write_text("old")
    with pytest.raises(OutputError):  # without force, the old output stays whole
        with staged_files([tmp_path / "p.yaml"], retire=[tmp_path / "p.volumes.csv"]) as staging:
            (staging / "p.yaml").write_text("new")
    assert (tmp_path / "p.volumes.csv").exists()
    with staged_files([tmp_path / "p.yaml"], force=True, retire=[tmp_path / "p.volumes.csv"]) as staging:
        (staging / "p.yaml").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml"]
