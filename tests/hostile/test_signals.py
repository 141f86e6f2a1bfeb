"""SIGTERM and SIGINT during ``synth generate``: exit 143 / 130, no staging folder, no destination."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from hostile.harness import differences, run_synth, snapshot, workdir

FAMILIES = "30000"


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)],
                         ids=["SIGTERM", "SIGINT"])
def test_signal_mid_run(signum, code, tmp_path):
    """Owner H1: the staged writer removes its staging folder and exits 128 + the signal."""
    from hostile.harness import Spec

    cwd = workdir(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    dest = cwd / "run"
    spec = Spec(["generate", "england_wales", "--families", FAMILIES, "--no-validate", "--no-duckdb", "-q",
                 "--out", str(dest)], cwd, signal=(signum, cwd / ".*"))
    before = snapshot(tmp_path)
    got, out, err, secs = run_synth(spec, home, timeout=120)
    after = snapshot(tmp_path)
    shown = f"\n--- exit {got} in {secs:.1f}s\n--- stderr:\n{err[-2000:]}"
    assert "Traceback" not in err + out, "a traceback" + shown
    assert got == code, f"exit {got}, wanted {code}" + shown
    assert not dest.exists(), "the destination was created" + shown
    left = [p.name for p in Path(cwd).iterdir() if p.name.startswith(".")]
    assert not left, f"left behind: {left}" + shown
    assert not differences(before, after), ", ".join(differences(before, after)) + shown
