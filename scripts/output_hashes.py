"""Record, or compare, the SHA-256 of every output file of the shipped profiles.

A refactor that claims to preserve behaviour proves it with bytes: run ``record`` before the first
refactor commit and again after, then ``compare`` the two files. Every shipped profile is generated
at two seeds, with one worker, two workers and the Dask engine, into a scratch folder.

Usage::

    python scripts/output_hashes.py record --out before.json [--families N] [--no-dask]
    python scripts/output_hashes.py compare before.json after.json

``manifest.json`` is hashed without its timings, paths, engine and package versions (which
legitimately change between runs); ``report.json`` without its meta block (folder name, timings);
everything else (data files, dictionary, SDV metadata) is
hashed as written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

PROFILES = ("england_wales", "training_small", "wales_sail")
SEEDS = (1, 20240331)
ENGINES = {"w1": ["--workers", "1"], "w2": ["--workers", "2"],
           "dask": ["--engine", "dask", "--workers", "2"]}
VOLATILE_MANIFEST_KEYS = ("timings", "packages", "python", "path", "engine", "workers", "scheduler")


def _stable_manifest(path: Path) -> bytes:
    data = json.loads(path.read_text())

    def strip(obj: object) -> object:
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if k not in VOLATILE_MANIFEST_KEYS}
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        return obj

    return json.dumps(strip(data), sort_keys=True).encode()


def _stable_report(path: Path) -> bytes:
    data = json.loads(path.read_text())
    data.pop("meta", None)  # run folder name and timings
    return json.dumps(data, sort_keys=True).encode()


def digest_run(root: Path) -> dict[str, str]:
    """SHA-256 of every file in a run folder (manifest and report without volatile fields)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.suffix in (".duckdb", ".html", ".wal"):
            continue
        rel = str(p.relative_to(root))
        if rel == "manifest.json":
            payload = _stable_manifest(p)
        elif rel == "report.json":
            payload = _stable_report(p)
        else:
            payload = p.read_bytes()
        out[rel] = hashlib.sha256(payload).hexdigest()
    return out


def record(out: Path, families: int | None, dask: bool) -> None:
    results: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="synth-hashes-") as tmp:
        for profile in PROFILES:
            for seed in SEEDS:
                for engine, flags in ENGINES.items():
                    if engine == "dask" and not dask:
                        continue
                    key = f"{profile}/s{seed}/{engine}"
                    dest = Path(tmp) / key.replace("/", "-")
                    cmd = [sys.executable, "-m", "synth", "generate", profile, "--seed", str(seed),
                           "--out", str(dest), "--format", "parquet,csv", "--no-duckdb", "-q", *flags]
                    if families:
                        cmd += ["--families", str(families)]
                    print(key, flush=True)
                    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL)
                    results[key] = digest_run(dest)
    out.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print(f"wrote {out}: {sum(len(v) for v in results.values())} files in {len(results)} runs")


def compare(before: Path, after: Path) -> int:
    a, b = json.loads(before.read_text()), json.loads(after.read_text())
    changed = 0
    for run in sorted(set(a) | set(b)):
        fa, fb = a.get(run, {}), b.get(run, {})
        for f in sorted(set(fa) | set(fb)):
            if fa.get(f) != fb.get(f):
                state = "added" if f not in fa else "removed" if f not in fb else "changed"
                print(f"{state:8s} {run}/{f}")
                changed += 1
    same = sum(1 for run in a for f in a[run] if b.get(run, {}).get(f) == a[run][f])
    print(f"{same} identical, {changed} differ")
    # Engines must agree with each other within one record, whatever the comparison says.
    for label, rec in (("before", a), ("after", b)):
        for run in rec:
            profile, seed, engine = run.split("/")
            w1 = rec.get(f"{profile}/{seed}/w1")
            if engine != "w1" and w1 is not None and rec[run] != w1:
                print(f"{label}: {run} differs from {profile}/{seed}/w1")
                changed += 1
    return 1 if changed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("--out", type=Path, required=True)
    rec.add_argument("--families", type=int, default=None)
    rec.add_argument("--no-dask", action="store_true")
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("before", type=Path)
    cmp_.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.cmd == "record":
        record(args.out, args.families, not args.no_dask)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    raise SystemExit(main())
