"""Throughput of ``synth generate`` at several sizes, with a Faker row-loop baseline.

Each size runs in its own process (so peak RSS is that run's alone). The baseline makes the truth
``person`` table the naive way (one Faker call per field per row) in this process, and the ratio
compares people per second. Run:

    .venv/bin/python benchmarks/generate_throughput.py --sizes 10000 100000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_size(profile: str, families: int, workdir: Path) -> dict:
    """Generate ``families`` in a child process; return timings, counts and peak RSS."""
    out = workdir / f"{profile}-{families}"
    code = ("import sys; from pathlib import Path; from synth.profile.loader import load_profile\n"
            "try:\n    from synth.pipeline import generate\n"
            "except ImportError:  # before issue 10\n    from synth.engine.local import generate\n"
            f"generate(load_profile({profile!r}), Path({str(out)!r}), families={families}, force=True)")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(proc.stderr)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    manifest = json.loads((out / "manifest.json").read_text())
    return {"families": families, "wall_s": wall, "manifest": manifest, "peak_rss_mb": usage.ru_maxrss / 1024}


def faker_people_per_second(n: int = 3000) -> float:
    """People per second for a plain Faker loop making the person table's fields row by row."""
    from faker import Faker

    fake = Faker("en_GB")
    fake.seed_instance(1)
    rows = []
    t0 = time.perf_counter()
    for i in range(n):
        sex = 1 if i % 2 else 2
        rows.append({
            "person_id": i, "sex": sex,
            "forename": fake.first_name_male() if sex == 1 else fake.first_name_female(),
            "surname": fake.last_name(), "date_of_birth": fake.date_of_birth(minimum_age=0, maximum_age=60),
            "nhs_number": fake.nhs_number() if hasattr(fake, "nhs_number") else fake.numerify("999#######"),
            "postcode": fake.postcode(), "ethnicity": fake.random_element(["WBRI", "WOTH", "MOTH", "AOTH"]),
        })
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="england_wales")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = ap.parse_args()
    faker_rate = faker_people_per_second()
    print(f"baseline: Faker row loop, person table only: {faker_rate:,.0f} people/s")
    print(f"{'families':>10} {'wall s':>8} {'gen s':>7} {'families/s':>11} {'children/s':>11} {'people/s':>10} "
          f"{'peak RSS MB':>12} {'x Faker':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            r = run_size(args.profile, n, Path(tmp))
            m = r["manifest"]
            gen = m["timings"]["generate_s"]
            total = m["timings"]["total_s"]
            children = m["counts"]["truth/proceeding_child"]
            people = m["counts"]["truth/person"]
            # Our rate includes every table, truth and views; Faker's only the person table.
            ratio = (people / total) / faker_rate
            print(f"{n:>10,} {r['wall_s']:>8.1f} {gen:>7.1f} {n / total:>11,.0f} {children / total:>11,.0f} "
                  f"{people / total:>10,.0f} {r['peak_rss_mb']:>12,.0f} {ratio:>8.1f}")
    print("rates use total_s from the manifest (generation, Parquet, DuckDB, dictionary); "
          "peak RSS is the largest child process so far.")


if __name__ == "__main__":
    main()
