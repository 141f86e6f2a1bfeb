"""The hostile-input harness: every case runs ``python -m synth ...`` in a subprocess.

A case is declarative (:class:`Case`): ``build(root, inputs)`` makes the case's files under its
own folder ``root`` and returns a :class:`Spec` (arguments, working directory, the destination
that may legitimately change). The harness hashes every file under ``root`` (path, size, mtime,
SHA-256; folders by name) before and after the command, so anything created, changed or deleted
outside the destination is caught, staging folders left behind included.

Subprocesses are slow to start (about 0.6 s of imports each), so the cases selected in a session
are run up front, a few at a time, by the session fixture :func:`outcomes`; each parametrised
test then asserts on its own case's outcome. Running one test (``-k``) runs only its case.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: Families in the session's small run (training_small).
RUN_FAMILIES = 300
RUN_SEED = 5
#: Seconds a case may take before it is killed (a hang is a failure).
TIMEOUT = 60
#: Cases run at once.
PARALLEL = max(2, min(4, (os.cpu_count() or 2) + 1))

#: Words that show an error line says what to do.
HINTS = ("give", "add", "use", "remove", "fix", "rename", "choose", "regenerate", "export", "point", "pass",
         "check", "set", "save", "create", "delete", "install", "convert", "replace", "one of", "did you mean",
         "must", "should", "expected", "write", "break", "drop", "make", "move", "pick", "name", "run ",
         "re-", "try", "at least", "at most", "between", "only", "instead", "known", "valid", "allowed",
         "split", "shorten", "rescale", "so that", "so they", "reduce", "raise", "lower", "keep", "correct",
         "edit", "list", "fill",
         "supported", "needs", "need ")

#: Lines click adds around a usage error (the error itself is the ``Error:`` line).
CLICK_FRAME = re.compile(r"^(Usage: |Try '.*' for help\.)")


@dataclass
class Spec:
    """How to run one case, made by its ``build``.

    Attributes:
        args: arguments after ``python -m synth``.
        cwd: working directory (inside the case folder).
        dest: a path the command may create or change (left out of the before/after comparison).
        env: extra environment variables.
        signal: with ``(signal number, path)``: wait until ``path`` appears, then send the signal.
    """

    args: list[str]
    cwd: Path
    dest: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    signal: tuple[int, Path] | None = None


@dataclass
class Case:
    """One hostile input.

    Attributes:
        id: the test id.
        build: ``(root, inputs) -> Spec``; ``root`` is the case's own empty folder.
        codes: acceptable exit codes (2: a user error; 1: a failed check; 0: must succeed).
        names: text the error line must contain (case-insensitive), e.g. the file, key or option.
        owner: the helper whose code decides the outcome (for the report).
        could_not_run: with exit 1, the output must say a check "could not run".
        max_seconds: the command (start-up included) must end within this many seconds.
        lines: error lines allowed (1 unless a case has several independent problems).
        allowed: path prefixes (relative to the case folder) a third-party library may create
            outside the destination (each one is reported in the suite's notes).
    """

    id: str
    build: Callable[[Path, Inputs], Spec]
    codes: tuple[int, ...] = (2,)
    names: tuple[str, ...] = ()
    owner: str = ""
    could_not_run: bool = False
    max_seconds: float | None = None
    lines: int = 1
    allowed: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return self.id


@dataclass
class Outcome:
    """What running a case gave."""

    code: int | None
    stdout: str
    stderr: str
    seconds: float
    changed: list[str]
    spec: Spec
    error: str = ""


@dataclass
class Inputs:
    """Session-wide inputs cases copy from (never modified by a case)."""

    run: Path
    startup: float


def synth_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a case: HOME in the case folder, no profile search path, wide plain output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNTH_", "PYTEST_", "COV_"))}
    env.update({"HOME": str(home), "COLUMNS": "200", "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra or {})
    return env


def _digest(path: Path, size: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        if size <= 16 << 20:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        else:  # large (sparse) files: both ends
            h.update(f.read(1 << 20))
            f.seek(size - (1 << 20))
            h.update(f.read())
    return h.hexdigest()


def snapshot(root: Path, exclude: Path | None = None) -> dict[str, tuple]:
    """Every file (size, mtime, SHA-256) and folder under ``root``, except ``exclude`` and what it holds."""
    out: dict[str, tuple] = {}
    skip = exclude.resolve() if exclude is not None else None
    for dirpath, dirnames, filenames in os.walk(root):
        d = Path(dirpath)
        if skip is not None and d.resolve() == skip:
            dirnames[:] = []
            continue
        for name in dirnames:
            p = d / name
            if skip is None or p.resolve() != skip:
                out[str(p.relative_to(root))] = ("dir",)
        for name in filenames:
            p = d / name
            if skip is not None and p.resolve() == skip:
                continue
            st = p.lstat()
            if p.is_symlink():
                out[str(p.relative_to(root))] = ("link", os.readlink(p))
            else:
                out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns, _digest(p, st.st_size))
    return out


def differences(before: dict, after: dict) -> list[str]:
    """Human-readable changes between two snapshots."""
    out = [f"created {k}" for k in sorted(set(after) - set(before))]
    out += [f"deleted {k}" for k in sorted(set(before) - set(after))]
    out += [f"changed {k}" for k in sorted(set(before) & set(after)) if before[k] != after[k]]
    return out


class ForkServer:
    """Runs commands through :mod:`hostile.forkserver` (one import, a fork per command)."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        self.lock = threading.Lock()
        self.n = 0
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("forkserver.py"))],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=open(scratch / "forkserver.log", "w"),  # noqa: SIM115
                                     text=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"fork server did not start; see {scratch / 'forkserver.log'}")

    def run(self, args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[int | None, str, str]:
        with self.lock:
            self.n += 1
            base = self.scratch / f"cmd{self.n}"
        files = {k: f"{base}.{k}" for k in ("stdout", "stderr", "result", "pid")}
        req = {"args": args, "cwd": str(cwd), "env": env, **files}
        with self.lock:
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        result = Path(files["result"])
        while not result.exists():
            if time.monotonic() > deadline:
                pid = Path(files["pid"])
                if pid.exists():
                    os.kill(int(pid.read_text()), 9)
                while not result.exists():
                    time.sleep(0.05)
                return None, _read(files["stdout"]), _read(files["stderr"]) + f"\n[harness] killed after {timeout} s"
            time.sleep(0.02)
        return int(result.read_text()), _read(files["stdout"]), _read(files["stderr"])

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except FileNotFoundError:
        return ""


def run_synth(spec: Spec, home: Path, timeout: float = TIMEOUT,
              server: ForkServer | None = None) -> tuple[int | None, str, str, float]:
    """Run ``python -m synth *spec.args`` (through ``server`` when given and no signal is to be sent)."""
    start = time.perf_counter()
    if server is not None and spec.signal is None and not os.environ.get("HOSTILE_SUBPROCESS"):
        code, out, err = server.run(spec.args, spec.cwd, synth_env(home, spec.env), timeout)
        return code, out, err, time.perf_counter() - start
    proc = subprocess.Popen([sys.executable, "-m", "synth", *spec.args], cwd=spec.cwd,
                            env=synth_env(home, spec.env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, errors="replace")
    if spec.signal is not None:
        signum, watch = spec.signal
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            if any(True for _ in _appeared(watch)):
                time.sleep(0.3)
                proc.send_signal(signum)
                break
            time.sleep(0.05)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return None, out, err + f"\n[harness] killed after {timeout} s", time.perf_counter() - start
    return proc.returncode, out, err, time.perf_counter() - start


def _appeared(watch: Path):
    """Yield once if ``watch`` exists; a name with ``*`` is a glob in its parent folder."""
    if "*" in watch.name:
        yield from watch.parent.glob(watch.name)
    elif watch.exists():
        yield watch


def execute(case: Case, root: Path, inputs: Inputs, server: ForkServer | None = None) -> Outcome:
    """Build a case in ``root``, snapshot, run, snapshot again."""
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "notes.txt").write_text("a user's file in HOME\n")
    try:
        spec = case.build(root, inputs)
    except Exception as e:  # noqa: BLE001 - a broken case is reported, not raised in a thread
        return Outcome(None, "", "", 0.0, [], Spec([], root), error=f"build failed: {type(e).__name__}: {e}")
    # Only a command that may succeed (0) or report failed checks (1) may write its destination.
    dest = spec.dest if {0, 1} & set(case.codes) else None
    before = snapshot(root, dest)
    code, out, err, secs = run_synth(spec, home, server=server)
    after = snapshot(root, dest)
    return Outcome(code, out, err, secs, differences(before, after), spec)


def measure_startup(home: Path) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "synth", "--version"], env=synth_env(home), capture_output=True,
                       check=False)
        best = min(best, time.perf_counter() - start)
    return best


def error_lines(stderr: str) -> list[str]:
    """Non-blank stderr lines, without click's usage frame."""
    return [ln for ln in (x.strip() for x in stderr.splitlines()) if ln and not CLICK_FRAME.match(ln)]


def check(case: Case, got: Outcome, inputs: Inputs) -> None:
    """The assertions every hostile case shares."""
    assert not got.error, got.error
    shown = f"\n--- exit {got.code} in {got.seconds:.1f}s; args {got.spec.args}\n--- stderr:\n{got.stderr[-3000:]}" \
            f"\n--- stdout:\n{got.stdout[-1500:]}"
    assert "Traceback" not in got.stderr + got.stdout, "a traceback" + shown
    assert got.code in case.codes, f"exit {got.code}, wanted {case.codes}" + shown
    if got.code == 2:
        lines = error_lines(got.stderr)
        assert 1 <= len(lines) <= case.lines, f"{len(lines)} error lines, wanted {case.lines}" + shown
        text = " ".join(lines).lower()
        assert lines[0].lower().startswith("error"), "the error line does not start with 'error'" + shown
        for name in case.names:
            assert name.lower() in text, f"the error does not name {name!r}" + shown
        assert any(h in text for h in HINTS), "the error gives no fix" + shown
    if got.code == 1 and case.could_not_run:  # said on the terminal or in the reports (quiet runs)
        reports = [p.read_text(errors="replace") for p in (got.spec.dest.rglob("*") if got.spec.dest else [])
                   if p.is_file() and p.suffix in (".json", ".html")]
        assert "could not run" in " ".join([got.stdout, got.stderr, *reports]).lower(), \
            "no 'could not run' shown or reported" + shown
    changed = [c for c in got.changed if not any(c.split(" ", 1)[1].startswith(a) for a in case.allowed)]
    assert not changed, "changed outside the destination: " + ", ".join(changed[:10]) + shown
    if case.max_seconds is not None:
        assert got.seconds < case.max_seconds + inputs.startup, \
            f"took {got.seconds:.1f}s (start-up {inputs.startup:.1f}s)" + shown


# -- helpers the case modules share ---------------------------------------------------------------

def copy_run(inputs: Inputs, to: Path) -> Path:
    """A writable copy of the session run at ``to``."""
    shutil.copytree(inputs.run, to)
    for p in to.rglob("*"):
        if p.is_file():
            p.chmod(0o644)
    return to


def workdir(root: Path) -> Path:
    """The case's working directory, holding a file of the user's."""
    cwd = root / "cwd"
    cwd.mkdir(exist_ok=True)
    (cwd / "keep.txt").write_text("the user's own file\n")
    return cwd


__all__ = ["Case", "Spec", "Inputs", "Outcome", "check", "copy_run", "workdir", "snapshot", "differences",
           "run_synth", "execute", "ForkServer", "measure_startup", "synth_env", "RUN_FAMILIES", "RUN_SEED", "PARALLEL"]
