"""Run a generation: shards of families -> truth -> agency views -> files, written atomically.

Shards are simulated in order (their randomness depends only on the shard number), so the output
is identical whatever the block size. Everything is written to a staging folder beside the
destination and renamed into place at the end; a failure leaves nothing behind.
"""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from synth.errors import InputError, OutputError
from synth.export.arrow import agency_schema, to_arrow, truth_schema
from synth.export.database import build_duckdb
from synth.export.dictionary import render_dictionary
from synth.export.manifest import write_manifest
from synth.export.sdv_metadata import write_sdv_metadata
from synth.export.writers import TableWriter
from synth.profile.loader import LoadedProfile
from synth.rng import FAMILIES_PER_SHARD
from synth.views.project import project_agency
from synth.world.context import build_context
from synth.world.schema import TRUTH_TABLES
from synth.world.truth import assign_nhs_numbers, simulate_shard

FORMATS = ("parquet", "csv")
MAX_FAMILIES = 100_000_000


@dataclass
class RunResult:
    """What a run produced."""

    path: Path
    families: int
    seed: int
    counts: dict[str, int]
    timings: dict[str, float] = field(default_factory=dict)


def default_run_name(profile: str, seed: int, families: int) -> str:
    """The folder name used under output/ when none is given."""
    return f"{profile}-s{seed}-f{families}"


def check_request(families: int, formats: tuple[str, ...], block_families: int) -> None:
    """Reject impossible sizes and unknown formats before any work.

    Raises:
        InputError: with the value and the fix.
    """
    if families < 1 or families > MAX_FAMILIES:
        raise InputError(f"--families {families} is impossible; give a number from 1 to {MAX_FAMILIES:,}")
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise InputError(f"--format {','.join(formats) or '(empty)'} is not supported; use parquet, csv or parquet,csv")
    if block_families < 1:
        raise InputError(f"block size {block_families} must be at least 1")


def check_destination(out: Path, force: bool) -> None:
    """Refuse to overwrite an existing destination without ``force``.

    Raises:
        OutputError: when ``out`` exists and ``force`` is false, or it is not a folder.
    """
    if out.exists() and not force:
        raise OutputError(f"{out} already exists; choose another --out or pass --force to replace it")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder; remove it or choose another --out")


def prepare_destination(out: Path, force: bool) -> Path:
    """Check the destination and return a fresh staging folder beside it.

    Raises:
        OutputError: when ``out`` exists and ``force`` is false, or it cannot be written.
    """
    check_destination(out, force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create {out.parent}: {e.strerror}") from None
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staging.mkdir()
    except OSError as e:
        raise OutputError(f"cannot write in {out.parent}: {e.strerror}") from None
    return staging


def generate(loaded: LoadedProfile, out: Path, families: int | None = None, seed: int | None = None,
             formats: tuple[str, ...] = ("parquet",), force: bool = False,
             block_families: int = 10 * FAMILIES_PER_SHARD,
             on_progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Generate a run into ``out``.

    Args:
        loaded: a checked profile.
        out: destination folder (created; replaced only with ``force``).
        families: number of families (default: the profile's size).
        seed: run seed (default: the profile's seed).
        formats: ``parquet`` and/or ``csv``; Parquet is staged regardless for the database.
        force: replace an existing destination.
        block_families: families held in memory between writes (rounded up to whole shards).
        on_progress: called with (families done, families total) after each shard.

    Returns:
        A :class:`RunResult` with row counts and timings.
    """
    prof = loaded.profile
    families = prof.size.families if families is None else int(families)
    seed = prof.seed if seed is None else int(seed)
    check_request(families, formats, block_families)
    staging = prepare_destination(out, force)
    timings: dict[str, float] = {}
    writers: dict[str, TableWriter] = {}
    try:
        t0 = time.perf_counter()
        ctx = build_context(loaded, seed)
        timings["prepare_s"] = time.perf_counter() - t0
        writers = _open_writers(loaded, staging, "csv" in formats)
        n_shards = math.ceil(families / FAMILIES_PER_SHARD)
        shards_per_block = max(1, math.ceil(block_families / FAMILIES_PER_SHARD))
        person_offset = 0
        t1 = time.perf_counter()
        for first in range(0, n_shards, shards_per_block):
            block = []
            for shard in range(first, min(first + shards_per_block, n_shards)):
                n = min(FAMILIES_PER_SHARD, families - shard * FAMILIES_PER_SHARD)
                truth = simulate_shard(ctx, shard, n)
                person_offset += assign_nhs_numbers(truth, person_offset, seed)
                views = {k: project_agency(k, a, truth, seed, shard, prof.linkage) for k, a in prof.agencies.items()}
                block.append((truth, views))
                if on_progress:
                    on_progress(min(families, (shard + 1) * FAMILIES_PER_SHARD), families)
            _write_block(loaded, writers, block)
        timings["generate_s"] = time.perf_counter() - t1
        counts = {}
        for key, w in writers.items():
            w.close()
            counts[key] = w.rows
        writers = {}
        t2 = time.perf_counter()
        db_tables = [(a.schema_name, t.name, staging / k / f"{t.name}.parquet")
                     for k, a in prof.agencies.items() for t in a.tables.values()]
        db_tables += [("truth", name, staging / "truth" / f"{name}.parquet") for name in (*TRUTH_TABLES, "links")]
        build_duckdb(staging / "synth.duckdb", db_tables)
        timings["duckdb_s"] = time.perf_counter() - t2
        if "parquet" not in formats:
            for p in staging.rglob("*.parquet"):
                p.unlink()
        (staging / "dictionary.md").write_text(render_dictionary(prof, counts), encoding="utf-8")
        write_sdv_metadata(staging / "metadata.sdv.json", prof.agencies)
        timings["total_s"] = time.perf_counter() - t0
        write_manifest(staging / "manifest.json", {
            "profile": {"name": prof.name, "path": str(loaded.path), "sha256": loaded.sha256},
            "seed": seed, "families": families, "shards": n_shards, "families_per_shard": FAMILIES_PER_SHARD,
            "formats": list(formats), "counts": counts,
            "timings": {k: round(v, 3) for k, v in timings.items()},
        })
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        for w in writers.values():
            w.abort()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return RunResult(path=out, families=families, seed=seed, counts=counts, timings=timings)


def _open_writers(loaded: LoadedProfile, staging: Path, csv: bool) -> dict[str, TableWriter]:
    writers = {}
    for akey, agency in loaded.profile.agencies.items():
        for table in agency.tables.values():
            writers[f"{akey}/{table.name}"] = TableWriter(staging / akey / f"{table.name}.parquet",
                                                          agency_schema(table), csv)
    for name in (*TRUTH_TABLES, "links"):
        writers[f"truth/{name}"] = TableWriter(staging / "truth" / f"{name}.parquet", truth_schema(name), csv)
    return writers


def _write_block(loaded: LoadedProfile, writers: dict[str, TableWriter], block) -> None:
    import pandas as pd

    for truth, views in block:
        for name in TRUTH_TABLES:
            w = writers[f"truth/{name}"]
            w.write(to_arrow(truth[name], w.schema))
        links = []
        for akey, (tables, agency_links) in views.items():
            agency = loaded.profile.agencies[akey]
            for tkey, df in tables.items():
                w = writers[f"{akey}/{agency.tables[tkey].name}"]
                w.write(to_arrow(df, w.schema))
            links.append(agency_links)
        w = writers["truth/links"]
        w.write(to_arrow(pd.concat(links, ignore_index=True), w.schema))
