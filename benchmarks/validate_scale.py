"""Time and peak memory of ``synth validate`` at a given size (a benchmark, not a timed test).

Generates a run of ``--families`` (unless ``--run`` names an existing one), then validates it in a
child process and reports the wall time, the child's CPU seconds, its peak resident memory (``wait4``
rusage), the peak of the summed memory (RSS and PSS) of the child and its worker processes (sampled) and the seconds
per check group (from the report's timings). Issue 15 asks for 1,000,000 families in
under 2 minutes and 1.5 GB on 2 cores:

    .venv/bin/python benchmarks/validate_scale.py --families 1000000 --workers 2 --keep /tmp/big
    .venv/bin/python benchmarks/validate_scale.py --run /tmp/big            # validate again only

To compare with an older commit, point ``--code`` at an exported tree of it
(``git archive <commit> synth | tar -x -C /tmp/old``): the child runs with that ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def generate(profile: str, families: int, workers: int, out: Path) -> float:
    """Generate the run to validate (no DuckDB file, no validation); its wall seconds."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "synth", "generate", profile, "--families", str(families), "--workers",
                    str(workers), "--out", str(out), "--no-duckdb", "--no-validate", "-q", "--force"], check=True)
    return time.perf_counter() - t0


def validate(run: Path, scratch: Path, code: Path | None) -> dict:
    """Validate ``run`` in a child process; wall seconds, peak RSS (MB), exit code and group timings."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    report = scratch / "report.json"
    log = scratch / "progress.jsonl"
    cmd = [sys.executable, "-m", "synth", "validate", str(run), "-q", "--json", str(report),
           "--html", str(scratch / "report.html"), "--log-json", str(log)]
    errors = scratch / "stderr.txt"
    t0 = time.perf_counter()
    with errors.open("w") as err:
        # From the scratch folder: with `-m`, the working directory comes first on sys.path (before --code).
        proc = subprocess.Popen(cmd, env=env, cwd=scratch, stdout=subprocess.DEVNULL, stderr=err)
        tree = _TreeRss(proc.pid, log)
        _, status, usage = os.wait4(proc.pid, 0)
        tree.stop()
    wall = time.perf_counter() - t0
    meta = json.loads(report.read_text())["meta"] if report.exists() else {}
    # CPU seconds too: on a shared machine the wall time includes waiting for the cores.
    return {"wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024),
            "peak_tree_rss_mb": tree.peak_mb, "peak_tree_pss_mb": tree.peak_pss_mb,
            "peak_tree_pss_mb_by_phase": tree.by_phase,
            "exit": os.waitstatus_to_exitcode(status),
            "timings": meta.get("timings", {}),
            "stderr": errors.read_text().strip()[-300:]}


class _TreeRss:
    """Samples the summed resident memory of a process and its descendants (realism's worker processes)
    every 0.2 s: ``wait4``'s peak is the largest single process, not their sum. Forked workers share
    pages with the parent, so the RSS sum counts those twice; PSS shares them out (the physical total)."""

    def __init__(self, pid: int, log: Path) -> None:
        self.pid, self.peak_mb, self.peak_pss_mb, self._done = pid, 0, 0, threading.Event()
        self.log, self.by_phase = log, {}
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            import psutil
        except ImportError:
            return
        while not self._done.wait(0.2):
            try:
                root = psutil.Process(self.pid)
                procs = [root, *root.children(recursive=True)]
                total = pss = 0
                for p in procs:
                    try:
                        info = p.memory_full_info()
                        total, pss = total + info.rss, pss + info.pss
                    except psutil.Error:
                        pass
            except psutil.Error:
                return
            self.peak_mb = max(self.peak_mb, round(total / 2**20))
            self.peak_pss_mb = max(self.peak_pss_mb, round(pss / 2**20))
            phase = self._phase()
            self.by_phase[phase] = max(self.by_phase.get(phase, 0), round(pss / 2**20))

    def _phase(self) -> str:
        """The phase the progress log names last (``validate:<group>``)."""
        try:
            lines = self.log.read_text().splitlines()
            return json.loads(lines[-1])["phase"] if lines else "start"
        except (OSError, ValueError, KeyError):
            return "start"

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", type=int, default=100_000)
    ap.add_argument("--profile", default="england_wales")
    ap.add_argument("--workers", type=int, default=2, help="processes generating the run")
    ap.add_argument("--run", type=Path, help="validate this existing run instead of generating one")
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    ap.add_argument("--code", type=Path, help="PYTHONPATH of the synth package to validate with (an older tree)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="synth-validate-bench-") as tmp:
        scratch = Path(tmp)
        run = args.run
        gen_s = None
        if run is None:
            run = args.keep or scratch / "run"
            gen_s = round(generate(args.profile, args.families, args.workers, run), 1)
        families = json.loads((run / "manifest.json").read_text()).get("families")
        result = validate(run, scratch, args.code)
    print(json.dumps({"families": families, "generate_s": gen_s, **result}, indent=2))


if __name__ == "__main__":
    main()
