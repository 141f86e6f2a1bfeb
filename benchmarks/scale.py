"""Scale benchmark: synth against peers measured in the same run.

Prints, for each size, wall seconds, children/s, rows/s and peak RSS (the largest sum over the
process tree, sampled every 0.2 s), then the ratios against

* a plain Faker row-by-row generator of the same truth tables (family, person, proceeding,
  proceeding_child, proceeding_party, hearing), measured at a small size;
* SDV's HMASynthesizer fitted on a comparable 4-table schema made by synth (proceeding ->
  proceeding_child, proceeding_party, hearing: within HMA's limits of 5 tables and 2 levels),
  timed sampling at a small scale and extrapolated linearly (labelled as such). Needs the
  optional ``sdv`` extra; skipped otherwise.

    .venv/bin/python benchmarks/scale.py --children 100000 1000000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CHILDREN_PER_FAMILY = 1.735  # measured on england_wales (truth/proceeding_child rows per family)


def _tree_rss(pid: int) -> int:
    """Resident set size in bytes of a process and its descendants (Linux /proc)."""
    total, todo = 0, [pid]
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
        todo += children.get(p, [])
    return total


def run_synth(families: int, workers: int, out: Path, duckdb: bool, engine: str = "local") -> dict:
    """Generate in a child process, sampling the process tree's RSS; return figures."""
    cmd = [sys.executable, "-m", "synth", "generate", "england_wales", "-n", str(families), "-o", str(out),
           "--force", "-q", "--no-validate", "--workers", str(workers), "--engine", engine]
    if not duckdb:
        cmd.append("--no-duckdb")
    peak = 0
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.2)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    stop.set()
    th.join()
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(err)
    m = json.loads((out / "manifest.json").read_text())
    rows = sum(m["counts"].values())
    return {"families": families, "children": m["counts"]["truth/proceeding_child"], "rows": rows,
            "wall_s": wall, "peak_rss_mb": peak / 2**20, "timings": m["timings"]}


def faker_row_loop(families: int) -> dict:
    """The same truth tables, one Faker call per field per row (the way most generators work)."""
    from faker import Faker

    fake = Faker("en_GB")
    fake.seed_instance(1)
    rnd = random.Random(1)
    tables = {k: [] for k in ("family", "person", "proceeding", "proceeding_child", "proceeding_party", "hearing")}
    t0 = time.perf_counter()
    children = 0
    for f in range(families):
        la = rnd.choice(["E06000001", "E08000025", "W06000015"])
        tables["family"].append({"family_id": f, "la_code": la, "country": la[0]})
        mother = {"person_id": f * 64, "sex": 2, "forename": fake.first_name_female(), "surname": fake.last_name(),
                  "date_of_birth": fake.date_of_birth(minimum_age=18, maximum_age=45),
                  "nhs_number": fake.numerify("999#######"), "postcode": fake.postcode()}
        tables["person"].append(mother)
        n_proc = 1 + (rnd.random() < 0.25)
        for p in range(n_proc):
            pid = f * 8 + p
            issue = fake.date_between(start_date="-14y", end_date="today")
            tables["proceeding"].append({"proceeding_id": pid, "family_id": f, "law_type": rnd.choice(
                ["public", "private"]), "issue_date": issue, "disposal_date": fake.date_between(issue, "+2y")})
            tables["proceeding_party"].append({"proceeding_id": pid, "person_id": mother["person_id"],
                                               "party_role": "respondent"})
            for c in range(1 + int(rnd.expovariate(1.5))):
                child = {"person_id": f * 64 + 13 + c, "sex": rnd.choice([1, 2]), "forename": fake.first_name(),
                         "surname": mother["surname"], "date_of_birth": fake.date_of_birth(maximum_age=17),
                         "nhs_number": fake.numerify("999#######"), "postcode": mother["postcode"]}
                tables["person"].append(child)
                tables["proceeding_child"].append({"proceeding_id": pid, "person_id": child["person_id"],
                                                   "outcome": rnd.choice(["care_order", "supervision_order"])})
                tables["proceeding_party"].append({"proceeding_id": pid, "person_id": child["person_id"],
                                                   "party_role": "subject"})
                children += 1
            for h in range(rnd.randint(1, 8)):
                tables["hearing"].append({"proceeding_id": pid, "sequence": h + 1,
                                          "hearing_date": fake.date_between(issue, "+1y")})
    secs = time.perf_counter() - t0
    rows = sum(len(v) for v in tables.values())
    return {"families": families, "children": children, "rows": rows, "seconds": secs}


def sdv_hma(families: int, workdir: Path) -> dict | None:
    """Fit HMASynthesizer on a 4-table schema made by synth; time sampling at scale 1."""
    try:
        import pandas as pd
        from sdv.metadata import Metadata
        from sdv.multi_table import HMASynthesizer
    except ImportError:
        return None
    out = workdir / "sdv-train"
    subprocess.run([sys.executable, "-m", "synth", "generate", "england_wales", "-n", str(families), "-o",
                    str(out), "--force", "-q", "--no-validate"], check=True)
    t = out / "truth"
    data = {
        "proceeding": pd.read_parquet(t / "proceeding")[
            ["proceeding_id", "country", "la_code", "law_type", "fy", "issue_date", "disposal_date", "n_children"]],
        "proceeding_party": pd.read_parquet(t / "proceeding_party")[
            ["party_id", "proceeding_id", "party_role", "relationship"]],
        "proceeding_child": pd.read_parquet(t / "proceeding_child")[
            ["pc_id", "proceeding_id", "age_at_issue_days", "age_band", "outcome"]],
        "hearing": pd.read_parquet(t / "hearing")[["hearing_id", "proceeding_id", "hearing_date",
                                                           "hearing_type"]],
    }
    for df in data.values():
        for c in df.columns:
            if "date" in c:
                df[c] = pd.to_datetime(df[c])
    metadata = Metadata.detect_from_dataframes(data)
    for table, pk in (("proceeding", "proceeding_id"), ("proceeding_party", "party_id"),
                      ("proceeding_child", "pc_id"), ("hearing", "hearing_id")):
        metadata.update_column(table_name=table, column_name=pk, sdtype="id")
        metadata.set_primary_key(table_name=table, column_name=pk)
    import warnings

    warnings.filterwarnings("ignore")
    try:
        synth = HMASynthesizer(metadata, verbose=False)
    except TypeError:  # releases without the verbose switch
        synth = HMASynthesizer(metadata)
    t0 = time.perf_counter()
    synth.fit(data)
    fit_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    # SDV 2.x: sample_scale(); SDV 1.x: sample(scale=...).
    sample = synth.sample_scale(scale=1.0) if hasattr(synth, "sample_scale") else synth.sample(scale=1.0)
    sample_s = time.perf_counter() - t1
    children = len(sample["proceeding_child"])
    return {"families": families, "fit_s": fit_s, "sample_s": sample_s, "children": children,
            "rows": sum(len(v) for v in sample.values())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--children", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--engines", nargs="+", default=["local"], choices=["local", "dask"],
                    help="Engines to measure (dask needs the dask extra; includes starting a LocalCluster).")
    ap.add_argument("--duckdb", action="store_true", help="Also build the DuckDB database (slower).")
    ap.add_argument("--faker-families", type=int, default=10_000)
    ap.add_argument("--sdv-families", type=int, default=300)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for children in args.children:
            families = round(children / CHILDREN_PER_FAMILY)
            for engine in args.engines:
                for w in args.workers:
                    r = run_synth(families, w, Path(tmp) / "run", args.duckdb, engine)
                    rows.append((engine, w, r))
        print(f"synth: england_wales, all agency views, Parquet{' + DuckDB' if args.duckdb else ''}")
        print(f"{'children':>10} {'engine':>6} {'workers':>7} {'wall s':>7} {'children/s':>11} {'rows/s':>11} "
              f"{'peak RSS MB':>12}")
        for engine, w, r in rows:
            print(f"{r['children']:>10,} {engine:>6} {w:>7} {r['wall_s']:>7.1f} {r['children'] / r['wall_s']:>11,.0f} "
                  f"{r['rows'] / r['wall_s']:>11,.0f} {r['peak_rss_mb']:>12,.0f}")
        best = max(r["children"] / r["wall_s"] for _, _, r in rows)
        best_rows = max(r["rows"] / r["wall_s"] for _, _, r in rows)
        fk = faker_row_loop(args.faker_families)
        fk_rate = fk["children"] / fk["seconds"]
        print(f"\nFaker row loop, same truth tables ({fk['families']:,} families, {fk['children']:,} children, "
              f"no agency views): {fk_rate:,.0f} children/s, {fk['rows'] / fk['seconds']:,.0f} rows/s")
        print(f"ratio synth / Faker loop: {best_rows / (fk['rows'] / fk['seconds']):,.1f}x in rows/s (like for like: "
              f"both write every row they make); {best / fk_rate:,.1f}x in children/s (synth writes "
              f"{best_rows / best:.1f} rows per child, the loop {fk['rows'] / fk['children']:.1f}: "
              "it has no agency views)")
        hma = sdv_hma(args.sdv_families, Path(tmp))
        if hma is None:
            print("\nSDV HMASynthesizer: skipped (install the optional extra: pip install -e '.[sdv]')")
        else:
            rate = hma["children"] / hma["sample_s"]
            print(f"\nSDV HMASynthesizer, 4 tables fitted on {hma['families']:,} synth families: fit "
                  f"{hma['fit_s']:.1f} s; sampled {hma['children']:,} children in {hma['sample_s']:.1f} s "
                  f"= {rate:,.0f} children/s")
            print(f"  extrapolated linearly to 1,000,000 children: {1e6 / rate:,.0f} s (EXTRAPOLATED, not measured)")
            print(f"ratio synth / SDV HMA sampling: {best / rate:,.1f}x")


if __name__ == "__main__":
    main()
