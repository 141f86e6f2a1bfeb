"""Generation throughput of two commits side by side, in one run, on this machine.

Each commit is checked out as a temporary git worktree and run through its own CLI (``python -m
synth generate ... --no-duckdb --no-validate``) with the same interpreter, so the comparison is the
code alone. Runs alternate (A, B, A, B, ...) so drift in the machine's load hits both alike; the
table gives every wall time, the median, children/s and rows/s, and the ratio B/A.

    .venv/bin/python benchmarks/compare_commits.py --before HEAD~5 --after HEAD \\
        --families 580000 --workers 2 --repeats 2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def worktree(commit: str, parent: Path) -> Path:
    """Check ``commit`` out into a detached worktree under ``parent``."""
    sha = subprocess.run(["git", "rev-parse", commit], cwd=REPO, check=True, capture_output=True,
                         text=True).stdout.strip()
    path = parent / sha[:12]
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(path), sha], cwd=REPO, check=True)
    return path


def one_run(tree: Path, profile: str, families: int, workers: int, out: Path) -> dict:
    """Generate once with the code in ``tree``; return wall seconds and the manifest's counts."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, "-m", "synth", "generate", profile, "--families", str(families), "--out", str(out),
           "--workers", str(workers), "--no-duckdb", "--no-validate", "-q", "--force"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"{tree}: {proc.stderr.strip()}")
    manifest = json.loads((out / "manifest.json").read_text())
    counts = manifest["counts"]
    return {"wall_s": wall, "rows": sum(counts.values()), "children": counts.get("truth/proceeding_child", 0)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="commit A (e.g. the commit before a change)")
    ap.add_argument("--after", default="HEAD", help="commit B (default HEAD)")
    ap.add_argument("--profile", default="england_wales")
    ap.add_argument("--families", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="synth-bench-") as tmp:
        base = Path(tmp)
        trees = {"A": worktree(args.before, base), "B": worktree(args.after, base)}
        results: dict[str, list[dict]] = {"A": [], "B": []}
        try:
            for i in range(args.repeats):
                for label in ("A", "B"):
                    r = one_run(trees[label], args.profile, args.families, args.workers, base / f"out-{label}")
                    results[label].append(r)
                    print(f"{label} run {i + 1}: {r['wall_s']:.1f} s", flush=True)
        finally:
            for tree in trees.values():
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, check=False)
    print(f"\n{args.profile}, {args.families:,} families, --workers {args.workers}, no DuckDB, no validation")
    print(f"{'':2} {'commit':14} {'wall s (each)':24} {'median s':>9} {'children/s':>11} {'rows/s':>11}")
    med = {}
    for label, commit in (("A", args.before), ("B", args.after)):
        walls = [r["wall_s"] for r in results[label]]
        med[label] = statistics.median(walls)
        r0 = results[label][0]
        print(f"{label:2} {commit:14} {', '.join(f'{w:.1f}' for w in walls):24} {med[label]:9.1f} "
              f"{r0['children'] / med[label]:11,.0f} {r0['rows'] / med[label]:11,.0f}")
    print(f"B/A wall time: {med['B'] / med['A']:.3f}")


if __name__ == "__main__":
    main()
